import Foundation
import Kube
import Logging
import Testing
@testable import KubeSandbox

/// Jobs end to end: every loop against the in-memory API, on an instant or a manual clock.
@Suite struct ControlPlaneEndToEndTests {
    static func job(_ name: String, script: String, backoffLimit: Int? = nil, restartPolicy: String = "Never") -> JSONValue {
        var spec: JSONValue = ["template": ["spec": [
            "restartPolicy": .string(restartPolicy),
            "containers": [["name": "main", "image": "busybox", "command": ["sh", "-c", .string(script)]]],
        ]]]
        if let backoffLimit { spec["backoffLimit"] = .int(Int64(backoffLimit)) }
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
    }

    static func conditionTypes(_ job: JSONValue?) -> [String] {
        (job?[path: "status.conditions"]?.arrayValue ?? []).filter { $0["status"] == "True" }.compactMap { $0["type"]?.stringValue }
    }

    @Test func sleepingJobCompletes() async throws {
        let h = ControlPlaneHarness()
        try await h.run {
            _ = try await h.api.create(.jobs, namespace: "default", object: Self.job("sleepy", script: "echo hello; sleep 10s"))
            let done = await h.eventually("job complete") { api in
                Self.conditionTypes(await api.object(.jobs, namespace: "default", name: "sleepy")).contains("Complete")
            }
            guard done else { return }
            let job = await h.api.object(.jobs, namespace: "default", name: "sleepy")
            #expect(Self.conditionTypes(job) == ["SuccessCriteriaMet", "Complete"])
            #expect(job?[path: "status.succeeded"] == 1)
            #expect(job?[path: "status.failed"] == nil)
            #expect(job?[path: "status.active"] == nil)
            #expect(job?[path: "status.uncountedTerminatedPods"] == .emptyObject)
            #expect(job?[path: "status.completionTime"] != nil)
            let pods = await h.api.all(.pods)
            #expect(pods.count == 1)
            let pod = pods[0]
            #expect(pod[path: "status.phase"] == "Succeeded")
            #expect(pod[path: "metadata.finalizers"] == nil || pod[path: "metadata.finalizers"] == [])
            #expect(pod[path: "spec.nodeName"] == "node-1")
            #expect(pod[path: "status.containerStatuses"]?[0]?[path: "state.terminated.reason"] == "Completed")
            let name = pod[path: "metadata.name"]?.stringValue ?? ""
            #expect(h.logs.lines(namespace: "default", pod: name, container: "main").map(\.text) == ["hello"])
            #expect(h.logs.isTerminated(namespace: "default", pod: name, container: "main"))
            // Events are recorded after the status write that they describe.
            let recorded = await h.eventually("events") { api in
                let reasons = await api.all(.events).compactMap { $0["reason"]?.stringValue }
                return ["Scheduled", "SuccessfulCreate", "Completed"].allSatisfy(reasons.contains)
            }
            #expect(recorded)
            let nodes = await h.api.all(.nodes)
            #expect(nodes.compactMap { $0[path: "metadata.name"]?.stringValue } == ["node-1", "node-2"])
            // Converged: more wake-ups write nothing.
            let before = await h.api.writes.count
            h.plane.wakeAll()
            for _ in 0..<2_000 { await Task.yield() }
            #expect(await h.api.writes.count == before)
        }
    }

    @Test func failingJobFailsAfterBackoffLimit() async throws {
        let h = ControlPlaneHarness()
        try await h.run {
            _ = try await h.api.create(.jobs, namespace: "default", object: Self.job("broken", script: "exit 1", backoffLimit: 1))
            let failed = await h.eventually("job failed") { api in
                Self.conditionTypes(await api.object(.jobs, namespace: "default", name: "broken")).contains("Failed")
            }
            guard failed else { return }
            let job = await h.api.object(.jobs, namespace: "default", name: "broken")
            #expect(Self.conditionTypes(job) == ["FailureTarget", "Failed"])
            #expect(job?[path: "status.conditions"]?[1]?["reason"] == "BackoffLimitExceeded")
            #expect(job?[path: "status.failed"] == 2)
            #expect(job?[path: "status.completionTime"] == nil)
            let pods = await h.api.all(.pods)
            #expect(pods.count == 2)
            #expect(pods.allSatisfy { $0[path: "status.phase"] == "Failed" })
            #expect(pods.allSatisfy { $0[path: "status.containerStatuses"]?[0]?[path: "state.terminated.exitCode"] == 1 })
            let warned = await h.eventually("warning event") { api in
                await api.all(.events).filter { $0["type"] == "Warning" }.compactMap { $0["reason"]?.stringValue } == ["BackoffLimitExceeded"]
            }
            #expect(warned)
        }
    }

    @Test func onFailureJobFailsOnRestartsAndDeletesItsPod() async throws {
        let h = ControlPlaneHarness()
        try await h.run {
            _ = try await h.api.create(.jobs, namespace: "default",
                                       object: Self.job("crashy", script: "sleep 1; exit 3", backoffLimit: 2, restartPolicy: "OnFailure"))
            let failed = await h.eventually("job failed") { api in
                Self.conditionTypes(await api.object(.jobs, namespace: "default", name: "crashy")).contains("Failed")
            }
            guard failed else { return }
            let job = await h.api.object(.jobs, namespace: "default", name: "crashy")
            #expect(Self.conditionTypes(job) == ["FailureTarget", "Failed"])
            #expect(job?[path: "status.conditions"]?[1]?["reason"] == "BackoffLimitExceeded")
            #expect(job?[path: "status.active"] == nil)
            #expect(await h.api.all(.pods).isEmpty)  // deleted once its finalizer was removed
            #expect(await h.api.writes.contains { $0.hasPrefix("DELETED pods crashy-") })
            #expect(await h.eventually("delete event") { api in await api.all(.events).contains { $0["reason"] == "SuccessfulDelete" } })
        }
    }

    @Test func deletedRunningPodIsCountedFailedAndReplaced() async throws {
        let clock = ManualClock()
        let h = ControlPlaneHarness(clock: clock)
        try await h.run {
            _ = try await h.api.create(.jobs, namespace: "default", object: Self.job("victim", script: "sleep 100", backoffLimit: 3))
            let started = await h.eventually("pod accepted by the kubelet") { api in
                await api.all(.pods).first?[path: "status.containerStatuses"] != nil
            }
            guard started else { return }
            clock.advance(by: .seconds(1))
            let running = await h.eventually("running") { api in await api.all(.pods).first?[path: "status.phase"] == "Running" }
            guard running else { return }
            let first = await h.api.all(.pods)[0][path: "metadata.name"]?.stringValue ?? ""
            _ = try await h.api.delete(.pods, namespace: "default", name: first, options: DeleteOptions(propagationPolicy: .background))
            let counted = await h.eventually("counted failed") { api in
                await api.object(.jobs, namespace: "default", name: "victim")?[path: "status.failed"] == 1
            }
            guard counted else { return }
            #expect(await h.api.object(.pods, namespace: "default", name: first) == nil)
            #expect(await h.api.writes.contains("MODIFIED pods \(first)"))
            // The replacement waits out the 10 s back-off (0.1 s at speed 100).
            #expect(await h.api.all(.pods).isEmpty)
            clock.advance(by: .milliseconds(200))
            let replaced = await h.eventually("replacement") { api in await api.all(.pods).count == 1 }
            #expect(replaced)
        }
    }

    @Test func activeDeadlineFailsARunningJob() async throws {
        let clock = ManualClock()
        let h = ControlPlaneHarness(clock: clock)
        try await h.run {
            var job = Self.job("slow", script: "sleep 1h")
            job[path: "spec.activeDeadlineSeconds"] = 60
            _ = try await h.api.create(.jobs, namespace: "default", object: job)
            let accepted = await h.eventually("pod accepted") { api in await api.all(.pods).first?[path: "status.containerStatuses"] != nil }
            guard accepted else { return }
            clock.advance(by: .milliseconds(100))
            let running = await h.eventually("running") { api in await api.all(.pods).first?[path: "status.phase"] == "Running" }
            guard running else { return }
            clock.advance(by: .seconds(1))  // 60 s at speed 100 is 0.6 s
            let failed = await h.eventually("deadline") { api in
                Self.conditionTypes(await api.object(.jobs, namespace: "default", name: "slow")).contains("Failed")
            }
            guard failed else { return }
            let status = await h.api.object(.jobs, namespace: "default", name: "slow")?["status"]
            #expect(status?["conditions"]?[1]?["reason"] == "DeadlineExceeded")
            #expect(status?["failed"] == 1)
            #expect(await h.api.all(.pods).isEmpty)
        }
    }

    @Test func suspendStopsAndResumeRestarts() async throws {
        let clock = ManualClock()
        let h = ControlPlaneHarness(clock: clock)
        try await h.run {
            _ = try await h.api.create(.jobs, namespace: "default", object: Self.job("pausable", script: "sleep 1h"))
            let accepted = await h.eventually("pod accepted") { api in await api.all(.pods).first?[path: "status.containerStatuses"] != nil }
            guard accepted else { return }
            _ = try await h.api.patch(.jobs, namespace: "default", name: "pausable", patch: .merge(["spec": ["suspend": true]]),
                                      subresource: nil, options: PatchOptions())
            let suspended = await h.eventually("suspended") { api in
                let job = await api.object(.jobs, namespace: "default", name: "pausable")
                return Self.conditionTypes(job) == ["Suspended"] && job?[path: "status.active"] == nil
                    && job?[path: "status.startTime"] == nil && job?[path: "status.terminating"] == 0
            }
            guard suspended else { return }
            _ = try await h.api.patch(.jobs, namespace: "default", name: "pausable", patch: .merge(["spec": ["suspend": false]]),
                                      subresource: nil, options: PatchOptions())
            // The pod deleted by the suspension counted as a failure: its replacement waits out the back-off.
            for _ in 0..<1_000 { await Task.yield() }
            clock.advance(by: .seconds(1))
            let resumed = await h.eventually("resumed") { api in
                let job = await api.object(.jobs, namespace: "default", name: "pausable")
                return job?[path: "status.conditions"]?[0]?["reason"] == "JobResumed" && job?[path: "status.active"] == 1
            }
            #expect(resumed)
        }
    }

    @Test func parallelJobCreatesExactlyTheCompletions() async throws {
        let h = ControlPlaneHarness(nodes: NodeSpec.numbered(3))
        try await h.run {
            var job = Self.job("wide", script: "sleep 1")
            job[path: "spec.parallelism"] = 2
            job[path: "spec.completions"] = 5
            _ = try await h.api.create(.jobs, namespace: "default", object: job)
            let done = await h.eventually("job complete") { api in
                Self.conditionTypes(await api.object(.jobs, namespace: "default", name: "wide")).contains("Complete")
            }
            guard done else { return }
            #expect(await h.api.object(.jobs, namespace: "default", name: "wide")?[path: "status.succeeded"] == 5)
            let pods = await h.api.all(.pods)
            #expect(pods.count == 5)
            // Spread by running pods: the two that run together land on different nodes.
            #expect(Set(pods.compactMap { $0[path: "spec.nodeName"]?.stringValue }).count >= 2)
        }
    }

    @Test func podsOfADeletedJobLoseTheirFinalizer() async throws {
        let clock = ManualClock()
        let h = ControlPlaneHarness(clock: clock)
        try await h.run {
            _ = try await h.api.create(.jobs, namespace: "default", object: Self.job("gone", script: "sleep 100"))
            let created = await h.eventually("pod") { api in await api.all(.pods).count == 1 }
            guard created else { return }
            // No garbage collector in the fake: the pod is orphaned with its finalizer.
            _ = try await h.api.delete(.jobs, namespace: "default", name: "gone")
            let released = await h.eventually("finalizer removed") { api in
                await api.all(.pods).first?[path: "metadata.finalizers"] == []
            }
            #expect(released)
        }
    }
}
