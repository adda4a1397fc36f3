import Kube

/// Where the scheduler puts a pod, or why it cannot.
public enum SchedulingDecision: Sendable, Hashable {
    case bind(node: String)
    /// `message` is the scheduler's, e.g. `0/3 nodes are available: 3 node(s) were unschedulable.`
    case unschedulable(message: String)
}

/// The sandbox scheduler's filters and choice, as pure functions of Pod and Node objects.
///
/// Filters run per node in kube-scheduler's order and the first failure is that node's reason:
/// NodeUnschedulable, TaintToleration (NoSchedule and NoExecute; a NotReady node counts as
/// tainted `node.kubernetes.io/not-ready`), NodeAffinity (nodeSelector and required node
/// affinity). Resources, ports and inter-pod affinity are not simulated. Among feasible nodes the
/// one with the fewest pods wins, ties broken by name.
public enum Scheduler {
    /// Picks a node for `pod`, or explains (as kube-scheduler does) why none fits.
    public static func decide(pod: JSONValue, nodes: [JSONValue], podsPerNode: [String: Int]) -> SchedulingDecision {
        guard !nodes.isEmpty else { return .unschedulable(message: "no nodes available to schedule pods") }
        var feasible: [String] = []
        var reasons: [String: Int] = [:]
        for node in nodes {
            guard let name = node[path: "metadata.name"]?.stringValue else { continue }
            if let reason = filter(pod: pod, node: node) {
                reasons[reason, default: 0] += 1
            } else {
                feasible.append(name)
            }
        }
        if let best = feasible.min(by: { a, b in
            let (ca, cb) = (podsPerNode[a] ?? 0, podsPerNode[b] ?? 0)
            return ca != cb ? ca < cb : a < b
        }) {
            return .bind(node: best)
        }
        let parts = reasons.map { "\($0.value) \($0.key)" }.sorted()
        return .unschedulable(message: "0/\(nodes.count) nodes are available: \(parts.joined(separator: ", ")).")
    }

    /// `nil` when the pod fits the node, else the reason (`node(s) were unschedulable`, …).
    public static func filter(pod: JSONValue, node: JSONValue) -> String? {
        let tolerations = pod[path: "spec.tolerations"]?.arrayValue ?? []
        if node[path: "spec.unschedulable"]?.boolValue == true,
           !tolerations.contains(where: { tolerates($0, Taint(key: Taint.unschedulable, effect: "NoSchedule")) }) {
            return "node(s) were unschedulable"
        }
        for taint in taints(of: node) where taint.effect == "NoSchedule" || taint.effect == "NoExecute" {
            if !tolerations.contains(where: { tolerates($0, taint) }) {
                return "node(s) had untolerated taint {\(taint.key): \(taint.value)}"
            }
        }
        if !matchesNodeSelector(pod: pod, node: node) || !matchesRequiredAffinity(pod: pod, node: node) {
            return "node(s) didn't match Pod's node affinity/selector"
        }
        return nil
    }

    /// The kubelet's own admission check of a pod bound to its node (the scheduler may have been
    /// bypassed with `spec.nodeName`): node affinity/selector, and `NoExecute` taints only.
    /// `nil` admits; otherwise the pod is rejected with this `status.reason` and `status.message`.
    public static func kubeletAdmission(pod: JSONValue, node: JSONValue) -> (reason: String, message: String)? {
        if !matchesNodeSelector(pod: pod, node: node) || !matchesRequiredAffinity(pod: pod, node: node) {
            return ("NodeAffinity", "Pod was rejected: Predicate NodeAffinity failed")
        }
        if untoleratedNoExecuteTaint(pod: pod, node: node) != nil {
            return ("TaintToleration", "Pod was rejected: Predicate TaintToleration failed")
        }
        return nil
    }

    /// The first `NoExecute` taint of the node the pod does not tolerate (a toleration with
    /// `tolerationSeconds` counts as tolerating: timed evictions are not simulated).
    public static func untoleratedNoExecuteTaint(pod: JSONValue, node: JSONValue) -> Taint? {
        let tolerations = pod[path: "spec.tolerations"]?.arrayValue ?? []
        return taints(of: node).first { taint in taint.effect == "NoExecute" && !tolerations.contains { tolerates($0, taint) } }
    }

    /// The node's taints, plus `node.kubernetes.io/not-ready:NoSchedule` when it is not Ready and
    /// does not carry that taint already.
    static func taints(of node: JSONValue) -> [Taint] {
        var all = (node[path: "spec.taints"]?.arrayValue ?? []).compactMap(Taint.init(json:))
        if !isReady(node), !all.contains(where: { $0.key == Taint.notReady }) {
            all.append(Taint(key: Taint.notReady, effect: "NoSchedule"))
        }
        return all
    }

    /// Whether the node's `Ready` condition is `True`.
    public static func isReady(_ node: JSONValue) -> Bool {
        (node[path: "status.conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }

    /// Toleration semantics: empty effect matches every effect; `Exists` with an empty key
    /// tolerates everything; `Equal` (the default) needs the same value.
    static func tolerates(_ toleration: JSONValue, _ taint: Taint) -> Bool {
        let effect = toleration["effect"]?.stringValue ?? ""
        if !effect.isEmpty, effect != taint.effect { return false }
        let key = toleration["key"]?.stringValue ?? ""
        let op = toleration["operator"]?.stringValue ?? "Equal"
        if key.isEmpty { return op == "Exists" }
        guard key == taint.key else { return false }
        switch op {
        case "Exists": return true
        case "Equal": return (toleration["value"]?.stringValue ?? "") == taint.value
        default: return false
        }
    }

    static func labels(of node: JSONValue) -> [String: String] {
        (node[path: "metadata.labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    static func matchesNodeSelector(pod: JSONValue, node: JSONValue) -> Bool {
        let selector = (pod[path: "spec.nodeSelector"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let nodeLabels = labels(of: node)
        return selector.allSatisfy { nodeLabels[$0.key] == $0.value }
    }

    /// `requiredDuringSchedulingIgnoredDuringExecution`: the terms are ORed; within a term every
    /// expression and field must match; a term with neither matches nothing.
    static func matchesRequiredAffinity(pod: JSONValue, node: JSONValue) -> Bool {
        guard let required = pod[path: "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"],
              let terms = required["nodeSelectorTerms"]?.arrayValue else { return true }
        let nodeLabels = labels(of: node)
        let fields = ["metadata.name": node[path: "metadata.name"]?.stringValue ?? ""]
        return terms.contains { term in
            let expressions = term["matchExpressions"]?.arrayValue ?? []
            let fieldExpressions = term["matchFields"]?.arrayValue ?? []
            if expressions.isEmpty && fieldExpressions.isEmpty { return false }
            return expressions.allSatisfy { matches($0, nodeLabels) }
                && fieldExpressions.allSatisfy { matches($0, fields, fieldsOnly: true) }
        }
    }

    static func matches(_ requirement: JSONValue, _ labels: [String: String], fieldsOnly: Bool = false) -> Bool {
        guard let key = requirement["key"]?.stringValue, let op = requirement["operator"]?.stringValue else { return false }
        let values = (requirement["values"]?.arrayValue ?? []).compactMap(\.stringValue)
        let value = labels[key]
        switch op {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists" where !fieldsOnly: return value != nil
        case "DoesNotExist" where !fieldsOnly: return value == nil
        case "Gt" where !fieldsOnly, "Lt" where !fieldsOnly:
            guard values.count == 1, let bound = Int64(values[0]), let v = value.flatMap({ Int64($0) }) else { return false }
            return op == "Gt" ? v > bound : v < bound
        default: return false
        }
    }
}
