import JobFlowAPI
import Kube

/// A DaemonSet's eligibility rules, plus the operator's: cordoned and NotReady nodes are skipped.
public enum NodeEligibility {
    /// Taints a DaemonSet pod tolerates automatically (NoSchedule/NoExecute variants).
    static let autoTolerated: Set<String> = [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
        "node.kubernetes.io/network-unavailable",
    ]

    /// Nil when `node` should run the DaemonJob's Job; else the reason and a message.
    /// `podSpec` is the DaemonJob's `template.spec`.
    public static func skipReason(node: JSONValue, podSpec: JSONValue?, excluded: ExcludeNodeList) -> (reason: SkipReason, message: String)? {
        let name = node[path: "metadata.name"]?.stringValue ?? ""
        if excluded.contains(name) { return (.excluded, "listed in excludeNodeList") }
        let ready = (node[path: "status.conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == KubernetesWords.nodeReady }
        if ready?["status"]?.stringValue != KubernetesWords.conditionTrue {
            return (.notReady, "node is not Ready" + (ready?["reason"]?.stringValue.map { " (\($0))" } ?? ""))
        }
        if node[path: "spec.unschedulable"]?.boolValue == true { return (.unschedulable, "node is cordoned") }
        let labels = (node[path: "metadata.labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        for (key, value) in (podSpec?["nodeSelector"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            if labels[key] != value.stringValue {
                return (.nodeSelectorMismatch, "nodeSelector \(key)=\(value.stringValue ?? "") does not match")
            }
        }
        if let terms = podSpec?[path: "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"]?.arrayValue,
           !terms.isEmpty, !terms.contains(where: { termMatches($0, name: name, labels: labels) }) {
            return (.nodeSelectorMismatch, "required node affinity does not match")
        }
        let tolerations = podSpec?["tolerations"]?.arrayValue ?? []
        for taint in node[path: "spec.taints"]?.arrayValue ?? [] {
            let effect = taint["effect"]?.stringValue ?? ""
            guard effect == "NoSchedule" || effect == "NoExecute" else { continue }
            let key = taint["key"]?.stringValue ?? ""
            if autoTolerated.contains(key) { continue }
            if !tolerations.contains(where: { tolerates($0, taint: taint) }) {
                let value = taint["value"]?.stringValue.map { "=\($0)" } ?? ""
                return (.taintNotTolerated, "taint \(key)\(value):\(effect) is not tolerated")
            }
        }
        return nil
    }

    /// A nodeSelectorTerm: every expression and field must match; an empty term matches nothing.
    static func termMatches(_ term: JSONValue, name: String, labels: [String: String]) -> Bool {
        let expressions = term["matchExpressions"]?.arrayValue ?? []
        let fields = term["matchFields"]?.arrayValue ?? []
        if expressions.isEmpty && fields.isEmpty { return false }
        for e in expressions where !requirementMatches(e, value: labels[e["key"]?.stringValue ?? ""]) { return false }
        for f in fields {
            let value = f["key"]?.stringValue == "metadata.name" ? name : nil
            if !requirementMatches(f, value: value) { return false }
        }
        return true
    }

    static func requirementMatches(_ r: JSONValue, value: String?) -> Bool {
        let values = (r["values"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch r["operator"]?.stringValue {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt": return compare(value, values.first, >)
        case "Lt": return compare(value, values.first, <)
        default: return false
        }
    }

    static func compare(_ a: String?, _ b: String?, _ op: (Int64, Int64) -> Bool) -> Bool {
        guard let a = a.flatMap({ Int64($0) }), let b = b.flatMap({ Int64($0) }) else { return false }
        return op(a, b)
    }

    /// A toleration matches a taint by key (empty key with Exists matches all), value and effect.
    static func tolerates(_ t: JSONValue, taint: JSONValue) -> Bool {
        let key = t["key"]?.stringValue ?? ""
        let op = t["operator"]?.stringValue ?? "Equal"
        let effect = t["effect"]?.stringValue ?? ""
        if !effect.isEmpty, effect != taint["effect"]?.stringValue { return false }
        if key.isEmpty { return op == "Exists" }
        if key != taint["key"]?.stringValue { return false }
        if op == "Exists" { return true }
        return (t["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
    }
}
