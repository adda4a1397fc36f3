import Foundation
import Kube
import Testing
@testable import KubeSandbox

@Suite struct SchedulerTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func node(_ spec: NodeSpec, index: Int = 0) -> JSONValue { spec.object(index: index, now: now) }

    func pod(_ spec: JSONValue = .emptyObject) -> JSONValue {
        ["metadata": ["name": "p", "namespace": "ns"], "spec": spec]
    }

    @Test func picksFewestPodsThenName() {
        let nodes = [node(NodeSpec(name: "b")), node(NodeSpec(name: "a")), node(NodeSpec(name: "c"))]
        #expect(Scheduler.decide(pod: pod(), nodes: nodes, podsPerNode: [:]) == .bind(node: "a"))
        #expect(Scheduler.decide(pod: pod(), nodes: nodes, podsPerNode: ["a": 2, "b": 1]) == .bind(node: "c"))
    }

    @Test func nodeSelector() {
        let nodes = [node(NodeSpec(name: "a", labels: ["disk": "ssd"])), node(NodeSpec(name: "b"))]
        #expect(Scheduler.decide(pod: pod(["nodeSelector": ["disk": "ssd"]]), nodes: nodes, podsPerNode: ["a": 5]) == .bind(node: "a"))
        #expect(Scheduler.decide(pod: pod(["nodeSelector": ["kubernetes.io/hostname": "b"]]), nodes: nodes, podsPerNode: [:]) == .bind(node: "b"))
        #expect(Scheduler.decide(pod: pod(["nodeSelector": ["disk": "hdd"]]), nodes: nodes, podsPerNode: [:])
            == .unschedulable(message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."))
    }

    func affinity(_ terms: JSONValue) -> JSONValue {
        ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": terms]]]]
    }

    @Test func requiredNodeAffinityOperators() {
        let a = node(NodeSpec(name: "a", labels: ["zone": "z1", "gen": "5"]))
        func fits(_ expr: JSONValue) -> Bool { Scheduler.filter(pod: pod(affinity([["matchExpressions": [expr]]])), node: a) == nil }
        #expect(fits(["key": "zone", "operator": "In", "values": ["z1", "z2"]]))
        #expect(!fits(["key": "zone", "operator": "In", "values": ["z2"]]))
        #expect(fits(["key": "zone", "operator": "NotIn", "values": ["z2"]]))
        #expect(fits(["key": "absent", "operator": "NotIn", "values": ["z2"]]))
        #expect(!fits(["key": "zone", "operator": "NotIn", "values": ["z1"]]))
        #expect(fits(["key": "zone", "operator": "Exists"]))
        #expect(!fits(["key": "absent", "operator": "Exists"]))
        #expect(fits(["key": "absent", "operator": "DoesNotExist"]))
        #expect(fits(["key": "gen", "operator": "Gt", "values": ["4"]]))
        #expect(!fits(["key": "gen", "operator": "Gt", "values": ["5"]]))
        #expect(fits(["key": "gen", "operator": "Lt", "values": ["6"]]))
        #expect(!fits(["key": "zone", "operator": "Lt", "values": ["6"]]))
        // matchFields metadata.name; terms are ORed.
        let byName = pod(affinity([["matchFields": [["key": "metadata.name", "operator": "In", "values": ["b"]]]],
                                   ["matchFields": [["key": "metadata.name", "operator": "In", "values": ["a"]]]]]))
        #expect(Scheduler.filter(pod: byName, node: a) == nil)
        #expect(Scheduler.filter(pod: pod(affinity([.emptyObject])), node: a) == "node(s) didn't match Pod's node affinity/selector")
    }

    @Test func taintsAndTolerations() {
        let tainted = node(NodeSpec(name: "a", taints: [Taint(key: "k", value: "v", effect: "NoSchedule")]))
        let noExec = node(NodeSpec(name: "b", taints: [Taint(key: "gpu", effect: "NoExecute")]))
        let prefer = node(NodeSpec(name: "c", taints: [Taint(key: "soft", effect: "PreferNoSchedule")]))
        #expect(Scheduler.filter(pod: pod(), node: tainted) == "node(s) had untolerated taint {k: v}")
        #expect(Scheduler.filter(pod: pod(), node: noExec) == "node(s) had untolerated taint {gpu: }")
        #expect(Scheduler.filter(pod: pod(), node: prefer) == nil)
        func tol(_ t: JSONValue) -> JSONValue { pod(["tolerations": [t]]) }
        #expect(Scheduler.filter(pod: tol(["key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"]), node: tainted) == nil)
        #expect(Scheduler.filter(pod: tol(["key": "k", "value": "v"]), node: tainted) == nil)
        #expect(Scheduler.filter(pod: tol(["key": "k", "value": "w"]), node: tainted) != nil)
        #expect(Scheduler.filter(pod: tol(["key": "k", "operator": "Exists"]), node: tainted) == nil)
        #expect(Scheduler.filter(pod: tol(["key": "k", "operator": "Exists", "effect": "NoExecute"]), node: tainted) != nil)
        #expect(Scheduler.filter(pod: tol(["operator": "Exists"]), node: noExec) == nil)
        #expect(Scheduler.filter(pod: tol(["operator": "Equal"]), node: noExec) != nil)
    }

    @Test func cordonedAndNotReadyNodes() {
        let cordoned = node(NodeSpec(name: "a", unschedulable: true))
        let notReady = node(NodeSpec(name: "b", ready: false))
        #expect(Scheduler.filter(pod: pod(), node: cordoned) == "node(s) were unschedulable")
        let tolerateCordon = pod(["tolerations": [["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"]]])
        #expect(Scheduler.filter(pod: tolerateCordon, node: cordoned) == nil)
        #expect(Scheduler.filter(pod: pod(), node: notReady) == "node(s) had untolerated taint {node.kubernetes.io/not-ready: }")
        let tolerateNotReady = pod(["tolerations": [["key": "node.kubernetes.io/not-ready", "operator": "Exists"]]])
        #expect(Scheduler.filter(pod: tolerateNotReady, node: notReady) == nil)
        // A NotReady node object without the taint (created elsewhere) still counts as tainted.
        var bare = node(NodeSpec(name: "c", ready: false))
        bare[path: "spec.taints"] = nil
        #expect(Scheduler.filter(pod: pod(), node: bare) == "node(s) had untolerated taint {node.kubernetes.io/not-ready: }")
    }

    @Test func unschedulableMessageCountsReasonsSorted() {
        let nodes = [
            node(NodeSpec(name: "a", labels: ["x": "1"])),
            node(NodeSpec(name: "b", taints: [Taint(key: "k", value: "v", effect: "NoSchedule")])),
            node(NodeSpec(name: "c", taints: [Taint(key: "k", value: "v", effect: "NoSchedule")])),
        ]
        #expect(Scheduler.decide(pod: pod(["nodeSelector": ["x": "2"]]), nodes: nodes, podsPerNode: [:])
            == .unschedulable(message: "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {k: v}."))
        #expect(Scheduler.decide(pod: pod(), nodes: [], podsPerNode: [:]) == .unschedulable(message: "no nodes available to schedule pods"))
    }

    @Test func kubeletAdmissionChecksAffinityAndNoExecuteOnly() {
        let n = node(NodeSpec(name: "a", labels: ["zone": "z1"], taints: [Taint(key: "soft", effect: "NoSchedule")]))
        #expect(Scheduler.kubeletAdmission(pod: pod(["nodeName": "a"]), node: n) == nil)  // NoSchedule does not matter once bound
        let wrongZone = Scheduler.kubeletAdmission(pod: pod(["nodeName": "a", "nodeSelector": ["zone": "z2"]]), node: n)
        #expect(wrongZone?.reason == "NodeAffinity")
        #expect(wrongZone?.message == "Pod was rejected: Predicate NodeAffinity failed")
        let evicting = node(NodeSpec(name: "b", taints: [Taint(key: "drain", effect: "NoExecute")]))
        #expect(Scheduler.kubeletAdmission(pod: pod(), node: evicting)?.reason == "TaintToleration")
        #expect(Scheduler.kubeletAdmission(pod: pod(["tolerations": [["key": "drain", "operator": "Exists"]]]), node: evicting) == nil)
    }
}
