import Foundation
import Kube
import Testing
@testable import KubeSandbox

/// Scheduling, kubelet, node and API-failure behaviour of the loops against the in-memory API.
@Suite struct ClusterEndToEndTests {
    @Test func unschedulablePodWaitsForANode() async throws {
        let h = ControlPlaneHarness(nodes: [NodeSpec(name: "node-1", unschedulable: true)])
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
        let h = ControlPlaneHarness(nodes: [NodeSpec(name: "node-1")], clock: clock)
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

    @Test func podPinnedToANodeItDoesNotMatchIsRejected() async throws {
        let h = ControlPlaneHarness(nodes: [NodeSpec(name: "node-1", labels: ["disk": "hdd"])])
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
        let h = ControlPlaneHarness(nodes: NodeSpec.numbered(2), clock: clock)
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
        let h = ControlPlaneHarness(nodes: [NodeSpec(name: "node-1")])
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

    @Test func expiredWatchesRelist() async throws {
        let clock = ManualClock()
        let h = ControlPlaneHarness(clock: clock)
        try await h.run {
            let registered = await h.eventually("nodes") { api in await api.all(.nodes).count == 2 }
            guard registered else { return }
            // Let the informers open their watches, then expire them all.
            for _ in 0..<1_000 { await Task.yield() }
            await h.api.expireWatches()
            _ = try await h.api.create(.jobs, namespace: "default", object: ControlPlaneEndToEndTests.job("after-expiry", script: "echo ok"))
            let accepted = await h.eventually("pod accepted") { api in await api.all(.pods).first?[path: "status.containerStatuses"] != nil }
            guard accepted else { return }
            clock.advance(by: .seconds(1))
            let done = await h.eventually("job complete") { api in
                ControlPlaneEndToEndTests.conditionTypes(await api.object(.jobs, namespace: "default", name: "after-expiry")).contains("Complete")
            }
            #expect(done)
        }
    }

    @Test func apiFailuresAreRetried() async throws {
        let h = ControlPlaneHarness()
        // Every kind of write the loops make fails a few times, and the first lists too.
        await h.api.inject("list", "pods", count: 2)
        await h.api.inject("create", "pods", count: 2)
        await h.api.inject("patch", "pods", subresource: "status", count: 3)
        await h.api.inject("patch", "pods", count: 2)
        await h.api.inject("patch", "jobs", subresource: "status", count: 3)
        try await h.run {
            _ = try await h.api.create(.jobs, namespace: "default", object: ControlPlaneEndToEndTests.job("flaky", script: "echo ok"))
            let done = await h.eventually("job complete") { api in
                ControlPlaneEndToEndTests.conditionTypes(await api.object(.jobs, namespace: "default", name: "flaky")).contains("Complete")
            }
            guard done else { return }
            #expect(await h.api.injectedFailures == 12)
            #expect(await h.api.all(.pods).count == 1)
            #expect(await h.api.object(.jobs, namespace: "default", name: "flaky")?[path: "status.succeeded"] == 1)
        }
    }

    @Test func noExecuteTaintEvictsRunningPods() async throws {
        let clock = ManualClock()
        let h = ControlPlaneHarness(nodes: [NodeSpec(name: "node-1")], clock: clock)
        try await h.run {
            for name in ["plain", "tolerant"] {
                var spec: JSONValue = ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox", "command": ["sleep", "600"]]]]
                if name == "tolerant" { spec["tolerations"] = [["key": "maintenance", "operator": "Exists"]] }
                _ = try await h.api.create(.pods, namespace: "default", object: ["metadata": ["name": .string(name)], "spec": spec])
            }
            let accepted = await h.eventually("accepted") { api in
                let pods = await api.all(.pods)
                return pods.count == 2 && pods.allSatisfy { $0[path: "status.containerStatuses"] != nil }
            }
            guard accepted else { return }
            clock.advance(by: .seconds(1))
            let running = await h.eventually("running") { api in await api.all(.pods).allSatisfy { $0[path: "status.phase"] == "Running" } }
            guard running else { return }
            try await h.plane.setTaints("node-1", [Taint(key: "maintenance", value: "now", effect: "NoExecute")])
            let evicted = await h.eventually("evicted") { api in await api.object(.pods, namespace: "default", name: "plain") == nil }
            guard evicted else { return }
            #expect(await h.api.writes.contains("DELETED pods plain"))
            #expect(await h.eventually("event") { api in
                await api.all(.events).contains { $0["reason"] == "TaintManagerEviction" && $0["message"] == "Marking for deletion Pod default/plain" }
            })
            #expect(await h.api.object(.pods, namespace: "default", name: "tolerant")?[path: "status.phase"] == "Running")
        }
    }
}
