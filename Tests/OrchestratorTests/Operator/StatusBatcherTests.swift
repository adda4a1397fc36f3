import JobFlowAPI
import Kube
import Testing
@testable import Orchestrator

/// `StatusBatcher` as a value: plans in, actions out, time passed as a plain `Duration`.
@Suite struct StatusBatcherTests {
    static let stored: JSONValue = ["state": "Running", "progress": "0/2", "jobs": [["name": "a", "phase": "Running"]]]
    static let progress: JSONValue = ["state": "Running", "progress": "1/2", "jobs": [["name": "a", "phase": "Succeed"]]]
    static let event = EventRecord(.normal, .jobSucceeded, "Job f-a succeeded")

    func batcher(period: Duration = .seconds(1)) -> StatusBatcher { StatusBatcher(period: period, maxDelay: .seconds(10)) }

    @Test func aHeldStatusSendsItsEventOnceAndTheWriteWhenDue() {
        var b = batcher()
        let plan: [Action] = [.writeStatus(Self.progress, resourceVersion: "1"), .recordEvent(Self.event)]
        let first = b.filter(plan, stored: Self.stored, key: "k", now: .seconds(100), backlog: 0)
        #expect(first.actions == [.recordEvent(Self.event)], "the Event goes out; the status is held")
        #expect(first.retryAfter == .seconds(1))

        // Planned again before it is due: the same Event is not sent twice.
        let again = b.filter(plan, stored: Self.stored, key: "k", now: .milliseconds(100_400), backlog: 0)
        #expect(again.actions.isEmpty)
        #expect(again.retryAfter == .milliseconds(600))

        let due = b.filter(plan, stored: Self.stored, key: "k", now: .seconds(101), backlog: 0)
        #expect(due.actions == [.writeStatus(Self.progress, resourceVersion: "1")], "written; its Event was already sent")
        #expect(due.retryAfter == nil)
        #expect(b.eventsAhead["k"] == nil && b.pendingSince["k"] == nil && b.lastWrite["k"] == .seconds(101))
    }

    @Test func keysAreIndependentAndForgettable() {
        var b = batcher()
        _ = b.filter([.writeStatus(Self.progress, resourceVersion: nil)], stored: Self.stored, key: "JobFlow/ns/a", now: .seconds(1), backlog: 0)
        let other = b.filter([.writeStatus(Self.progress, resourceVersion: nil)], stored: Self.stored, key: "DaemonJob/ns/a", now: .milliseconds(1500), backlog: 0)
        #expect(other.retryAfter == .seconds(1), "its own period, not the other key's")
        b.forget("JobFlow/ns/a")
        b.forget("DaemonJob/ns/a")
        #expect(b.isEmpty)
    }

    @Test func aStatusWriteWithADeleteOrAnAnnotationRemovalIsNeverHeld() {
        var b = batcher()
        for follower in [Action.deleteJob(name: "f-a", uid: "u"), .removeAnnotation(key: Keys.retryAnnotation, expectedValue: "a")] {
            let result = b.filter([.writeStatus(Self.progress, resourceVersion: "1"), follower], stored: Self.stored, key: "k", now: .seconds(5), backlog: 3)
            #expect(result.actions.count == 2 && result.retryAfter == nil)
        }
    }

    @Test func progressOnlyMeansOnlyProgressKeysDiffer() {
        #expect(StatusBatcher.isProgressOnly(old: Self.stored, new: Self.progress))
        var finished = Self.progress
        finished["state"] = "Succeed"
        #expect(!StatusBatcher.isProgressOnly(old: Self.stored, new: finished))
        #expect(!StatusBatcher.isProgressOnly(old: nil, new: Self.progress))
    }
}
