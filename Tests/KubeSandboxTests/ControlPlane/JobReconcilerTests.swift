import Foundation
import Kube
import Testing
@testable import KubeSandbox

@Suite struct JobReconcilerTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func job(_ spec: JSONValue = .emptyObject, status: JSONValue? = nil, restartPolicy: String = "Never") -> JSONValue {
        var s = spec
        s["template"] = ["metadata": ["labels": ["app": "x"]],
                         "spec": ["restartPolicy": .string(restartPolicy), "containers": [["name": "c", "image": "busybox"]]]]
        var j: JSONValue = ["metadata": ["name": "pi", "namespace": "ns", "uid": "job-uid"], "spec": s]
        if let status { j["status"] = status }
        return j
    }

    func pod(_ name: String, phase: String, finalizer: Bool = true, finishedAt: Date? = nil, ready: Bool = false,
             restarts: Int = 0, deleting: Bool = false) -> JSONValue {
        var p: JSONValue = ["metadata": ["name": .string(name), "uid": .string("uid-\(name)"), "creationTimestamp": .string(name)],
                            "status": ["phase": .string(phase)]]
        if finalizer { p[path: "metadata.finalizers"] = [.string(JobReconciler.trackingFinalizer)] }
        if deleting { p[path: "metadata.deletionTimestamp"] = .string(KubeTimestamp.time(t0)) }
        var cs: JSONValue = ["name": "c", "restartCount": .int(Int64(restarts))]
        if let finishedAt { cs["state"] = ["terminated": ["exitCode": phase == "Succeeded" ? 0 : 1, "finishedAt": .string(KubeTimestamp.time(finishedAt))]] }
        p[path: "status.containerStatuses"] = [cs]
        if ready { p[path: "status.conditions"] = [["type": "Ready", "status": "True"]] }
        return p
    }

    func types(_ status: JSONValue?) -> [String] {
        (status?["conditions"]?.arrayValue ?? []).compactMap { c in
            c["status"] == "True" ? c["type"]?.stringValue : nil
        }
    }

    @Test func createsPodsUpToParallelism() {
        let r = JobReconciler.reconcile(job: job(["parallelism": 3, "completions": 5]), pods: [], now: t0, speed: 1)
        #expect(r.createPods.count == 3)
        let p = r.createPods[0]
        #expect(p[path: "metadata.generateName"] == "pi-")
        #expect(p[path: "metadata.labels"] == ["app": "x", "batch.kubernetes.io/controller-uid": "job-uid", "batch.kubernetes.io/job-name": "pi",
                                               "controller-uid": "job-uid", "job-name": "pi"])
        #expect(p[path: "metadata.ownerReferences"] == [["apiVersion": "batch/v1", "kind": "Job", "name": "pi", "uid": "job-uid",
                                                        "controller": true, "blockOwnerDeletion": true]])
        #expect(p[path: "metadata.finalizers"] == ["batch.kubernetes.io/job-tracking"])
        #expect(r.status?["startTime"] == .string(KubeTimestamp.time(t0)))
        #expect(r.status?["uncountedTerminatedPods"] == .emptyObject)
        // With two of five done and one active, two more are wanted.
        let r2 = JobReconciler.reconcile(job: job(["parallelism": 3, "completions": 5], status: ["succeeded": 2, "startTime": "2023-11-14T22:13:20Z"]),
                                         pods: [pod("a", phase: "Running", ready: true)], now: t0, speed: 1)
        #expect(r2.createPods.count == 2)
        #expect(r2.status?["active"] == 1)
        #expect(r2.status?["ready"] == 1)
    }

    @Test func successGoesThroughTrackingThenConditions() {
        // Round 1: the pod finished: its UID becomes uncounted, its finalizer is to be removed.
        let j = job(status: ["startTime": "2023-11-14T22:13:20Z"])
        let r1 = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Succeeded", finishedAt: t0)], now: t0, speed: 1)
        #expect(r1.status?[path: "uncountedTerminatedPods.succeeded"] == ["uid-a"])
        #expect(r1.removeFinalizer == ["a"])
        #expect(types(r1.status) == ["SuccessCriteriaMet"])
        #expect(r1.createPods.isEmpty)
        // Round 2: the finalizer is gone: counted, Complete added.
        let r2 = JobReconciler.reconcile(job: job(status: r1.status!), pods: [pod("a", phase: "Succeeded", finalizer: false, finishedAt: t0)], now: t0, speed: 1)
        #expect(r2.status?["succeeded"] == 1)
        #expect(r2.status?["uncountedTerminatedPods"] == .emptyObject)
        #expect(types(r2.status) == ["SuccessCriteriaMet", "Complete"])
        let complete = r2.status?["conditions"]?[1]
        #expect(complete?["reason"] == "CompletionsReached")
        #expect(complete?["message"] == "Reached expected number of succeeded pods")
        #expect(r2.status?["completionTime"] == .string(KubeTimestamp.time(t0)))
        #expect(r2.events == [.init(type: "Normal", reason: "Completed", message: "Job completed")])
        // Round 3: nothing changes, nothing is written.
        let r3 = JobReconciler.reconcile(job: job(status: r2.status!), pods: [pod("a", phase: "Succeeded", finalizer: false, finishedAt: t0)], now: t0, speed: 1)
        #expect(r3.status == nil)
        #expect(r3.events.isEmpty)
    }

    @Test func failedPodsAreReplacedAfterBackoff() {
        let j = job(["backoffLimit": 3], status: ["startTime": "2023-11-14T22:13:20Z", "failed": 1])
        let failed = pod("a", phase: "Failed", finalizer: false, finishedAt: t0)
        let early = JobReconciler.reconcile(job: j, pods: [failed], now: t0.addingTimeInterval(4), speed: 1)
        #expect(early.createPods.isEmpty)
        #expect(early.requeueAfter == .seconds(6))
        #expect(JobReconciler.reconcile(job: j, pods: [failed], now: t0.addingTimeInterval(10), speed: 1).createPods.count == 1)
        // Two failures: 20 s; speed 10 divides it.
        let two = [failed, pod("b", phase: "Failed", finalizer: false, finishedAt: t0)]
        #expect(JobReconciler.reconcile(job: j, pods: two, now: t0, speed: 1).requeueAfter == .seconds(20))
        #expect(JobReconciler.reconcile(job: j, pods: two, now: t0, speed: 10).requeueAfter == .seconds(2))
        // Many failures cap at 6 minutes.
        let many = (0..<12).map { pod("f\($0)", phase: "Failed", finalizer: false, finishedAt: t0) }
        #expect(JobReconciler.backoffDelay(pods: many.map(JobReconciler.PodView.init), speed: 1, now: t0) == .seconds(360))
    }

    @Test func backoffRecordOutlivesDeletedPods() {
        // Round 1 sees the failed pod (finalizer still on) and records the failure.
        let j = job(["backoffLimit": 3], status: ["startTime": "2023-11-14T22:13:20Z"])
        let r1 = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Failed", finishedAt: t0)], now: t0, speed: 1)
        #expect(r1.memory == .init(failuresAfterLastSuccess: 1, lastFailureTime: t0, startTime: KubeTimestamp.parse("2023-11-14T22:13:20Z")))
        // The pod is gone by round 2: the record still holds the replacement back.
        let r2 = JobReconciler.reconcile(job: job(["backoffLimit": 3], status: r1.status!), pods: [], now: t0.addingTimeInterval(3),
                                         speed: 1, memory: r1.memory)
        #expect(r2.createPods.isEmpty)
        #expect(r2.requeueAfter == .seconds(7))
        #expect(r2.status?["failed"] == 1)
        // A success resets it.
        let r3 = JobReconciler.reconcile(job: job(["completions": 3, "backoffLimit": 3], status: r2.status!),
                                         pods: [pod("b", phase: "Succeeded", finishedAt: t0.addingTimeInterval(1))],
                                         now: t0.addingTimeInterval(3), speed: 1, memory: r2.memory)
        #expect(r3.memory.failuresAfterLastSuccess == 0)
    }

    @Test func backoffLimitExceededFailsTheJob() {
        let j = job(["backoffLimit": 1], status: ["startTime": "2023-11-14T22:13:20Z", "failed": 1])
        let r1 = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Failed", finalizer: false, finishedAt: t0),
                                                        pod("b", phase: "Failed", finishedAt: t0)], now: t0, speed: 1)
        #expect(types(r1.status) == ["FailureTarget"])
        #expect(r1.status?["conditions"]?[0]?["reason"] == "BackoffLimitExceeded")
        #expect(r1.removeFinalizer == ["b"])
        let r2 = JobReconciler.reconcile(job: job(["backoffLimit": 1], status: r1.status!),
                                         pods: [pod("a", phase: "Failed", finalizer: false, finishedAt: t0),
                                                pod("b", phase: "Failed", finalizer: false, finishedAt: t0)], now: t0, speed: 1)
        #expect(types(r2.status) == ["FailureTarget", "Failed"])
        #expect(r2.status?["failed"] == 2)
        #expect(r2.status?["completionTime"] == nil)
        #expect(r2.status?["conditions"]?[1]?["message"] == "Job has reached the specified backoff limit")
        #expect(r2.events == [.init(type: "Warning", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit")])
    }

    @Test func onFailureCountsRestarts() {
        let j = job(["backoffLimit": 2], status: ["startTime": "2023-11-14T22:13:20Z"], restartPolicy: "OnFailure")
        let ok = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Running", restarts: 1)], now: t0, speed: 1)
        #expect(types(ok.status).isEmpty)
        let over = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Running", restarts: 2)], now: t0, speed: 1)
        #expect(types(over.status) == ["FailureTarget"])
        #expect(over.deletePods == ["a"])
        let zero = job(["backoffLimit": 0], status: ["startTime": "2023-11-14T22:13:20Z"], restartPolicy: "OnFailure")
        #expect(types(JobReconciler.reconcile(job: zero, pods: [pod("a", phase: "Running", restarts: 1)], now: t0, speed: 1).status) == ["FailureTarget"])
    }

    @Test func activeDeadline() {
        let j = job(["activeDeadlineSeconds": 30], status: ["startTime": .string(KubeTimestamp.time(t0))])
        let before = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Running")], now: t0.addingTimeInterval(10), speed: 1)
        #expect(before.requeueAfter == .seconds(20))
        #expect(before.status == nil || types(before.status).isEmpty)
        let after = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Running")], now: t0.addingTimeInterval(30), speed: 1)
        #expect(types(after.status) == ["FailureTarget"])
        #expect(after.status?["conditions"]?[0]?["reason"] == "DeadlineExceeded")
        #expect(after.status?["conditions"]?[0]?["message"] == "Job was active longer than specified deadline")
        #expect(after.deletePods == ["a"])
        // The exact start time kept in memory wins over the stored whole second.
        let exact = t0.addingTimeInterval(0.9)
        let precise = job(["activeDeadlineSeconds": 30], status: ["startTime": .string(KubeTimestamp.time(exact))])
        let notYet = JobReconciler.reconcile(job: precise, pods: [pod("a", phase: "Running")], now: exact.addingTimeInterval(2.95),
                                             speed: 10, memory: .init(startTime: exact))
        #expect(types(notYet.status).isEmpty)
        #expect(notYet.requeueAfter == .milliseconds(50))
        // Speed 10: the 30 s deadline passes after 3 s; with no pod left the Job fails at once.
        #expect(types(JobReconciler.reconcile(job: j, pods: [], now: t0.addingTimeInterval(3), speed: 10).status) == ["FailureTarget", "Failed"])
    }

    @Test func suspendAndResume() {
        let j = job(["suspend": true], status: ["startTime": "2023-11-14T22:13:20Z"])
        let r = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Running")], now: t0, speed: 1)
        #expect(r.deletePods == ["a"])
        #expect(r.createPods.isEmpty)
        #expect(r.status?["startTime"] == nil)
        #expect(r.status?["conditions"]?[0]?["reason"] == "JobSuspended")
        #expect(types(r.status) == ["Suspended"])
        let resumed = JobReconciler.reconcile(job: job(["suspend": false], status: r.status!), pods: [], now: t0.addingTimeInterval(5), speed: 1)
        #expect(resumed.createPods.count == 1)
        #expect(resumed.status?["conditions"]?[0]?["status"] == "False")
        #expect(resumed.status?["conditions"]?[0]?["reason"] == "JobResumed")
        #expect(resumed.status?["startTime"] == .string(KubeTimestamp.time(t0.addingTimeInterval(5))))
    }

    @Test func workQueueSemantics() {
        let j = job(["parallelism": 2], status: ["startTime": "2023-11-14T22:13:20Z", "succeeded": 1])
        let running = JobReconciler.reconcile(job: j, pods: [pod("b", phase: "Running")], now: t0, speed: 1)
        #expect(running.createPods.isEmpty)
        #expect(types(running.status).isEmpty)
        let done = JobReconciler.reconcile(job: j, pods: [], now: t0, speed: 1)
        #expect(types(done.status) == ["SuccessCriteriaMet", "Complete"])
    }

    @Test func deletedPodCountsAsFailed() {
        let j = job(["backoffLimit": 6], status: ["startTime": "2023-11-14T22:13:20Z"])
        let r = JobReconciler.reconcile(job: j, pods: [pod("a", phase: "Running", deleting: true)], now: t0, speed: 1)
        #expect(r.status?[path: "uncountedTerminatedPods.failed"] == ["uid-a"])
        #expect(r.status?["terminating"] == 1)
        #expect(r.removeFinalizer == ["a"])
    }

    @Test func hostileSpecsNeverTrap() {
        let huge = JobReconciler.reconcile(job: job(["parallelism": 1_000_000_000_000, "activeDeadlineSeconds": .int(Int64.max)]),
                                           pods: [], now: t0, speed: .nan)
        #expect(huge.createPods.count == 500)
        #expect(huge.requeueAfter != nil)
        let negative = JobReconciler.reconcile(job: job(["parallelism": -5, "completions": -1, "backoffLimit": -1]), pods: [], now: t0, speed: 0)
        #expect(negative.createPods.isEmpty)
        let tiny = JobReconciler.reconcile(job: job(["activeDeadlineSeconds": 1e300]), pods: [], now: t0, speed: 1e-300)
        #expect(tiny.createPods.count == 1)
        var l = PodLifecycle(pod: ["spec": ["restartPolicy": "OnFailure", "containers": [["name": "c", "command": ["sh", "-c", "sleep infinity; exit 1"]]]]],
                             now: .zero, speed: 1e-300, podIP: "ip", hostIP: "h")
        _ = l.advance(to: .seconds(1))
        #expect(l.phase == "Pending")
    }
}
