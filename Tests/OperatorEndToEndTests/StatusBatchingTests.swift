import JobFlowAPI
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

    /// An operator with the given batch period whose clock has run 30 s (long after any earlier write).
    static func settledOperator(period: Duration = .seconds(1)) throws -> (ManualClock, Operator) {
        let clock = ManualClock()
        var configuration = OperatorConfiguration(namespace: "default", identity: "x", leaderElection: false)
        configuration.statusBatchPeriod = period
        let op = try Operator(api: UnavailableAPI(), configuration: configuration, clock: clock, logger: Harness.logger("batching"))
        clock.advance(by: .seconds(30))
        return (clock, op)
    }

    /// What batching makes of a plan that writes `status` (then `also`) for `object` under `key`.
    static func plan(_ op: Operator, _ status: JSONValue, also: [Action] = [], on object: JSONValue = stored, key: String = key,
                     backlog: Int = 0) -> (actions: [Action], retryAfter: Duration?) {
        op.batched([.writeStatus(status, resourceVersion: "1")] + also, on: object, key: key, backlog: backlog)
    }

    static func writes(_ actions: [Action]) -> Bool { actions.count { $0.isStatusWrite } > 0 }

    /// A progress-only change of the stored status, and the flow finishing.
    static let podFinished = status(progress: "0/2", a: "Running", b: "Waiting").with(message: "a's pod finished")
    static let finished = status(progress: "2/2", a: "Succeed", b: "Succeed", state: "Succeed")

    @Test("a progress change is held one period from when it was first planned, then written")
    func progressIsHeldOnePeriodFromItsFirstPlan() throws {
        let (clock, op) = try Self.settledOperator()
        let first = Self.plan(op, Self.podFinished)
        #expect(!Self.writes(first.actions), "written at once: the Job's own finish would be a second write a moment later")
        #expect(first.retryAfter == .seconds(1))

        // 300 ms later the Job finished and the dependent is created: the create goes ahead, the
        // status waits for the rest of the same period.
        clock.advance(by: .milliseconds(300))
        let next = Self.plan(op, Self.status(progress: "1/2", a: "Succeed", b: "Pending"), also: [.createJob(["metadata": ["name": "f-b"]])])
        #expect(next.actions.count { $0.isJobCreate } == 1)
        #expect(!Self.writes(next.actions))
        #expect(next.retryAfter == .milliseconds(700))

        clock.advance(by: .milliseconds(700))
        let due = Self.plan(op, Self.status(progress: "1/2", a: "Succeed", b: "Running"))
        #expect(Self.writes(due.actions), "one write for the pod, the Job, the create and the new pod")
        #expect(due.retryAfter == nil)
    }

    @Test("after a write, the next progress change waits a whole period from when it is seen and at least a period from the write")
    func aWriteStartsANewBatch() throws {
        let (clock, op) = try Self.settledOperator()
        _ = Self.plan(op, Self.podFinished)
        clock.advance(by: .seconds(1))
        #expect(Self.writes(Self.plan(op, Self.podFinished).actions))
        clock.advance(by: .seconds(5))
        let later = Self.plan(op, Self.status(progress: "1/2", a: "Succeed", b: "Pending"))
        #expect(!Self.writes(later.actions))
        #expect(later.retryAfter == .seconds(1))
    }

    @Test("a change of state, the first status, or a plan that deletes a Job is written at once")
    func statesAndOrderedPlansAreNeverHeld() throws {
        let (_, op) = try Self.settledOperator()
        let finished = Self.plan(op, Self.finished)
        #expect(Self.writes(finished.actions) && finished.retryAfter == nil)

        var fresh = Self.stored
        fresh["status"] = nil
        #expect(Self.writes(Self.plan(op, Self.status(progress: "0/2", a: "Pending", b: "Waiting"), on: fresh, key: "JobFlow/default/g").actions))

        let retry = Self.plan(op, Self.status(progress: "0/2", a: "Pending", b: "Waiting"), also: [.deleteJob(name: "f-a", uid: "u1")],
                              key: "JobFlow/default/h")
        #expect(Self.writes(retry.actions) && retry.retryAfter == nil)
    }

    @Test("a change undone before it was written leaves nothing pending")
    func anUndoneChangeIsForgotten() throws {
        let (clock, op) = try Self.settledOperator()
        _ = Self.plan(op, Self.podFinished)
        clock.advance(by: .milliseconds(500))
        _ = op.batched([], on: Self.stored, key: Self.key, backlog: 0)  // the status matches the stored one again
        clock.advance(by: .seconds(10))
        let later = Self.plan(op, Self.status(progress: "1/2", a: "Succeed", b: "Pending"))
        #expect(later.retryAfter == .seconds(1), "a new batch, not one that came due 10 s ago")
    }

    @Test("while other keys wait in the queue, the hold stretches to statusMaxDelay after the last write")
    func aBacklogStretchesTheHold() throws {
        let (clock, op) = try Self.settledOperator()
        _ = Self.plan(op, Self.finished)
        clock.advance(by: .seconds(2))
        let busy = Self.plan(op, Self.status(progress: "1/2", a: "Succeed", b: "Running"), backlog: 50)
        #expect(!Self.writes(busy.actions))
        #expect(busy.retryAfter == .seconds(8))
    }

    @Test("period zero writes every change at once")
    func periodZeroTurnsBatchingOff() throws {
        let (_, op) = try Self.settledOperator(period: .zero)
        let result = Self.plan(op, Self.status(progress: "1/2", a: "Succeed", b: "Running"), backlog: 10)
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
