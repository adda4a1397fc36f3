import Foundation
import Logging
import Synchronization
import Testing
@testable import Kube

private let logger = Logger(label: "test.events")
private let wall = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

private let pod: JSONValue = [
    "apiVersion": "v1", "kind": "Pod",
    "metadata": ["name": "p", "namespace": "ns", "uid": "pod-uid", "resourceVersion": "42"],
]

private func recorder(_ api: FakeKubeAPI, clock: ManualClock = ManualClock(), bufferSize: Int = 1000) -> EventRecorder {
    var config = EventRecorder.Configuration(component: "jobflow-operator", instance: "op-0")
    config.bufferSize = bufferSize
    let counter = Mutex<UInt64>(0xab)
    return EventRecorder(api: api, configuration: config, clock: clock, wallClock: { wall },
                         randomSuffix: { counter.withLock { $0 += 1; return $0 } }, logger: logger)
}

@Suite struct EventRecorderTests {
    @Test func firstEventIsCreatedWithAllFields() async throws {
        let api = FakeKubeAPI()
        let events = recorder(api)
        events.record(pod, type: .warning, reason: "BackOff", message: "restarting")
        await events.processPending()
        let event = try #require(api.storedObjects(.events).first)
        #expect(event[path: "metadata.name"] == "p.00000000000000ac")
        #expect(event[path: "metadata.namespace"] == "ns")
        #expect(event["involvedObject"] == ["apiVersion": "v1", "kind": "Pod", "name": "p", "namespace": "ns",
                                            "uid": "pod-uid", "resourceVersion": "42"])
        #expect(event["type"] == "Warning" && event["reason"] == "BackOff" && event["message"] == "restarting")
        #expect(event[path: "source.component"] == "jobflow-operator")
        #expect(event["reportingComponent"] == "jobflow-operator" && event["reportingInstance"] == "op-0")
        #expect(event["firstTimestamp"] == "2026-01-01T00:00:00Z" && event["lastTimestamp"] == "2026-01-01T00:00:00Z")
        #expect(event["count"] == 1)
    }

    @Test func repeatsWithinTheWindowArePatchedIntoTheCount() async throws {
        let api = FakeKubeAPI()
        let clock = ManualClock()
        let events = recorder(api, clock: clock)
        for _ in 0..<3 { events.record(pod, type: .normal, reason: "Synced", message: "ok") }
        await events.processPending()
        #expect(api.storedObjects(.events).count == 1)
        #expect(api.storedObjects(.events).first?["count"] == 3)
        let patches = api.calls.filter { $0.kind == .patch }
        #expect(patches.count == 2)
        if case .patch(_, _, let name, .merge(let body)) = patches.last {
            #expect(name == "p.00000000000000ac")
            #expect(body == ["count": 3, "lastTimestamp": "2026-01-01T00:00:00Z"])
        } else {
            Issue.record("want a merge patch")
        }
        // After ten minutes without a repeat a new Event is started.
        clock.advance(by: .seconds(600))
        events.record(pod, type: .normal, reason: "Synced", message: "ok")
        await events.processPending()
        #expect(api.storedObjects(.events).count == 2)
    }

    @Test func distinctMessagesCreateDistinctEvents() async {
        let api = FakeKubeAPI()
        let events = recorder(api)
        events.record(pod, type: .normal, reason: "Synced", message: "one")
        events.record(pod, type: .normal, reason: "Synced", message: "two")
        events.record(pod, type: .warning, reason: "Synced", message: "one")
        await events.processPending()
        #expect(api.storedObjects(.events).count == 3)
        #expect(api.calls.filter { $0.kind == .patch }.isEmpty)
    }

    @Test func pastTheAggregateLimitTheLeastRecentlySeenAreForgottenInOneSweep() async {
        let api = FakeKubeAPI()
        let clock = ManualClock()
        let events = recorder(api, clock: clock)
        func object(_ i: Int) -> JSONValue {
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string("p\(i)"), "namespace": "ns", "uid": .string("uid-\(i)")]]
        }
        let limit = EventRecorder.aggregateLimit
        for i in 0...limit {
            events.record(object(i), type: .normal, reason: "Started", message: "started")
            await events.processPending()
            clock.advance(by: .milliseconds(1))
        }
        #expect(api.storedObjects(.events).count == limit + 1)
        // The newest is still aggregated: its repeat patches the count.
        events.record(object(limit), type: .normal, reason: "Started", message: "started")
        // The oldest quarter was forgotten when the limit was passed: a repeat starts a new Event.
        events.record(object(0), type: .normal, reason: "Started", message: "started")
        // One just inside the kept three quarters is still aggregated.
        events.record(object(limit - limit * 3 / 4 + 1), type: .normal, reason: "Started", message: "started")
        await events.processPending()
        #expect(api.storedObjects(.events).count == limit + 2)
        #expect(api.calls.filter { $0.kind == .patch }.count == 2)
    }

    @Test func writesRunConcurrentlyButNeverTwoForTheSameEvent() async throws {
        let api = FakeKubeAPI()
        let events = recorder(api)
        func object(_ i: Int) -> JSONValue {
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string("p\(i)"), "namespace": "ns", "uid": .string("uid-\(i)")]]
        }
        api.hold(.create)
        for i in 0..<6 { events.record(object(i), type: .normal, reason: "Started", message: "started") }
        events.record(object(0), type: .normal, reason: "Started", message: "started")  // a repeat of the first
        let writing = Task { await events.processPending() }
        // Wait (bounded) until the writers are all busy.
        for _ in 0..<10_000 where api.calls.count < events.configuration.writers { await Task.yield() }
        try await Task.sleep(for: .milliseconds(20))
        #expect(api.calls.count == events.configuration.writers)
        #expect(api.calls.allSatisfy { $0.kind == .create })
        api.releaseHeld()
        await writing.value
        // Six Events created; the repeat waited for the first and patched its count.
        #expect(api.storedObjects(.events).count == 6)
        #expect(api.calls.filter { $0.kind == .patch }.count == 1)
        #expect(events.pendingCount == 0)
    }

    @Test func aDeletedEventIsRecreated() async {
        let api = FakeKubeAPI()
        let events = recorder(api)
        events.record(pod, type: .normal, reason: "Synced", message: "ok")
        await events.processPending()
        _ = try? await api.delete(.events, namespace: "ns", name: "p.00000000000000ac")
        events.record(pod, type: .normal, reason: "Synced", message: "ok")
        await events.processPending()
        #expect(api.storedObjects(.events).count == 1)
        #expect(api.storedObjects(.events).first?["count"] == 1)
    }

    @Test func fullBufferDropsInsteadOfBlocking() async {
        let api = FakeKubeAPI()
        let events = recorder(api, bufferSize: 2)
        for i in 0..<5 { events.record(pod, type: .normal, reason: "R", message: "\(i)") }
        #expect(events.pendingCount == 2)
        #expect(events.droppedCount == 3)
        await events.processPending()
        #expect(api.storedObjects(.events).count == 2)
    }

    @Test func spamFilterAllowsABurstPerObjectThenOnePerFiveMinutes() async {
        let api = FakeKubeAPI()
        let clock = ManualClock()
        let events = recorder(api, clock: clock)
        for i in 0..<30 { events.record(pod, type: .normal, reason: "R", message: "\(i)") }
        await events.processPending()
        #expect(api.storedObjects(.events).count == 25)
        clock.advance(by: .seconds(300))
        events.record(pod, type: .normal, reason: "R", message: "a")
        events.record(pod, type: .normal, reason: "R", message: "b")
        await events.processPending()
        #expect(api.storedObjects(.events).count == 26)
    }

    @Test func clusterScopedObjectsGetEventsInDefault() async throws {
        let api = FakeKubeAPI()
        let events = recorder(api)
        let node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1", "uid": "node-uid"]]
        events.record(node, type: .normal, reason: "Ready", message: "ok")
        await events.processPending()
        let event = try #require(api.storedObjects(.events).first)
        #expect(event[path: "metadata.namespace"] == "default")
        #expect(event[path: "involvedObject.namespace"] == nil)
        #expect(event[path: "involvedObject.kind"] == "Node")
    }

    @Test func writeFailuresAreSwallowedAndLogged() async {
        let api = FakeKubeAPI()
        api.failNext(.create, with: apiError(500, "InternalError"))
        let events = recorder(api)
        events.record(pod, type: .normal, reason: "R", message: "m")
        await events.processPending()
        #expect(api.storedObjects(.events).isEmpty)
    }

    @Test func runWritesEventsRecordedLaterAndStopsOnCancel() async {
        let api = FakeKubeAPI()
        let events = recorder(api)
        let running = Task { await events.run() }
        events.record(pod, type: .normal, reason: "R", message: "m")
        running.cancel()
        await running.value
        await events.processPending()  // whatever run did not write yet
        #expect(api.storedObjects(.events).count == 1)
    }
}
