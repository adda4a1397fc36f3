import Kube
import Testing
@testable import Orchestrator

/// The status-write batching rules (docs/operator.md, "Status-write batching"), on a manual clock:
/// which planned status writes go out at once, which are held, and until when.
@Suite("Status-write batching")
struct StatusBatchingTests {
    static let key = "JobFlow/default/f"
    static let stored: JSONValue = ["metadata": ["name": "f", "namespace": "default"],
                                    "status": ["state": "Running", "progress": "0/2",
                                               "jobs": [["name": "a", "phase": "Running"], ["name": "b", "phase": "Waiting"]]]]

    static func status(progress: String, a: String, b: String, state: String = "Running") -> JSONValue {
        ["state": .string(state), "progress": .string(progress),
         "jobs": [["name": "a", "phase": .string(a)], ["name": "b", "phase": .string(b)]]]
    }

    static func operatorUnderTest(clock: ManualClock, period: Duration = .seconds(1)) throws -> Operator {
        var configuration = OperatorConfiguration(namespace: "default", identity: "x", leaderElection: false)
        configuration.statusBatchPeriod = period
        return try Operator(api: UnavailableAPI(), configuration: configuration, clock: clock, logger: Harness.logger("batching"))
    }

    static func writes(_ actions: [Action]) -> Bool { actions.count { $0.isStatusWrite } > 0 }

    @Test("a progress change is held one period from when it was first planned, then written")
    func progressIsHeldOnePeriodFromItsFirstPlan() throws {
        let clock = ManualClock()
        let op = try Self.operatorUnderTest(clock: clock)
        clock.advance(by: .seconds(30))  // long after any earlier write
        let podDone: [Action] = [.writeStatus(Self.status(progress: "0/2", a: "Running", b: "Waiting").with(message: "a's pod finished"), resourceVersion: "1")]
        let first = op.batched(podDone, on: Self.stored, key: Self.key, backlog: 0)
        #expect(!Self.writes(first.actions), "written at once: the Job's own finish would be a second write a moment later")
        #expect(first.retryAfter == .seconds(1))

        // 300 ms later the Job finished and the dependent is created: the create goes ahead, the
        // status waits for the rest of the same period.
        clock.advance(by: .milliseconds(300))
        let job: JSONValue = ["metadata": ["name": "f-b"]]
        let next = op.batched([.writeStatus(Self.status(progress: "1/2", a: "Succeed", b: "Pending"), resourceVersion: "1"), .createJob(job)],
                              on: Self.stored, key: Self.key, backlog: 0)
        #expect(next.actions.count { $0.isJobCreate } == 1)
        #expect(!Self.writes(next.actions))
        #expect(next.retryAfter == .milliseconds(700))

        clock.advance(by: .milliseconds(700))
        let due = op.batched([.writeStatus(Self.status(progress: "1/2", a: "Succeed", b: "Running"), resourceVersion: "1")],
                             on: Self.stored, key: Self.key, backlog: 0)
        #expect(Self.writes(due.actions), "one write for the pod, the Job, the create and the new pod")
        #expect(due.retryAfter == nil)
    }

    @Test("after a write, the next progress change waits a whole period from when it is seen and at least a period from the write")
    func aWriteStartsANewBatch() throws {
        let clock = ManualClock()
        let op = try Self.operatorUnderTest(clock: clock)
        clock.advance(by: .seconds(30))
        _ = op.batched([.writeStatus(Self.status(progress: "0/2", a: "Running", b: "Waiting").with(message: "x"), resourceVersion: "1")],
                       on: Self.stored, key: Self.key, backlog: 0)
        clock.advance(by: .seconds(1))
        #expect(Self.writes(op.batched([.writeStatus(Self.status(progress: "0/2", a: "Running", b: "Waiting").with(message: "x"), resourceVersion: "1")],
                                       on: Self.stored, key: Self.key, backlog: 0).actions))
        clock.advance(by: .seconds(5))
        let later = op.batched([.writeStatus(Self.status(progress: "1/2", a: "Succeed", b: "Pending"), resourceVersion: "2")],
                               on: Self.stored, key: Self.key, backlog: 0)
        #expect(!Self.writes(later.actions))
        #expect(later.retryAfter == .seconds(1))
    }

    @Test("a change of state, the first status, or a plan that deletes a Job is written at once")
    func statesAndOrderedPlansAreNeverHeld() throws {
        let clock = ManualClock()
        let op = try Self.operatorUnderTest(clock: clock)
        clock.advance(by: .seconds(30))
        let finished = op.batched([.writeStatus(Self.status(progress: "2/2", a: "Succeed", b: "Succeed", state: "Succeed"), resourceVersion: "1")],
                                  on: Self.stored, key: Self.key, backlog: 0)
        #expect(Self.writes(finished.actions) && finished.retryAfter == nil)

        var fresh = Self.stored
        fresh["status"] = nil
        #expect(Self.writes(op.batched([.writeStatus(Self.status(progress: "0/2", a: "Pending", b: "Waiting"), resourceVersion: "1")],
                                       on: fresh, key: "JobFlow/default/g", backlog: 0).actions))

        let retry = op.batched([.writeStatus(Self.status(progress: "0/2", a: "Pending", b: "Waiting"), resourceVersion: "1"),
                                .deleteJob(name: "f-a", uid: "u1")], on: Self.stored, key: "JobFlow/default/h", backlog: 0)
        #expect(Self.writes(retry.actions) && retry.retryAfter == nil)
    }

    @Test("a change undone before it was written leaves nothing pending")
    func anUndoneChangeIsForgotten() throws {
        let clock = ManualClock()
        let op = try Self.operatorUnderTest(clock: clock)
        clock.advance(by: .seconds(30))
        _ = op.batched([.writeStatus(Self.status(progress: "0/2", a: "Running", b: "Waiting").with(message: "x"), resourceVersion: "1")],
                       on: Self.stored, key: Self.key, backlog: 0)
        clock.advance(by: .milliseconds(500))
        _ = op.batched([], on: Self.stored, key: Self.key, backlog: 0)  // the status matches the stored one again
        clock.advance(by: .seconds(10))
        let later = op.batched([.writeStatus(Self.status(progress: "1/2", a: "Succeed", b: "Pending"), resourceVersion: "1")],
                               on: Self.stored, key: Self.key, backlog: 0)
        #expect(later.retryAfter == .seconds(1), "a new batch, not one that came due 10 s ago")
    }

    @Test("while other keys wait in the queue, the hold stretches to statusMaxDelay after the last write")
    func aBacklogStretchesTheHold() throws {
        let clock = ManualClock()
        let op = try Self.operatorUnderTest(clock: clock)
        clock.advance(by: .seconds(30))
        _ = op.batched([.writeStatus(Self.status(progress: "2/2", a: "Succeed", b: "Succeed", state: "Succeed"), resourceVersion: "1")],
                       on: Self.stored, key: Self.key, backlog: 0)
        clock.advance(by: .seconds(2))
        let busy = op.batched([.writeStatus(Self.status(progress: "1/2", a: "Succeed", b: "Running"), resourceVersion: "2")],
                              on: Self.stored, key: Self.key, backlog: 50)
        #expect(!Self.writes(busy.actions))
        #expect(busy.retryAfter == .seconds(8))
    }

    @Test("period zero writes every change at once")
    func periodZeroTurnsBatchingOff() throws {
        let clock = ManualClock()
        let op = try Self.operatorUnderTest(clock: clock, period: .zero)
        let result = op.batched([.writeStatus(Self.status(progress: "1/2", a: "Succeed", b: "Running"), resourceVersion: "1")],
                                on: Self.stored, key: Self.key, backlog: 10)
        #expect(Self.writes(result.actions) && result.retryAfter == nil)
    }
}

private extension JSONValue {
    func with(message: String) -> JSONValue {
        var copy = self
        copy["message"] = .string(message)
        return copy
    }
}
