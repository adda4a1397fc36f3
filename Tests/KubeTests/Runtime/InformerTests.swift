import Logging
import Synchronization
import Testing
@testable import Kube

private let logger = Logger(label: "test.informer")

/// Collects handler calls as text and lets the test await them.
private final class Log: Sendable {
    let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    init() { (stream, continuation) = AsyncStream<String>.makeStream() }
    func add(_ line: String) { continuation.yield(line) }
}

private func name(_ o: JSONValue) -> String { o[path: "metadata.name"]?.stringValue ?? "?" }

@Suite struct InformerTests {
    @Test func callsHandlersInOrderAndSyncsAfterTheFirstList() async {
        let api = FakeKubeAPI()
        api.scriptList(.success(ObjectList(resourceVersion: "10", continueToken: nil, items: [object("a"), object("b")])))
        api.scriptWatch(.events([
            WatchEvent(type: .modified, object: object("a", rv: "11")),
            WatchEvent(type: .modified, object: object("a", rv: "11")),  // duplicate: no update
            WatchEvent(type: .deleted, object: object("b", rv: "12")),
        ], end: .hang))
        let informer = Informer(api: api, resource: .configMaps, namespace: "ns", clock: ManualClock(), logger: logger)
        let log = Log()
        informer.onAdd { log.add("add \(name($0))") }
        informer.onUpdate { old, new in log.add("update \(name(new)) \(old[path: "metadata.resourceVersion"]?.stringValue ?? "")") }
        informer.onDelete { log.add("delete \(name($0))") }
        #expect(!informer.hasSynced)
        let running = Task { await informer.run() }
        #expect(await informer.waitForSync())
        var lines = log.stream.makeAsyncIterator()
        var seen: [String] = []
        for _ in 0..<4 { if let line = await lines.next() { seen.append(line) } }
        #expect(seen == ["add a", "add b", "update a 1", "delete b"])
        #expect(informer.store.snapshot().objects.keys.sorted() == ["ns/a"])
        #expect(informer.status.connection == .healthy)
        #expect(informer.status.resourceVersion == "12")
        running.cancel()
        await running.value
    }

    @Test func statusShowsTheFailureAndRetryDelay() async {
        let api = FakeKubeAPI()
        api.scriptList(.failure(apiError(500, "InternalError")))
        let clock = ManualClock()
        let informer = Informer(api: api, resource: .configMaps, namespace: nil, clock: clock,
                                configuration: .init(backoff: Backoff(random: { 0 })), logger: logger)
        let running = Task { await informer.run() }
        await clock.waitForSleepers(count: 1)  // backing off after the failure
        let status = informer.status
        #expect(status.connection == .failing(retryIn: .milliseconds(800)))
        #expect(status.lastError?.apiError?.code == 500)
        #expect(!informer.hasSynced)
        running.cancel()
        await running.value
    }

    @Test func waitForSyncReturnsFalseWhenCancelled() async {
        let informer = Informer(api: FakeKubeAPI(), resource: .configMaps, namespace: nil, clock: ManualClock(), logger: logger)
        let waiter = Task { await informer.waitForSync() }
        waiter.cancel()
        #expect(await waiter.value == false)
    }
}
