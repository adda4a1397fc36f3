import Foundation
import Kube

/// A simulated node: what the control plane registers as a `Node` object.
public struct NodeSpec: Sendable, Hashable {
    /// The node name (also `kubernetes.io/hostname`).
    public var name: String
    /// Extra labels; `kubernetes.io/hostname`, `kubernetes.io/os` and `kubernetes.io/arch` are added.
    public var labels: [String: String]
    /// `spec.taints`, besides the managed not-ready/unschedulable ones.
    public var taints: [Taint]
    /// Condition `Ready`.
    public var ready: Bool
    /// Cordoned (`spec.unschedulable`).
    public var unschedulable: Bool

    public init(name: String, labels: [String: String] = [:], taints: [Taint] = [],
                ready: Bool = true, unschedulable: Bool = false) {
        self.name = name
        self.labels = labels
        self.taints = taints
        self.ready = ready
        self.unschedulable = unschedulable
    }

    /// `count` ready nodes named `node-1` … `node-N`.
    public static func numbered(_ count: Int) -> [NodeSpec] {
        (0..<max(0, count)).map { NodeSpec(name: "node-\($0 + 1)") }
    }

    /// Ready nodes with these names.
    public static func named(_ names: [String]) -> [NodeSpec] {
        names.map { NodeSpec(name: $0) }
    }

    /// Every label of the Node object.
    public var allLabels: [String: String] {
        var all = labels
        all["kubernetes.io/hostname"] = name
        all["kubernetes.io/os"] = "linux"
        all["kubernetes.io/arch"] = "amd64"
        all["beta.kubernetes.io/os"] = "linux"
        all["beta.kubernetes.io/arch"] = "amd64"
        return all
    }

    /// The taints the Node object carries: the spec's, plus those the node lifecycle controller
    /// adds for a cordoned (`unschedulable`) or not-ready node.
    public var effectiveTaints: [Taint] {
        var all = taints
        if unschedulable, !all.contains(where: { $0.key == Taint.unschedulable }) {
            all.append(Taint(key: Taint.unschedulable, effect: "NoSchedule"))
        }
        if !ready {
            for effect in ["NoSchedule", "NoExecute"] where !all.contains(where: { $0.key == Taint.notReady && $0.effect == effect }) {
                all.append(Taint(key: Taint.notReady, effect: effect))
            }
        }
        return all
    }

    /// The `spec` of the Node object.
    func specJSON(index: Int) -> JSONValue {
        var spec: JSONValue = ["podCIDR": .string("10.244.\(index).0/24"), "podCIDRs": [.string("10.244.\(index).0/24")]]
        let t = effectiveTaints
        if !t.isEmpty { spec["taints"] = .array(t.map(\.json)) }
        if unschedulable { spec["unschedulable"] = true }
        return spec
    }

    /// The `status` of the Node object at `now`; `since` is when readiness last changed.
    func statusJSON(index: Int, now: Date, readySince: Date) -> JSONValue {
        let ts = KubeTimestamp.time(now)
        let since = KubeTimestamp.time(readySince)
        func pressure(_ type: String, _ reason: String, _ message: String) -> JSONValue {
            ["type": .string(type), "status": "False", "reason": .string(reason), "message": .string(message),
             "lastHeartbeatTime": .string(ts), "lastTransitionTime": .string(since)]
        }
        let readyCondition: JSONValue = ready
            ? ["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
               "lastHeartbeatTime": .string(ts), "lastTransitionTime": .string(since)]
            : ["type": "Ready", "status": "False", "reason": "KubeletNotReady",
               "message": "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
               "lastHeartbeatTime": .string(ts), "lastTransitionTime": .string(since)]
        let resources: JSONValue = ["cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "100Gi"]
        return [
            "conditions": [
                pressure("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                pressure("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                pressure("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                readyCondition,
            ],
            "addresses": [
                ["type": "InternalIP", "address": .string("172.18.0.\(index + 2)")],
                ["type": "Hostname", "address": .string(name)],
            ],
            "capacity": resources,
            "allocatable": resources,
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
            "nodeInfo": [
                "architecture": "amd64", "operatingSystem": "linux", "osImage": "jobflow-tui sandbox",
                "kernelVersion": "6.0.0-sandbox", "containerRuntimeVersion": "sandbox://1.0.0",
                "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0",
                "machineID": .string(name), "systemUUID": .string(name), "bootID": .string(name),
            ],
        ]
    }

    /// A whole Node object for create.
    func object(index: Int, now: Date) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": .object(allLabels.mapValues { .string($0) })],
            "spec": specJSON(index: index),
            "status": statusJSON(index: index, now: now, readySince: now),
        ]
    }
}
