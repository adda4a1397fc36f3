import Foundation
import Logging
import Synchronization
import Testing
import Kube
@testable import KubeSandbox

/// The client, over the real libcurl transport and HTTP, against the sandbox: the behaviours the
/// client's unit tests check with fakes, now with a real server on the other end.
@Suite(.serialized) struct ClientAgainstSandboxTests {
    struct Harness {
        let sandbox: Sandbox
        let client: KubeClient

        static func start(_ options: SandboxOptions = SandboxOptions(runsControlPlane: false)) async throws -> Harness {
            let sandbox = Sandbox(options: options)
            let url = try await sandbox.start()
            let transport = try CurlTransport(options: TransportOptions())
            let client = KubeClient(server: url.absoluteString, transport: transport, pacing: nil,
                                    sleep: { try await Task.sleep(for: $0) })
            return Harness(sandbox: sandbox, client: client)
        }

        func stop() async { await sandbox.stop() }
    }

    static func configMap(_ name: String, labels: [String: String] = [:]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "namespace": "default", "labels": .object(labels.mapValues { .string($0) })],
         "data": ["k": "v"]]
    }

    /// Polls `condition` until it holds or `seconds` pass (a deadline for liveness, not a timing assertion).
    static func eventually(_ seconds: Double = 20, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    @Test func crudConflictsAndErrorsOverHTTP() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let created = try await h.client.create(.configMaps, namespace: "default", object: Self.configMap("a"))
        #expect(created[path: "metadata.uid"]?.stringValue?.isEmpty == false)
        var stale = created
        stale["data"] = ["k": "new"]
        _ = try await h.client.update(.configMaps, namespace: "default", object: stale)
        do {
            _ = try await h.client.update(.configMaps, namespace: "default", object: stale)
            Issue.record("a stale update must conflict")
        } catch let error as KubeError {
            #expect(error.apiError?.isConflict == true)
            #expect(error.apiError?.message.contains("the object has been modified") == true)
        }
        do {
            _ = try await h.client.get(.configMaps, namespace: "default", name: "missing")
            Issue.record("expected NotFound")
        } catch let error as KubeError {
            #expect(error.apiError?.isNotFound == true)
            #expect(error.apiError?.message == "configmaps \"missing\" not found")
        }
        do {
            _ = try await h.client.create(.configMaps, namespace: "default", object: Self.configMap("a"))
            Issue.record("expected AlreadyExists")
        } catch let error as KubeError {
            #expect(error.apiError?.isAlreadyExists == true)
        }
        let patched = try await h.client.patch(.configMaps, namespace: "default", name: "a", patch: .merge(["data": ["extra": "1"]]))
        #expect(patched[path: "data.extra"] == "1")
        let deleted = try await h.client.delete(.configMaps, namespace: "default", name: "a")
        #expect(deleted == nil)
    }

    @Test func listPagesAndSelectorsOverHTTP() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        for i in 0..<25 {
            _ = try await h.client.create(.configMaps, namespace: "default", object: Self.configMap("cm-\(i)", labels: ["tier": i % 2 == 0 ? "even" : "odd"]))
        }
        var names: [String] = []
        var token: String?
        repeat {
            let page = try await h.client.list(.configMaps, namespace: "default", options: ListOptions(labelSelector: "tier in (even)", limit: 5, continueToken: token))
            names += page.items.compactMap { $0[path: "metadata.name"]?.stringValue }
            token = page.continueToken
        } while token != nil
        #expect(names.count == 13)
        #expect(Set(names).count == 13)
    }

    @Test func watcherRelistsAfterTheServerExpiresItsVersion() async throws {
        let h = try await Harness.start(SandboxOptions(store: .init(historyLimit: 10), runsControlPlane: false))
        defer { Task { await h.stop() } }
        _ = try await h.client.create(.configMaps, namespace: "default", object: Self.configMap("first"))
        let oldVersion = try await h.client.list(.configMaps, namespace: "default").resourceVersion
        for i in 0..<30 { _ = try await h.client.create(.configMaps, namespace: "default", object: Self.configMap("later-\(i)")) }

        // A raw watch from the expired version gets the real 200 + ERROR Expired event.
        let stream = try await h.client.watch(.configMaps, namespace: "default", options: WatchOptions(resourceVersion: oldVersion))
        var first: WatchEvent?
        for try await event in stream { first = event; break }
        #expect(first?.type == .error)
        let expired = APIError(statusCode: 200, body: first?.object.serialized() ?? [])
        #expect(expired.isGone)

        // The informer recovers on its own: it lists, watches, and sees later changes.
        let informer = Informer(api: h.client, resource: .configMaps, namespace: "default", logger: Logger(label: "test"))
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await informer.waitForSync())
        #expect(informer.store.snapshot().count == 31)
        _ = try await h.client.create(.configMaps, namespace: "default", object: Self.configMap("after-sync"))
        #expect(await Self.eventually { informer.store.object(namespace: "default", name: "after-sync") != nil })
    }

    @Test func tooManyRequestsWithRetryAfterIsRetried() async throws {
        let faults = FaultInjection(seed: 3, errorRates: ["get": 0.5], errorCodes: [429], retryAfterSeconds: 0)
        let h = try await Harness.start(SandboxOptions(faults: faults, runsControlPlane: false))
        defer { Task { await h.stop() } }
        _ = try await h.client.create(.configMaps, namespace: "default", object: Self.configMap("busy"))
        for _ in 0..<20 { _ = try await h.client.get(.configMaps, namespace: "default", name: "busy") }
        #expect(h.client.requestCounters.retries > 0)
        #expect(h.client.requestCounters.byVerbAndCode["get 429", default: 0] > 0)
    }

    @Test func leaderElectionOverHTTPHasOneLeaderAndHandsOver() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        func configuration(_ identity: String) -> LeaderElectionConfiguration {
            var c = LeaderElectionConfiguration(namespace: "default", name: "test-lock", identity: identity)
            c.leaseDuration = .seconds(3)
            c.renewDeadline = .seconds(2)
            c.retryPeriod = .milliseconds(200)
            return c
        }
        let a = try LeaderElector(api: h.client, configuration: configuration("a"), logger: Logger(label: "a"))
        let b = try LeaderElector(api: h.client, configuration: configuration("b"), logger: Logger(label: "b"))
        let both = Mutex(false)
        let runA = Task { await a.run(onStartedLeading: {}, onStoppedLeading: {}) }
        #expect(await Self.eventually { a.isLeader })
        let runB = Task { await b.run(onStartedLeading: { if a.isLeader { both.withLock { $0 = true } } }, onStoppedLeading: {}) }
        try await Task.sleep(for: .seconds(1))
        #expect(!b.isLeader)
        runA.cancel()
        await runA.value  // releases the lease
        #expect(await Self.eventually { b.isLeader })
        #expect(!both.withLock { $0 })
        let lease = try await h.client.get(.leases, namespace: "default", name: "test-lock")
        #expect(lease[path: "spec.holderIdentity"] == "b")
        runB.cancel()
        await runB.value
    }

    @Test func repeatedEventsAggregateIntoACount() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let object = try await h.client.create(.configMaps, namespace: "default", object: Self.configMap("noisy"))
        let recorder = EventRecorder(api: h.client, configuration: .init(component: "test", instance: "t1"), logger: Logger(label: "events"))
        let task = Task { await recorder.run() }
        defer { task.cancel() }
        for _ in 0..<3 { recorder.record(object, type: .warning, reason: "Flaky", message: "it happened again") }
        let aggregated = try await Self.eventually {
            let events = try await h.client.events(for: object)
            return events.count == 1 && events.first?["count"] == 3
        }
        #expect(aggregated)
    }

    @Test func followedLogsStreamLinesUntilTheContainerExits() async throws {
        let h = try await Harness.start(SandboxOptions(speed: 20, nodes: NodeSpec.numbered(1)))
        defer { Task { await h.stop() } }
        _ = try await h.client.create(.pods, namespace: "default", object: [
            "metadata": ["name": "talker"],
            "spec": ["restartPolicy": "Never", "containers": [[
                "name": "main", "image": "busybox",
                "command": ["sh", "-c", "echo one && sleep 2s && echo two && sleep 2s && echo three"],
            ]]],
        ])
        #expect(await Self.eventually {
            (try? await h.client.get(.pods, namespace: "default", name: "talker"))?[path: "status.phase"] == "Running"
        })
        let lines = try await h.client.streamLogs(namespace: "default", pod: "talker", options: LogOptions(follow: true))
        var seen: [String] = []
        for try await line in lines { seen.append(String(decoding: line, as: UTF8.self)) }
        #expect(seen == ["one", "two", "three"])
    }
}
