import JobFlowAPI
import Foundation
import Kube
import Testing
@testable import Orchestrator

@Suite struct FlowPlannerTests {
    func seedWorld() throws -> World {
        World(try Fixtures.example("jobflow-example.yaml")[0])
    }

    @Test func seedFlowFirstPlanCreatesTheRootsOnly() throws {
        let world = try seedWorld()
        let plan = world.plan()
        guard case .writeStatus(let status, _) = plan.actions.first else { Issue.record("status first"); return }
        #expect(plan.createdJobs.map { $0[path: "metadata.name"]!.stringValue! } == ["jobflow-example-job1", "jobflow-example-job4"])
        #expect(status["state"] == "Running")
        #expect(status["progress"] == "0/5")
        let job1 = plan.createdJobs[0]
        #expect(job1[path: "spec.template.spec.nodeName"] == "minikube")
        #expect(job1[path: "spec.template.spec.containers"]?[0]?["env"] == [["name": "FOO", "value": "bar"], ["name": "QUE", "value": "pasa"]])
        #expect(job1[path: "metadata.labels"]?["key1"] == "value1")
        #expect(plan.events.filter { $0.reason == "JobCreated" }.count == 2)
        let job3 = status["jobs"]?.arrayValue?.first { $0["name"] == "job3" }
        #expect(job3?["phase"] == "Waiting")
        #expect(job3?["message"] == "waiting for job1, job2")
    }

    @Test func seedFlowRunsToSuccessInDependencyOrder() throws {
        var w = try seedWorld()
        w.step()
        #expect(w.created == ["jobflow-example-job1", "jobflow-example-job4"])
        w.run("job1")
        w.step()
        #expect(w.phase("job1") == "Running")
        #expect(w.entry("job1")?["podName"] == "jobflow-example-job1-pod")
        #expect(w.entry("job1")?["nodeName"] == "node-a")
        w.finish("job1", succeeded: true)
        w.finish("job4", succeeded: true)
        w.step()
        #expect(w.created.suffix(1) == ["jobflow-example-job2"])
        #expect(w.status?["progress"] == "2/5")
        w.finish("job2", succeeded: true)
        w.step()
        #expect(Set(w.created.suffix(2)) == ["jobflow-example-job3", "jobflow-example-job5"])
        w.finish("job3", succeeded: true)
        w.finish("job5", succeeded: true)
        w.step()
        #expect(w.state == "Succeed")
        #expect(w.status?["progress"] == "5/5")
        #expect(w.status?["completionTime"] != nil)
        #expect(w.events.contains { $0.reason == "FlowSucceeded" })
        // Nothing changed: no status write, no action at all.
        #expect(w.plan().actions.isEmpty)
    }

    @Test func unchangedWorldWritesNothing() throws {
        var w = try seedWorld()
        w.step()
        w.run("job1")
        w.step()
        #expect(w.plan().actions.isEmpty)
    }

    @Test func existingJobIsAdoptedNotCreatedTwice() throws {
        var w = try seedWorld()
        let first = w.plan()
        for job in first.createdJobs { w.apply(.createJob(job)) }  // operator died before writing status
        let second = w.plan()
        #expect(second.createdJobs.isEmpty)
        guard case .writeStatus(let status, _) = second.actions.first else { Issue.record("status"); return }
        #expect(status["jobs"]?[0]?["jobUID"] == "job-uid-1")
    }

    @Test func staleCacheRecreateIsHarmless() throws {
        var w = try seedWorld()
        let p = w.step()
        // The cache has not seen the Jobs yet: the planner asks again and AlreadyExists is ignored.
        let jobs = w.jobs
        w.jobs = [:]
        let again = w.plan()
        #expect(again.createdJobs.count == 2)
        #expect(again.events.filter { $0.reason == "JobCreated" }.isEmpty)
        w.jobs = jobs
        #expect(p.createdJobs.count == 2)
    }

    @Test func continueKeepsIndependentBranchesGoing() {
        var w = World(Fixtures.flow([("a", []), ("b", ["a"]), ("c", ["b"]), ("d", [])]))
        w.step()
        w.finish("a", succeeded: false)
        w.step()
        #expect(w.phase("b") == "Skipped")
        #expect(w.entry("b")?["message"] == "a failed")
        #expect(w.phase("c") == "Skipped")
        #expect(w.entry("c")?["message"] == "a failed (via b)")
        #expect(w.phase("d") == "Running" || w.phase("d") == "Pending")
        #expect(w.state == "Running")
        w.finish("d", succeeded: true)
        w.step()
        #expect(w.state == "Failed")
        #expect(w.events.contains { $0.reason == "FlowFailed" })
        #expect(w.entry("a")?["exitCode"] == 1)
        #expect(w.entry("a")?["reason"] == "BackoffLimitExceeded")
    }

    @Test func failFastStartsNothingNewButLetsRunningFinish() {
        var w = World(Fixtures.flow([("a", []), ("b", []), ("c", ["b"]), ("d", ["a"])], policy: "FailFast"))
        w.step()
        w.run("b")
        w.finish("a", succeeded: false)
        w.step()
        #expect(w.phase("d") == "Skipped")
        #expect(w.phase("b") == "Running")
        #expect(w.jobs[w.jobName("b")] != nil)
        w.finish("b", succeeded: true)
        w.step()
        #expect(w.phase("c") == "Skipped")
        #expect(w.entry("c")?["reason"] == "FailFast")
        #expect(w.jobs[w.jobName("c")] == nil)
        #expect(w.state == "Failed")
    }

    @Test func missingTemplateWaitsThenProceeds() throws {
        let docs = try Fixtures.example("jobflow-example-template.yaml")
        var w = World(docs[2])
        w.step()
        #expect(w.phase("job1") == "Waiting")
        #expect(w.entry("job1")?["reason"] == "TemplateNotFound")
        #expect(w.events.filter { $0.reason == "TemplateMissing" }.count == 1)
        w.step()
        #expect(w.events.filter { $0.reason == "TemplateMissing" }.count == 1)  // not repeated
        w.templates["job1-template"] = docs[0]
        w.step()
        #expect(w.created == ["jobflow-example-template-job1"])
        #expect(w.jobs["jobflow-example-template-job1"]?[path: "spec.template.spec.containers"]?[0]?["env"]?.arrayValue?.count == 2)
    }

    @Test func invalidFlowCreatesNothingAndSaysWhy() throws {
        let w = World(try Fixtures.example("jobflow-example-error.yaml")[0])
        let plan = w.plan()
        #expect(plan.createdJobs.isEmpty)
        #expect(plan.status["state"] == "Failed")
        let valid = plan.status["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
        #expect(valid?["status"] == "False")
        #expect(valid?["reason"] == "UnknownDependency")
        #expect(valid?["message"] == #"spec.flows[2].dependencies[1]: unknown flow entry "job2""#)
        #expect(plan.events.map(\.reason).contains("ValidationFailed"))
        // Every entry says why it never starts, including those behind a dependency: in an invalid
        // flow "waiting for job1" would promise a start that never comes.
        for entry in plan.status["jobs"]?.arrayValue ?? [] {
            #expect(entry["phase"] == "Waiting")
            #expect(entry["reason"] == "FlowInvalid")
            #expect(entry["message"] == "not started: the spec is invalid")
        }
        #expect(plan.status["jobs"]?.arrayValue?.count == 4)
    }

    @Test func jobDeletedBySomeoneElseIsReportedNotRecreated() throws {
        var w = try seedWorld()
        w.step()
        w.run("job1")
        w.step()
        w.jobs[w.jobName("job1")] = nil
        let plan = w.step()
        #expect(plan.createdJobs.isEmpty)
        #expect(w.phase("job1") == "Failed")
        #expect(w.entry("job1")?["reason"] == "JobDeleted")
        #expect(w.phase("job2") == "Skipped")
        #expect(w.events.contains { $0.reason == "JobDeleted" })
    }

    @Test func finishedJobRemovedByTTLKeepsItsOutcome() throws {
        var w = try seedWorld()
        w.step()
        w.finish("job1", succeeded: true)
        w.step()
        w.jobs[w.jobName("job1")] = nil
        w.step()
        #expect(w.phase("job1") == "Succeed")
    }

    @Test func foreignJobWithOurNameIsAConflict() throws {
        var w = try seedWorld()
        w.jobs["jobflow-example-job1"] = ["metadata": ["name": "jobflow-example-job1", "uid": "x",
                                                        "ownerReferences": [["kind": "CronJob", "name": "other", "uid": "zzz", "controller": true]]]]
        w.step()
        #expect(w.phase("job1") == "Waiting")
        #expect(w.entry("job1")?["reason"] == "JobConflict")
        #expect(w.created == ["jobflow-example-job4"])
        #expect(w.events.contains { $0.reason == "JobConflict" })
    }

    @Test func specEditAddsAndRemovesEntries() {
        var w = World(Fixtures.flow([("a", []), ("b", [])]))
        w.step()
        w.run("b")
        // Remove b, add c after a.
        w.object["spec"] = Fixtures.flow([("a", []), ("c", ["a"])])["spec"]
        w.object[path: "metadata.generation"] = 2
        w.step()
        #expect(w.jobs[w.jobName("b")] != nil)  // left alone
        #expect(w.deleted.isEmpty)
        #expect(w.status?["orphanedJobs"] == [["jobName": "flow-b", "name": "b", "phase": "Running"]])
        #expect(w.events.contains { $0.reason == "OrphanedJob" })
        #expect(w.status?["observedGeneration"] == 2)
        #expect(w.phase("c") == "Waiting")
        w.finish("a", succeeded: true)
        w.step()
        #expect(w.created.contains("flow-c"))
        #expect(w.status?["progress"] == "1/2")
    }

    @Test func terminatingFlowStartsNothing() {
        var w = World(Fixtures.flow([("a", [])]))
        w.object[path: "metadata.deletionTimestamp"] = "2023-11-14T22:13:20Z"
        let plan = w.plan()
        #expect(plan.createdJobs.isEmpty)
        #expect(plan.status["state"] == "Terminating")
    }

    @Test func conditionsKeepTheirTransitionTime() {
        var w = World(Fixtures.flow([("a", []), ("b", [])]))
        w.step()
        let before = w.status?["conditions"]
        w.clock += 100
        w.run("a")
        w.step()
        #expect(w.status?["conditions"]?[0] == before?[0])  // Valid did not change
    }
}

@Suite struct FailFastChainTests {
    @Test func entriesBehindAFailFastSkipNameTheFailure() {
        var w = World(Fixtures.flow([("a", []), ("b", []), ("c", ["b"]), ("d", ["c"])], policy: "FailFast"))
        w.step()
        w.finish("a", succeeded: false)
        w.finish("b", succeeded: true)
        w.step()
        #expect(w.entry("c")?["reason"] == "FailFast")
        #expect(w.phase("d") == "Skipped")
        #expect(w.entry("d")?["message"] == "a failed (via c)")
        #expect(w.state == "Failed")
    }
}

@Suite struct RestartTests {
    @Test func lostStatusIsRebuiltFromTheJobsWithoutDuplicates() throws {
        var w = World(try Fixtures.example("jobflow-example.yaml")[0])
        w.step()
        w.finish("job1", succeeded: true)
        w.finish("job4", succeeded: true)
        w.step()
        w.run("job2")
        w.step()
        let created = w.created
        w.object["status"] = nil  // a new operator with an empty status
        w.settle()
        #expect(w.created == created)
        #expect(w.phase("job1") == "Succeed")
        #expect(w.phase("job2") == "Running")
        #expect(w.phase("job3") == "Waiting")
        #expect(w.status?["progress"] == "2/5")
    }

    @Test func retriedJobAdoptedAtItsAttemptAfterStatusLoss() {
        var w = World(Fixtures.flow([("a", [])]))
        w.step()
        w.finish("a", succeeded: false)
        w.step()
        w.annotate(Keys.retryAnnotation, "a")
        w.settle()
        w.object["status"] = nil
        w.settle()
        #expect(w.entry("a")?["attempts"] == 2)
        #expect(w.created.count == 2)
    }

    @Test func cancellingAWaitingEntrySkipsItsDependents() {
        var w = World(Fixtures.flow([("a", []), ("b", ["a"]), ("c", ["b"])]))
        w.step()
        w.annotate(Keys.cancelAnnotation, "b")
        w.settle()
        #expect(w.phase("b") == "Cancelled")
        #expect(w.entry("c")?["reason"] == "UpstreamCancelled")
        w.finish("a", succeeded: true)
        w.step()
        #expect(w.created == ["flow-a"])
        #expect(w.state == "Cancelled")
    }
}

@Suite struct ObservedJobTests {
    @Test func podsOfAnEarlierAttemptAreIgnored() {
        let job: JSONValue = ["metadata": ["name": "f-a", "uid": "new"], "status": ["active": 1]]
        let oldPod: JSONValue = ["metadata": ["name": "f-a-old", "labels": ["job-name": "f-a", "controller-uid": "old"],
                                              "ownerReferences": [["uid": "old", "controller": true]]],
                                 "status": ["phase": "Running"]]
        let newPod: JSONValue = ["metadata": ["name": "f-a-new", "labels": ["job-name": "f-a"],
                                              "ownerReferences": [["uid": "new", "controller": true]]],
                                 "spec": ["nodeName": "n1"], "status": ["phase": "Pending"]]
        let observed = ObservedJob(job: job, pods: [oldPod, newPod])
        #expect(observed?.podName == "f-a-new")
        #expect(observed?.phase == .pending)
        #expect(observed?.nodeName == "n1")
    }

    @Test func failedConditionGivesReasonAndExitCode() {
        let job: JSONValue = ["metadata": ["name": "j", "uid": "u"],
                              "status": ["conditions": [["type": "FailureTarget", "status": "True", "reason": "DeadlineExceeded", "message": "too slow"]]]]
        let pod: JSONValue = ["metadata": ["name": "p", "ownerReferences": [["uid": "u", "controller": true]]],
                              "status": ["phase": "Failed", "containerStatuses": [["name": "a", "state": ["terminated": ["exitCode": 0]]],
                                                                                   ["name": "b", "state": ["terminated": ["exitCode": 137]]]]]]
        let observed = ObservedJob(job: job, pods: [pod])
        #expect(observed?.phase == .failed)
        #expect(observed?.reason == "DeadlineExceeded")
        #expect(observed?.message == "too slow")
        #expect(observed?.exitCode == 137)
    }
}

@Suite struct CollisionTests {
    @Test func twoFlowsWantingTheSameJobNameConflictInsteadOfSharing() {
        var first = World(Fixtures.flow([("b-c", [])], name: "a"))
        first.step()
        var second = World(Fixtures.flow([("c", [])], name: "a-b"))
        second.object[path: "metadata.uid"] = "other-uid"
        second.jobs = first.jobs
        second.step()
        #expect(second.created.isEmpty)
        #expect(second.entry("c")?["reason"] == "JobConflict")
        #expect(second.entry("c")?["message"]?.stringValue?.contains("JobFlow a") == true)
    }
}
