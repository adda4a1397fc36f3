import Logging
import Testing
@testable import Kube

private let logger = Logger(label: "test.watcher")

private func page(_ rv: String, _ items: [JSONValue], next: String? = nil) -> Result<ObjectList, KubeError> {
    .success(ObjectList(resourceVersion: rv, continueToken: next, items: items))
}

private func event(_ type: WatchEvent.EventType, _ object: JSONValue) -> WatchEvent { WatchEvent(type: type, object: object) }

private func bookmark(_ rv: String) -> WatchEvent {
    WatchEvent(type: .bookmark, object: ["kind": "ConfigMap", "metadata": ["resourceVersion": .string(rv)]])
}

private func names(_ items: [JSONValue]) -> [String] { items.compactMap { $0[path: "metadata.name"]?.stringValue } }

/// Pulls `count` events from a fresh watcher on the test's own task (the clock auto-advances on sleeps).
private func collect(_ api: FakeKubeAPI, _ count: Int, clock: ManualClock = ManualClock(autoAdvance: true),
                     namespace: String? = "ns", labelSelector: String? = nil, fieldSelector: String? = nil) async -> [WatcherEvent] {
    let config = WatcherStateMachine.Configuration(backoff: Backoff(random: { 0 }))
    let watcher = Watcher(api: api, resource: .configMaps, namespace: namespace, labelSelector: labelSelector,
                          fieldSelector: fieldSelector, clock: clock, configuration: config, logger: logger)
    var iterator = watcher.makeAsyncIterator()
    var out: [WatcherEvent] = []
    while out.count < count, let next = await iterator.next() { out.append(next) }
    return out
}

@Suite struct WatcherTests {
    @Test func listsThenWatchesFromTheListResourceVersion() async throws {
        let api = FakeKubeAPI()
        api.scriptList(page("10", [object("a"), object("b")]))
        api.scriptWatch(.events([event(.added, object("c", rv: "11"))], end: .hang))
        let events = await collect(api, 2, labelSelector: "app=x", fieldSelector: "metadata.name!=z")
        guard case .relisted(let items, let rv) = events[0] else { Issue.record("want relisted, got \(events[0])"); return }
        #expect(names(items) == ["a", "b"])
        #expect(rv == "10")
        guard case .applied(let c) = events[1] else { Issue.record("want applied"); return }
        #expect(c[path: "metadata.name"] == "c")
        let list = try #require(api.listCalls.first)
        #expect(list.limit == 500 && list.continueToken == nil && list.resourceVersion == nil)
        #expect(list.labelSelector == "app=x" && list.fieldSelector == "metadata.name!=z")
        let watch = try #require(api.watchCalls.first)
        #expect(watch.resourceVersion == "10")
        #expect(watch.allowWatchBookmarks)
        #expect((290...590).contains(watch.timeoutSeconds ?? 0))
        #expect(watch.labelSelector == "app=x" && watch.fieldSelector == "metadata.name!=z")
        if case .list(_, let namespace, _) = api.calls[0] { #expect(namespace == "ns") }
    }

    @Test func followsContinueTokensAndReportsOneCompleteSet() async {
        let api = FakeKubeAPI()
        api.scriptList(page("7", [object("a")], next: "t1"), page("7", [object("b")], next: "t2"), page("7", [object("c")]))
        api.scriptWatch(.events([], end: .hang))
        let events = await collect(api, 1, namespace: nil)
        guard case .relisted(let items, "7") = events[0] else { Issue.record("want relisted at 7"); return }
        #expect(names(items) == ["a", "b", "c"])
        #expect(api.listCalls.map(\.continueToken) == [nil, "t1", "t2"])
        if case .list(_, let namespace, _) = api.calls[0] { #expect(namespace == nil) }
    }

    @Test func cleanStreamEndRewatchesFromLastSeenVersion() async {
        let api = FakeKubeAPI()
        api.scriptList(page("10", []))
        api.scriptWatch(
            .events([event(.added, object("a", rv: "11")), event(.modified, object("a", rv: "12"))], end: .clean),
            .events([event(.deleted, object("a", rv: "13"))], end: .hang))
        let events = await collect(api, 4)
        guard case .deleted(let a) = events[3] else { Issue.record("want deleted, got \(events[3])"); return }
        #expect(a[path: "metadata.resourceVersion"] == "13")
        #expect(api.watchCalls.map(\.resourceVersion) == ["10", "12"])
        #expect(api.listCalls.count == 1)
    }

    @Test func goneErrorEventRelistsWithoutResourceVersion() async {
        let api = FakeKubeAPI()
        api.scriptList(page("10", [object("a")]), page("50", [object("b")]))
        let expired: JSONValue = ["kind": "Status", "status": "Failure", "reason": "Expired", "code": 410, "message": "too old resource version: 10 (40)"]
        api.scriptWatch(.events([event(.error, expired)], end: .hang), .events([event(.added, object("c", rv: "51"))], end: .hang))
        let events = await collect(api, 4)
        guard case .failed(let error, let retryIn) = events[1] else { Issue.record("want failed"); return }
        #expect(error.apiError?.isGone == true)
        #expect(retryIn == .zero)
        guard case .relisted(let items, "50") = events[2] else { Issue.record("want relisted at 50"); return }
        #expect(names(items) == ["b"])
        #expect(api.listCalls.count == 2)
        #expect(api.listCalls[1].resourceVersion == nil && api.listCalls[1].continueToken == nil)
        #expect(api.watchCalls.map(\.resourceVersion) == ["10", "50"])
    }

    @Test func goneStatusOnWatchRequestAlsoRelists() async {
        let api = FakeKubeAPI()
        api.scriptList(page("10", []), page("60", []))
        api.scriptWatch(.fail(apiError(410, "Gone")), .events([], end: .hang))
        let events = await collect(api, 3)
        guard case .relisted(_, "60") = events[2] else { Issue.record("want relisted, got \(events)"); return }
    }

    @Test func bookmarksAdvanceTheVersionWithoutObjectEvents() async {
        let api = FakeKubeAPI()
        api.scriptList(page("10", []))
        api.scriptWatch(.events([bookmark("20")], end: .clean), .events([event(.added, object("a", rv: "21"))], end: .hang))
        let events = await collect(api, 3)
        guard case .bookmark("20") = events[1] else { Issue.record("want bookmark, got \(events[1])"); return }
        guard case .applied = events[2] else { Issue.record("want applied"); return }
        #expect(api.watchCalls.map(\.resourceVersion) == ["10", "20"])
    }

    @Test func failuresBackOffExponentiallyUpToTheCapAndAreReported() async {
        let api = FakeKubeAPI()
        let clock = ManualClock(autoAdvance: true)
        for _ in 0..<8 { api.scriptList(.failure(apiError(500, "InternalError"))) }
        api.scriptList(page("10", []))
        api.scriptWatch(.fail(.transport(TransportError(kind: .connectionFailed, message: "refused", url: ""))),
                        .events([event(.added, object("a", rv: "11"))], end: .hang))
        let events = await collect(api, 11, clock: clock)
        var failures = 0
        for case .failed(let error, _) in events {
            failures += 1
            #expect(error.apiError?.code == 500 || failures == 9)
        }
        #expect(failures == 9)
        let seconds = clock.requestedSleeps.map { $0.seconds }
        // 0.8 doubling, capped at 30; after the successful list the watch failure starts over at 0.8.
        #expect(seconds == [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30, 0.8])
        // The watch is retried from the listed version, not relisted.
        #expect(api.watchCalls.map(\.resourceVersion) == ["10", "10"])
        #expect(api.listCalls.count == 9)
    }

    @Test func tooManyRequestsHonoursRetryAfter() async {
        let api = FakeKubeAPI()
        let clock = ManualClock(autoAdvance: true)
        api.scriptList(.failure(apiError(429, "TooManyRequests", retryAfter: 5)), page("10", []))
        api.scriptWatch(.events([], end: .hang))
        let events = await collect(api, 2, clock: clock)
        guard case .failed(let error, let retryIn) = events[0] else { Issue.record("want failed"); return }
        #expect(error.apiError?.isTooManyRequests == true)
        #expect(retryIn == .seconds(5))
        #expect(clock.requestedSleeps == [.seconds(5)])
    }

    @Test func aWatchCutMidwayIsReportedAndResumedFromLastVersion() async {
        let api = FakeKubeAPI()
        let clock = ManualClock(autoAdvance: true)
        api.scriptList(page("10", []))
        api.scriptWatch(.events([event(.added, object("a", rv: "11"))], end: .cut(apiError(500, "InternalError"))),
                        .events([event(.deleted, object("a", rv: "12"))], end: .hang))
        let events = await collect(api, 4, clock: clock)
        guard case .failed(let error, _) = events[2] else { Issue.record("want failed"); return }
        #expect(error.apiError?.code == 500)
        guard case .deleted = events[3] else { Issue.record("want deleted"); return }
        #expect(api.watchCalls.map(\.resourceVersion) == ["10", "11"])
        #expect(api.listCalls.count == 1)
    }

    @Test func anEmptyWatchThatClosesAtOnceCountsAsFailure() async {
        let api = FakeKubeAPI()
        let clock = ManualClock(autoAdvance: true)
        api.scriptList(page("10", []))
        api.scriptWatch(.events([], end: .clean), .events([], end: .clean), .events([event(.added, object("a", rv: "11"))], end: .hang))
        let events = await collect(api, 4, clock: clock)
        let failures = events.filter { if case .failed = $0 { return true } else { return false } }
        #expect(failures.count == 2)
        #expect(clock.requestedSleeps.map { $0.seconds } == [0.8, 1.6])
        #expect(api.watchCalls.map(\.resourceVersion) == ["10", "10", "10"])
    }

    @Test func stateMachineResumesWatchAfterBackoff() {
        var machine = WatcherStateMachine(configuration: .init(backoff: Backoff(random: { 0 })))
        guard case .list = machine.start() else { Issue.record("want list"); return }
        let step = machine.pageReceived(ObjectList(resourceVersion: "5", continueToken: nil, items: []))
        guard case .watch(let options) = step.action else { Issue.record("want watch"); return }
        #expect(options.resourceVersion == "5")
        machine.watchOpened()
        _ = machine.eventReceived(WatchEvent(type: .modified, object: object("a", rv: "6")))
        let failed = machine.watchFailed(apiError(503, "ServiceUnavailable"))
        #expect(failed.action == .sleep(.milliseconds(800)))
        guard case .watch(let again) = machine.backoffElapsed() else { Issue.record("want watch"); return }
        #expect(again.resourceVersion == "6")
        #expect(machine.state == .watching(resourceVersion: "6"))
    }
}
