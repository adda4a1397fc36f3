import JobFlowAPI
import Testing

/// The one retry/cancel rule, on plain values.
@Suite struct RequestPreviewTests {
    typealias Unit = RequestSubject.Unit

    /// a → b → d, c → d (d needs b and c), e independent.
    func flow(_ phases: [String: EntryPhase], policy: FailurePolicy = .continue, reasons: [String: EntryReason] = [:]) -> RequestSubject {
        let deps = ["a": [], "b": ["a"], "c": [], "d": ["b", "c"], "e": [String]()]
        return RequestSubject(kind: .jobFlow, units: ["a", "b", "c", "d", "e"].map {
            Unit(name: $0, phase: phases[$0] ?? .waiting, reason: reasons[$0], dependencies: deps[$0]!, attempts: phases[$0] == nil ? 0 : 1)
        }, failurePolicy: policy)
    }

    func retry(_ names: String, _ subject: RequestSubject) -> RequestPreview {
        RequestPreview(.retry, targets: RequestTargets(parsing: names), on: subject)
    }

    @Test func retryingASkippedEntryRetriesItsRootCauses() {
        let s = flow(["a": .failed, "b": .skipped, "c": .succeed, "d": .skipped, "e": .succeed])
        let p = retry("d", s)
        #expect(p.applied == ["a"])
        #expect(p.rootCauses == [.init(skipped: "d", causes: ["a"])])
        #expect(p.runnableDependents == ["b", "d"])
        #expect(p.nextAttempt["a"] == 2)
        #expect(p.nothingToDo() == nil)
        #expect(p.describe() == ["d was skipped because of a", "a runs again (attempt 2)", "dependents that will run again: b, d"])
    }

    @Test func aSkippedEntryWithTwoFailedCausesRetriesBoth() {
        let s = flow(["a": .failed, "b": .skipped, "c": .cancelled, "d": .skipped])
        let p = retry("d", s)
        #expect(p.applied == ["a", "c"])
        #expect(p.runnableDependents == ["b", "d"])
    }

    @Test func retryingOneOfTwoCausesSaysWhatStaysSkipped() {
        let s = flow(["a": .failed, "b": .skipped, "c": .failed, "d": .skipped])
        let p = retry("a", s)
        #expect(p.applied == ["a"])
        #expect(p.runnableDependents == ["b"])
        #expect(p.stillBlocked == [.init(name: "d", blockers: ["c"])])
        #expect(p.describe().contains("stays Skipped: d (c still is Failed or Cancelled)"))
    }

    @Test func succeededRunningAndWaitingEntriesAreRefused() {
        let s = flow(["a": .succeed, "b": .running, "c": .waiting])
        for name in ["a", "b", "c"] {
            let p = retry(name, s)
            #expect(p.changesNothing)
            #expect(p.refusals.count == 1)
        }
        #expect(retry("a", s).nothingToDo() == "nothing to retry: a is Succeed")
        #expect(retry("zz", s).nothingToDo() == #"nothing to retry: no flow entry named "zz""#)
        #expect(retry("*", s).nothingToDo() == "nothing to retry: no failed, cancelled or skipped entries")
    }

    @Test func failFastHeldEntriesAreReleasedOnlyWhenNoFailureIsLeft() {
        let held: [String: EntryReason] = ["e": .failFast]
        let one = flow(["a": .failed, "b": .skipped, "c": .succeed, "d": .skipped, "e": .skipped], policy: .failFast, reasons: held)
        let p = retry("a", one)
        #expect(p.released == ["e"])
        #expect(p.describe().contains("held back by FailFast, will start too: e"))
        // Naming the held entry retries the failure that stopped the flow.
        #expect(retry("e", one).applied == ["a"])

        let two = flow(["a": .failed, "b": .skipped, "c": .failed, "d": .skipped, "e": .skipped], policy: .failFast, reasons: held)
        let q = retry("a", two)
        #expect(q.released.isEmpty)
        #expect(q.stillBlocked.map(\.name).contains("e"))
    }

    @Test func retryAllRunsEveryFailureAndNamesWhatFollows() {
        let s = flow(["a": .failed, "b": .skipped, "c": .succeed, "d": .skipped, "e": .cancelled])
        let p = retry("*", s)
        #expect(p.applied == ["a", "e"])
        #expect(p.describe() == ["will run again: a, b, d, e"])
    }

    @Test func cancelStopsUnfinishedEntriesAndSkipsTheirDependents() {
        let s = flow(["a": .running, "c": .succeed, "e": .succeed])
        let p = RequestPreview(.cancel, targets: RequestTargets(parsing: "a"), on: s)
        #expect(p.applied == ["a"])
        #expect(p.skipped == ["b", "d"])
        #expect(p.describe() == ["a is stopped (its Job and pod deleted)", "dependents that will be skipped: b, d"])
        let done = RequestPreview(.cancel, targets: RequestTargets(parsing: "c"), on: s)
        #expect(done.nothingToDo() == "nothing to cancel: c is Succeed")
        let finished = flow(["a": .succeed, "b": .succeed, "c": .succeed, "d": .failed, "e": .skipped])
        #expect(RequestPreview(.cancel, targets: RequestTargets(parsing: "*"), on: finished).nothingToDo() == "nothing to cancel: every entry has finished")
    }

    @Test func daemonJobNodesAreIndependent() {
        let s = RequestSubject(kind: .daemonJob, units: [
            Unit(name: "node-a", phase: .failed, attempts: 1), Unit(name: "node-b", phase: .running, attempts: 1),
        ])
        #expect(retry("*", s).describe() == ["nodes whose Job runs again: node-a"])
        #expect(retry("node-b", s).nothingToDo() == "nothing to retry: node node-b is Running")
        #expect(RequestPreview(.cancel, targets: RequestTargets(parsing: "*"), on: s).describe() == ["nodes whose Job is stopped: node-b"])
    }

    @Test func longListsAreCountedNotCut() {
        let units = (0..<30).map { Unit(name: "n\($0)", phase: .failed, attempts: 1) }
        let p = retry("*", RequestSubject(kind: .daemonJob, units: units))
        #expect(p.describe(limit: 8) == ["nodes whose Job runs again: n0, n1, n2, n3, n4, n5, n6, n7 and 22 more"])
    }

    @Test func aSubjectIsReadFromAStoredObject() {
        let object: JSONValue = [
            "kind": "JobFlow",
            "spec": ["flows": [["name": "x", "jobTemplate": [:]], ["name": "y", "dependencies": ["x"], "jobTemplate": [:]]]],
            "status": ["jobs": [["name": "x", "jobName": "f-x", "phase": "Failed", "attempts": 1],
                                ["name": "y", "jobName": "f-y", "phase": "Skipped", "attempts": 0]]],
        ]
        let s = RequestSubject(object: object)
        #expect(s?.units.map(\.dependencies) == [[], ["x"]])
        #expect(s.map { retry("y", $0).applied } == ["x"])
    }
}

import Kube
