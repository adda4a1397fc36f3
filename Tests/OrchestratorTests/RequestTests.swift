import JobFlowAPI
import Foundation
import Kube
import Testing
@testable import Orchestrator

/// Retry and cancel are carried out exactly once, whatever action the operator died after.
@Suite struct RequestTests {
    /// a → b; a failed on attempt 1, so b is skipped.
    func failedWorld() -> World {
        var w = World(Fixtures.flow([("a", []), ("b", ["a"])]))
        w.step()
        w.finish("a", succeeded: false)
        w.step()
        return w
    }

    func attempts(_ w: World, _ name: String) -> Int64? { w.entry(name)?["attempts"]?.intValue }

    @Test func retryRunsTheFailedEntryAgainAndKeepsThePreviousOutcome() {
        var w = failedWorld()
        #expect(w.phase("b") == "Skipped")
        w.annotate(Keys.retryAnnotation, "a")
        let plan = w.plan()
        guard case .writeStatus = plan.actions.first else { Issue.record("the record is written first"); return }
        #expect(plan.deletedJobs == ["flow-a"])
        #expect(plan.actions.last == .removeAnnotation(key: Keys.retryAnnotation, expectedValue: "a"))
        w.settle()
        #expect(attempts(w, "a") == 2)
        #expect(w.jobs["flow-a"]?[path: "metadata.annotations"]?[Keys.attemptAnnotation] == "2")
        #expect(w.entry("a")?["previous"]?["phase"] == "Failed")
        #expect(w.entry("a")?["previous"]?["exitCode"] == 1)
        #expect(w.entry("a")?["previous"]?["attempt"] == 1)
        #expect(w.phase("b") == "Waiting")
        #expect(w.status?["handledRequests"] == nil)
        #expect(w.object[path: "metadata.annotations"]?[Keys.retryAnnotation] == nil)
        w.finish("a", succeeded: true)
        w.step()
        #expect(w.created.last == "flow-b")
    }

    @Test func retryIsDoneExactlyOnceWhateverStepTheOperatorDiedAfter() {
        var base = failedWorld()
        base.annotate(Keys.retryAnnotation, "a")
        let plan = base.plan()
        for k in 0...plan.actions.count {
            var w = base
            for action in plan.actions.prefix(k) { w.apply(action) }
            // Restart: a new operator replays the planner on what it finds.
            w.settle()
            #expect(attempts(w, "a") == 2, "died after \(k) actions")
            #expect(w.created.filter { $0 == "flow-a" }.count == 2, "died after \(k) actions")  // attempt 1 and 2
            #expect(w.deleted == ["flow-a"], "died after \(k) actions")
            #expect(w.object[path: "metadata.annotations"]?[Keys.retryAnnotation] == nil)
            #expect(w.status?["handledRequests"] == nil)
            #expect(w.events.filter { $0.reason == "Retried" }.count <= 1)
        }
    }

    @Test func everyPrefixOfEveryLaterPlanIsAlsoSafe() {
        // Die after each action of each plan along the way, not only the first.
        var w = failedWorld()
        w.annotate(Keys.retryAnnotation, "a")
        for round in 0..<4 {
            let plan = w.plan()
            for k in 0...plan.actions.count {
                var crashed = w
                for action in plan.actions.prefix(k) { crashed.apply(action) }
                crashed.settle()
                #expect(attempts(crashed, "a") == 2, "round \(round), k \(k)")
                #expect(crashed.jobs["flow-a"]?[path: "metadata.annotations"]?[Keys.attemptAnnotation] == "2")
            }
            for action in plan.actions { w.apply(action) }
        }
    }

    @Test func theSameRequestWrittenAgainLaterRetriesAgain() {
        var w = failedWorld()
        w.annotate(Keys.retryAnnotation, "a")
        w.settle()
        w.finish("a", succeeded: false)
        w.step()
        w.annotate(Keys.retryAnnotation, "a")
        w.settle()
        #expect(attempts(w, "a") == 3)
        #expect(w.entry("a")?["previous"]?["attempt"] == 2)
    }

    @Test func retryOfAnEntryThatIsNotFailedIsANoOpWithAnEvent() {
        var w = World(Fixtures.flow([("a", [])]))
        w.step()
        w.run("a")
        w.step()
        w.annotate(Keys.retryAnnotation, "a, nope")
        w.settle()
        #expect(attempts(w, "a") == 1)
        #expect(w.deleted.isEmpty)
        #expect(w.events.filter { $0.reason == "RetryIgnored" }.count == 2)
        #expect(w.object[path: "metadata.annotations"]?[Keys.retryAnnotation] == nil)
    }

    @Test func cancelStopsTheEntrySkipsDependentsAndIsRetryable() {
        var w = World(Fixtures.flow([("a", []), ("b", ["a"]), ("c", [])]))
        w.step()
        w.run("a")
        w.step()
        w.annotate(Keys.cancelAnnotation, "a")
        let plan = w.plan()
        for k in 0...plan.actions.count {
            var crashed = w
            for action in plan.actions.prefix(k) { crashed.apply(action) }
            crashed.settle()
            #expect(crashed.phase("a") == "Cancelled", "k \(k)")
            #expect(crashed.deleted == ["flow-a"], "k \(k)")
            #expect(crashed.phase("b") == "Skipped")
            #expect(crashed.entry("b")?["message"] == "a was cancelled")
        }
        w.settle()
        w.finish("c", succeeded: true)
        w.step()
        #expect(w.state == "Cancelled")
        w.annotate(Keys.retryAnnotation, "a")
        w.settle()
        #expect(attempts(w, "a") == 2)
        #expect(w.entry("a")?["previous"]?["phase"] == "Cancelled")
        #expect(w.phase("b") == "Waiting")
        #expect(w.state == "Running")
    }

    @Test func cancelAllCancelsTheFlow() {
        var w = World(Fixtures.flow([("a", []), ("b", ["a"]), ("c", [])]))
        w.step()
        w.finish("c", succeeded: true)
        w.step()
        w.annotate(Keys.cancelAnnotation, "*")
        w.settle()
        #expect(w.state == "Cancelled")
        #expect(w.phase("a") == "Cancelled")
        #expect(w.phase("b") == "Cancelled")
        #expect(w.phase("c") == "Succeed")
        #expect(w.jobs["flow-a"] == nil)
        #expect(w.events.contains { $0.reason == "FlowCancelled" })
        // Retry everything: the flow runs again.
        w.annotate(Keys.retryAnnotation, "*")
        w.settle()
        #expect(w.state == "Running")
        #expect(w.jobs["flow-a"] != nil)
    }

    @Test func requestTargetsAreParsedTolerantly() {
        let t = RequestTargets(parsing: " a,,b , a ")
        #expect(t.names == ["a", "b"])
        #expect(!t.all)
        #expect(RequestTargets(parsing: "*").includes("anything"))
    }
}

@Suite struct FailFastRetryTests {
    @Test func retryingTheFailureLetsFailFastSkippedEntriesRun() {
        var w = World(Fixtures.flow([("a", []), ("b", []), ("c", ["b"])], policy: "FailFast"))
        w.step()
        w.finish("a", succeeded: false)
        w.finish("b", succeeded: true)
        w.step()
        #expect(w.entry("c")?["reason"] == "FailFast")
        #expect(w.state == "Failed")
        w.annotate(Keys.retryAnnotation, "a")
        w.settle()
        #expect(w.jobs["flow-c"] != nil)
        #expect(w.state == "Running")
        #expect(w.status?["completionTime"] == nil)
    }

    @Test func actionsDescribeThemselvesForLogs() {
        #expect(Action.deleteJob(name: "j", uid: "u").description == "deleteJob j uid=u")
        #expect(Action.removeAnnotation(key: "k", expectedValue: "v").description == "removeAnnotation k=v")
    }
}
