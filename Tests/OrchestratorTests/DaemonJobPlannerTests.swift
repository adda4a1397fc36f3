import JobFlowAPI
import Foundation
import Kube
import Testing
@testable import Orchestrator

@Suite struct DaemonJobPlannerTests {
    func daemonJob(exclude: String? = nil, podSpec: JSONValue? = nil) -> JSONValue {
        var spec: JSONValue = ["template": ["spec": podSpec ?? ["containers": [Fixtures.container()]]]]
        if let exclude { spec["excludeNodeList"] = .string(exclude) }
        return ["apiVersion": "api.practice.com/v1alpha1", "kind": "DaemonJob", "metadata": ["name": "dj"], "spec": spec]
    }

    func skipped(_ w: World) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (w.status?["skippedNodes"]?.arrayValue ?? []).map {
            ($0["node"]!.stringValue!, $0["reason"]!.stringValue!)
        })
    }

    @Test func seedExampleSkipsExcludedNodesAndWarnsAboutRestartPolicy() throws {
        var w = World(try Fixtures.example("daemonjob-example.yaml")[0])
        w.nodes = ["node1", "node2", "node3", "node4"].map { Fixtures.node($0) }
        let plan = w.step()
        #expect(w.created == ["daemonjob-example-node3", "daemonjob-example-node4"])
        #expect(skipped(w) == ["node1": "Excluded", "node2": "Excluded"])
        #expect(plan.events.filter { $0.reason == "RestartPolicyOverridden" }.map(\.message) == ["template: restartPolicy OnFailure overridden to Never"])
        let job = w.jobs["daemonjob-example-node3"]!
        #expect(job[path: "spec.template.spec.restartPolicy"] == "Never")
        #expect(job[path: "spec.template.spec.containers"]?[0]?["env"]?.arrayValue?.count == 2)
        #expect(w.status?["desired"] == 2)
    }

    @Test func everySkipReason() {
        var w = World(daemonJob(exclude: "ex", podSpec: ["containers": [Fixtures.container()], "nodeSelector": ["disk": "ssd"],
                                                        "tolerations": [["key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"]]]))
        w.nodes = [
            Fixtures.node("ex", labels: ["disk": "ssd"]),
            Fixtures.node("down", ready: false, labels: ["disk": "ssd"]),
            Fixtures.node("cordoned", unschedulable: true, labels: ["disk": "ssd"]),
            Fixtures.node("hdd", labels: ["disk": "hdd"]),
            Fixtures.node("tainted", labels: ["disk": "ssd"], taints: [["key": "gpu", "effect": "NoExecute"]]),
            Fixtures.node("tolerated", labels: ["disk": "ssd"], taints: [["key": "dedicated", "value": "batch", "effect": "NoSchedule"],
                                                                         ["key": "soft", "effect": "PreferNoSchedule"],
                                                                         ["key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"]]),
        ]
        w.step()
        #expect(skipped(w) == ["ex": "Excluded", "down": "NotReady", "cordoned": "Unschedulable",
                               "hdd": "NodeSelectorMismatch", "tainted": "TaintNotTolerated"])
        #expect(w.created == ["dj-tolerated"])
    }

    @Test func requiredNodeAffinityIsChecked() {
        let affinity: JSONValue = ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
            ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a", "b"]]]],
            ["matchFields": [["key": "metadata.name", "operator": "In", "values": ["special"]]]],
        ]]]]
        var w = World(daemonJob(podSpec: ["containers": [Fixtures.container()], "affinity": affinity]))
        w.nodes = [Fixtures.node("n1", labels: ["zone": "a"]), Fixtures.node("n2", labels: ["zone": "c"]), Fixtures.node("special")]
        w.step()
        #expect(w.created == ["dj-n1", "dj-special"])
        #expect(skipped(w) == ["n2": "NodeSelectorMismatch"])
    }

    @Test func unknownExcludedNodesAreReported() {
        var w = World(daemonJob(exclude: "n1, ghost,, n1"))
        w.nodes = [Fixtures.node("n1"), Fixtures.node("n2")]
        w.step()
        #expect(w.status?["unknownExcludedNodes"] == ["ghost"])
        #expect(w.events.contains { $0.reason == "UnknownExcludedNode" && $0.message.contains("ghost") })
        w.step()
        #expect(w.events.filter { $0.reason == "UnknownExcludedNode" }.count == 1)
    }

    @Test func zeroEligibleNodesIsReported() {
        var w = World(daemonJob(exclude: "n1"))
        w.nodes = [Fixtures.node("n1"), Fixtures.node("n2", ready: false)]
        w.step()
        #expect(w.state == "Pending")
        #expect(w.status?["message"] == "no eligible nodes (n1: Excluded, n2: NotReady)")
        #expect(w.events.contains { $0.reason == "NoEligibleNodes" })
        let progressing = w.status?["conditions"]?.arrayValue?.first { $0["type"] == "Progressing" }
        #expect(progressing?["reason"] == "NoEligibleNodes")
        #expect(w.plan().actions.isEmpty)
    }

    @Test func nodesJoiningAndLeaving() {
        var w = World(daemonJob())
        w.nodes = [Fixtures.node("n1"), Fixtures.node("n2")]
        w.step()
        w.finish("n1", succeeded: true)
        w.run("n2", node: "n2")
        w.step()
        // n3 joins mid-run, n2 leaves with its Job running.
        w.nodes = [Fixtures.node("n1"), Fixtures.node("n3")]
        let plan = w.step()
        #expect(plan.createdJobs.map { $0[path: "metadata.name"]! } == ["dj-n3"])
        #expect(plan.deletedJobs == ["dj-n2"])
        #expect(w.phase("n2") == "Failed")
        #expect(w.entry("n2", key: "nodes", field: "node")?["reason"] == "NodeLost")
        #expect(w.events.contains { $0.reason == "NodeLost" })
        w.finish("n3", succeeded: true)
        w.step()
        #expect(w.state == "Failed")
        #expect(w.status?["desired"] == 3)
        #expect(w.status?["succeeded"] == 2)
        #expect(w.status?["failed"] == 1)
        // A cordoned node keeps its finished record; it is not listed as skipped.
        w.nodes = [Fixtures.node("n1", unschedulable: true), Fixtures.node("n3")]
        w.step()
        #expect(w.phase("n1") == "Succeed")
        #expect(skipped(w).isEmpty)
    }

    @Test func succeedWhenEveryNodeSucceeded() {
        var w = World(daemonJob())
        w.nodes = [Fixtures.node("n1"), Fixtures.node("n2")]
        w.step()
        w.finish("n1", succeeded: true)
        w.finish("n2", succeeded: true)
        w.step()
        #expect(w.state == "Succeed")
        #expect(w.status?["progress"] == "2/2")
        #expect(w.plan().actions.isEmpty)
    }

    @Test func perNodeRetryExactlyOnce() {
        var base = World(daemonJob())
        base.nodes = [Fixtures.node("n1"), Fixtures.node("n2")]
        base.step()
        base.finish("n1", succeeded: false)
        base.finish("n2", succeeded: true)
        base.step()
        #expect(base.state == "Failed")
        base.annotate(Keys.retryAnnotation, "n1")
        let plan = base.plan()
        for k in 0...plan.actions.count {
            var w = base
            for action in plan.actions.prefix(k) { w.apply(action) }
            w.settle()
            #expect(w.entry("n1", key: "nodes", field: "node")?["attempts"] == 2, "k \(k)")
            #expect(w.entry("n2", key: "nodes", field: "node")?["attempts"] == 1)
            #expect(w.deleted == ["dj-n1"])
            #expect(w.state == "Running")
            #expect(w.object[path: "metadata.annotations"]?[Keys.retryAnnotation] == nil)
        }
    }

    @Test func perNodeCancel() {
        var w = World(daemonJob())
        w.nodes = [Fixtures.node("n1"), Fixtures.node("n2")]
        w.step()
        w.run("n1", node: "n1")
        w.finish("n2", succeeded: true)
        w.step()
        w.annotate(Keys.cancelAnnotation, "n1")
        w.settle()
        #expect(w.phase("n1") == "Cancelled")
        #expect(w.jobs["dj-n1"] == nil)
        #expect(w.state == "Cancelled")
    }

    @Test func invalidDaemonJobCreatesNothing() {
        var w = World(["kind": "DaemonJob", "metadata": ["name": "dj"], "spec": ["template": ["spec": ["containers": []]]]])
        w.nodes = [Fixtures.node("n1")]
        let plan = w.step()
        #expect(plan.createdJobs.isEmpty)
        #expect(w.state == "Failed")
        #expect(plan.events.contains { $0.reason == "ValidationFailed" })
    }

    @Test func longNodeNamesGiveValidJobNames() {
        var w = World(daemonJob())
        let long = "ip-10-0-0-1." + String(repeating: "x", count: 70) + ".internal"
        w.nodes = [Fixtures.node(long)]
        let plan = w.step()
        let name = plan.createdJobs[0][path: "metadata.name"]!.stringValue!
        #expect(DNSName.isLabel(name))
        #expect(plan.createdJobs[0][path: "metadata.annotations"]?[Keys.nodeAnnotation] == .string(long))
        #expect(plan.createdJobs[0][path: "metadata.labels"]?[Keys.nodeLabel]?.stringValue?.count ?? 99 <= 63)
        #expect(w.plan().createdJobs.isEmpty)  // adopted by the same deterministic name
    }
}

@Suite struct ScaleTests {
    @Test func twoThousandNodesPlanInOnePass() {
        var w = World(["kind": "DaemonJob", "metadata": ["name": "dj"], "spec": ["template": ["spec": ["containers": [Fixtures.container()]]]]])
        w.nodes = (0..<2000).map { Fixtures.node("node-\($0)") }
        w.step()
        #expect(w.jobs.count == 2000)
        // Mark every Job running directly (World.run rescans all pods each time).
        for (name, var job) in w.jobs {
            job["status"] = ["active": 1, "ready": 1, "startTime": "2023-11-14T22:13:20Z"]
            w.jobs[name] = job
        }
        w.step()  // ~0.16 s in a debug build on the dev box
        #expect(w.status?["active"] == 2000)
        #expect(w.plan().actions.isEmpty)
    }
}
