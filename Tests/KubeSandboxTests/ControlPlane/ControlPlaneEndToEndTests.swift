import Foundation
import Kube
import Logging
import Testing
@testable import KubeSandbox

/// The loops against the in-memory API, on a clock whose sleeps return at once.
@Suite struct ControlPlaneEndToEndTests {
    struct Harness {
        let api = FakeKubeAPI()
        let logs = PodLogStore()
        let plane: ControlPlane

        init(nodes: [NodeSpec] = NodeSpec.numbered(2), clock: any Clock<Duration> = InstantClock()) {
            plane = ControlPlane(api: api, podLogs: logs, nodes: nodes, speed: 100, clock: clock,
                                 now: nil, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }

        /// Runs the control plane while `body` runs, then stops it.
        func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
            let task = Task { await plane.run() }
            defer { task.cancel() }
            return try await body()
        }

        /// Yields until `predicate` holds for the API's state; a bounded number of rounds, no clock.
        func eventually(_ what: String, _ predicate: @Sendable (FakeKubeAPI) async -> Bool) async -> Bool {
            for _ in 0..<1_000_000 {
                if await predicate(api) { return true }
                await Task.yield()
            }
            Issue.record("never happened: \(what)")
            return false
        }
    }

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
        let h = Harness()
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
        let h = Harness()
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

    @Test func unschedulablePodWaitsForANode() async throws {
        let h = Harness(nodes: [NodeSpec(name: "node-1", unschedulable: true)])
        try await h.run {
            _ = try await h.api.create(.pods, namespace: "default", object: [
                "metadata": ["name": "lonely"],
                "spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox", "command": ["true"]]]],
            ])
            let pending = await h.eventually("unschedulable") { api in
                let c = await api.object(.pods, namespace: "default", name: "lonely")?[path: "status.conditions"]?[0]
                return c?["reason"] == "Unschedulable"
            }
            guard pending else { return }
            let condition = await h.api.object(.pods, namespace: "default", name: "lonely")?[path: "status.conditions"]?[0]
            #expect(condition?["message"] == "0/1 nodes are available: 1 node(s) were unschedulable.")
            #expect(await h.eventually("FailedScheduling event") { api in await api.all(.events).contains { $0["reason"] == "FailedScheduling" } })
            try await h.plane.addNode(NodeSpec(name: "node-2"))
            let ran = await h.eventually("succeeded on node-2") { api in
                let pod = await api.object(.pods, namespace: "default", name: "lonely")
                return pod?[path: "status.phase"] == "Succeeded" && pod?[path: "spec.nodeName"] == "node-2"
            }
            #expect(ran)
        }
    }

    @Test func notReadyNodeLosesItsPods() async throws {
        // A manual clock: with the instant one, `sleep infinity` would simply finish.
        let clock = ManualClock()
        let h = Harness(nodes: [NodeSpec(name: "node-1")], clock: clock)
        try await h.run {
            _ = try await h.api.create(.pods, namespace: "default", object: [
                "metadata": ["name": "long"],
                "spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox", "command": ["sleep", "infinity"]]]],
            ])
            let created = await h.eventually("creating") { api in
                await api.object(.pods, namespace: "default", name: "long")?[path: "status.containerStatuses"] != nil
            }
            guard created else { return }
            #expect(await h.api.object(.pods, namespace: "default", name: "long")?[path: "status.phase"] == "Pending")
            clock.advance(by: .seconds(1))
            let running = await h.eventually("running") { api in
                await api.object(.pods, namespace: "default", name: "long")?[path: "status.phase"] == "Running"
            }
            guard running else { return }
            try await h.plane.setReady("node-1", false)
            let lost = await h.eventually("failed") { api in
                await api.object(.pods, namespace: "default", name: "long")?[path: "status.phase"] == "Failed"
            }
            guard lost else { return }
            let pod = await h.api.object(.pods, namespace: "default", name: "long")
            #expect(pod?[path: "status.reason"] == "NodeLost")
            #expect(pod?[path: "status.message"] == "Node node-1 which was running pod long is unresponsive")
            let node = await h.api.object(.nodes, namespace: nil, name: "node-1")
            #expect(Scheduler.isReady(node ?? .null) == false)
            #expect((node?[path: "spec.taints"]?.arrayValue ?? []).contains { $0["key"] == "node.kubernetes.io/not-ready" })
        }
    }

    @Test func onFailureJobFailsOnRestartsAndDeletesItsPod() async throws {
        let h = Harness()
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
        let h = Harness(clock: clock)
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

    @Test func apiFailuresAreRetried() async throws {
        let h = Harness()
        // Every kind of write the loops make fails a few times, and the first lists too.
        await h.api.inject("list", "pods", count: 2)
        await h.api.inject("create", "pods", count: 2)
        await h.api.inject("patch", "pods", subresource: "status", count: 3)
        await h.api.inject("patch", "pods", count: 2)
        await h.api.inject("patch", "jobs", subresource: "status", count: 3)
        try await h.run {
            _ = try await h.api.create(.jobs, namespace: "default", object: Self.job("flaky", script: "echo ok"))
            let done = await h.eventually("job complete") { api in
                Self.conditionTypes(await api.object(.jobs, namespace: "default", name: "flaky")).contains("Complete")
            }
            guard done else { return }
            #expect(await h.api.injectedFailures == 12)
            #expect(await h.api.all(.pods).count == 1)
            #expect(await h.api.object(.jobs, namespace: "default", name: "flaky")?[path: "status.succeeded"] == 1)
        }
    }

    @Test func expiredWatchesRelist() async throws {
        let clock = ManualClock()
        let h = Harness(clock: clock)
        try await h.run {
            let registered = await h.eventually("nodes") { api in await api.all(.nodes).count == 2 }
            guard registered else { return }
            // Let the informers open their watches, then expire them all.
            for _ in 0..<1_000 { await Task.yield() }
            await h.api.expireWatches()
            _ = try await h.api.create(.jobs, namespace: "default", object: Self.job("after-expiry", script: "echo ok"))
            let accepted = await h.eventually("pod accepted") { api in await api.all(.pods).first?[path: "status.containerStatuses"] != nil }
            guard accepted else { return }
            clock.advance(by: .seconds(1))
            let done = await h.eventually("job complete") { api in
                Self.conditionTypes(await api.object(.jobs, namespace: "default", name: "after-expiry")).contains("Complete")
            }
            #expect(done)
        }
    }

    @Test func activeDeadlineFailsARunningJob() async throws {
        let clock = ManualClock()
        let h = Harness(clock: clock)
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
        let h = Harness(clock: clock)
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

    @Test func podPinnedToANodeItDoesNotMatchIsRejected() async throws {
        let h = Harness(nodes: [NodeSpec(name: "node-1", labels: ["disk": "hdd"])])
        try await h.run {
            _ = try await h.api.create(.pods, namespace: "default", object: [
                "metadata": ["name": "pinned"],
                "spec": ["nodeName": "node-1", "nodeSelector": ["disk": "ssd"], "restartPolicy": "Never",
                         "containers": [["name": "c", "image": "busybox"]]],
            ])
            let rejected = await h.eventually("rejected") { api in
                await api.object(.pods, namespace: "default", name: "pinned")?[path: "status.phase"] == "Failed"
            }
            guard rejected else { return }
            let status = await h.api.object(.pods, namespace: "default", name: "pinned")?["status"]
            #expect(status?["reason"] == "NodeAffinity")
            #expect(status?["message"] == "Pod was rejected: Predicate NodeAffinity failed")
            #expect(await h.eventually("event") { api in await api.all(.events).contains { $0["reason"] == "NodeAffinity" } })
        }
    }

    @Test func nodeManagementAtRunTime() async throws {
        let clock = ManualClock()
        let h = Harness(nodes: NodeSpec.numbered(2), clock: clock)
        try await h.run {
            let registered = await h.eventually("nodes") { api in await api.all(.nodes).count == 2 }
            guard registered else { return }
            try await h.plane.cordon("node-2", true)
            var node2 = await h.api.object(.nodes, namespace: nil, name: "node-2")
            #expect(node2?[path: "spec.unschedulable"] == true)
            #expect(node2?[path: "spec.taints"] == [["key": "node.kubernetes.io/unschedulable", "value": "", "effect": "NoSchedule"]])
            try await h.plane.cordon("node-2", false)
            node2 = await h.api.object(.nodes, namespace: nil, name: "node-2")
            #expect(node2?[path: "spec.unschedulable"] == nil)
            #expect(node2?[path: "spec.taints"] == nil)
            await #expect(throws: ControlPlane.NodeError.self) { try await h.plane.setReady("node-9", false) }
            await #expect(throws: ControlPlane.NodeError.self) { try await h.plane.addNode(NodeSpec(name: "node-1")) }

            _ = try await h.api.create(.pods, namespace: "default", object: [
                "metadata": ["name": "doomed"],
                "spec": ["nodeName": "node-2", "restartPolicy": "Never",
                         "containers": [["name": "c", "image": "busybox", "command": ["sleep", "600"]]]],
            ])
            let accepted = await h.eventually("accepted") { api in
                await api.object(.pods, namespace: "default", name: "doomed")?[path: "status.containerStatuses"] != nil
            }
            guard accepted else { return }
            clock.advance(by: .seconds(1))
            let running = await h.eventually("running") { api in
                await api.object(.pods, namespace: "default", name: "doomed")?[path: "status.phase"] == "Running"
            }
            guard running else { return }
            try await h.plane.removeNode("node-2")
            #expect(await h.api.object(.nodes, namespace: nil, name: "node-2") == nil)
            #expect(h.plane.nodeSpecs.map(\.name) == ["node-1"])
            let lost = await h.eventually("lost") { api in
                await api.object(.pods, namespace: "default", name: "doomed")?[path: "status.reason"] == "NodeLost"
            }
            #expect(lost)
        }
    }

    @Test func podPinnedToAMissingNodeWaitsForIt() async throws {
        let h = Harness(nodes: [NodeSpec(name: "node-1")])
        try await h.run {
            _ = try await h.api.create(.pods, namespace: "default", object: [
                "metadata": ["name": "ghostly"],
                "spec": ["nodeName": "ghost", "restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]],
            ])
            let waiting = await h.eventually("message") { api in
                await api.object(.pods, namespace: "default", name: "ghostly")?[path: "status.message"]
                    == "node \"ghost\" not found: the pod stays Pending until a node with that name exists"
            }
            guard waiting else { return }
            #expect(await h.api.object(.pods, namespace: "default", name: "ghostly")?[path: "status.phase"] == "Pending")
            try await h.plane.addNode(NodeSpec(name: "ghost"))
            let ran = await h.eventually("succeeded") { api in
                await api.object(.pods, namespace: "default", name: "ghostly")?[path: "status.phase"] == "Succeeded"
            }
            guard ran else { return }
            #expect(await h.api.object(.pods, namespace: "default", name: "ghostly")?[path: "status.message"] == nil)
        }
    }

    @Test func parallelJobCreatesExactlyTheCompletions() async throws {
        let h = Harness(nodes: NodeSpec.numbered(3))
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
        let h = Harness(clock: clock)
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
