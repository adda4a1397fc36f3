import Kube

/// Strategic merge patch for built-in kinds: lists of objects merge by their key field
/// (containers/env/volumes by `name`, volumeMounts by `mountPath`, ports by `containerPort`,
/// ownerReferences by `uid`), finalizers merge as a set, other lists are replaced. Directives:
/// `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>` (order applied),
/// `$deleteFromPrimitiveList/<list>`.
enum StrategicMergePatch {
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name", "volumes": "name",
        "volumeMounts": "mountPath", "volumeDevices": "devicePath", "ports": "containerPort", "ownerReferences": "uid",
        "imagePullSecrets": "name", "hostAliases": "ip", "tolerations": "key", "conditions": "type",
        "topologySpreadConstraints": "topologyKey", "resourceClaims": "name", "readinessGates": "conditionType",
    ]
    static let setLists: Set<String> = ["finalizers"]

    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(var p) = patch else { return patch }
        if let directive = p["$patch"]?.stringValue {
            p["$patch"] = nil
            if directive == "replace" { return .object(p) }
            if directive == "delete" { return .null }
        }
        var result = target.objectValue ?? [:]
        if let retain = p["$retainKeys"]?.arrayValue {
            let keep = Set(retain.compactMap(\.stringValue))
            for k in result.keys where !keep.contains(k) { result[k] = nil }
            p["$retainKeys"] = nil
        }
        var orders: [String: [JSONValue]] = [:]
        for (k, v) in p {
            if k.hasPrefix("$setElementOrder/") {
                orders[String(k.dropFirst("$setElementOrder/".count))] = v.arrayValue ?? []
                continue
            }
            if k.hasPrefix("$deleteFromPrimitiveList/") {
                let list = String(k.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = Set(v.arrayValue ?? [])
                if let current = result[list]?.arrayValue { result[list] = .array(current.filter { !remove.contains($0) }) }
                continue
            }
            if k.hasPrefix("$") { continue }
            if v.isNull { result[k] = nil; continue }
            switch v {
            case .object:
                result[k] = apply(v, to: result[k] ?? .null)
            case .array(let items):
                if let key = mergeKeys[k], items.allSatisfy({ $0.objectValue != nil }) {
                    result[k] = .array(mergeList(items, into: result[k]?.arrayValue ?? [], key: key))
                } else if setLists.contains(k) {
                    var current = result[k]?.arrayValue ?? []
                    for item in items where !current.contains(item) { current.append(item) }
                    result[k] = .array(current)
                } else {
                    result[k] = .array(items.map { item -> JSONValue in
                        var i = item
                        if case .object = i { i["$patch"] = nil }
                        return i
                    })
                }
            default:
                result[k] = v
            }
        }
        for (list, order) in orders {
            guard let current = result[list]?.arrayValue else { continue }
            result[list] = .array(reorder(current, order: order, key: mergeKeys[list]))
        }
        return .object(result)
    }

    static func mergeList(_ patch: [JSONValue], into current: [JSONValue], key: String) -> [JSONValue] {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return patch.filter { $0["$patch"]?.stringValue != "replace" }
        }
        var out = current
        for item in patch {
            let directive = item["$patch"]?.stringValue
            let k = item[key]
            if let i = out.firstIndex(where: { $0[key] == k && k != nil }) {
                if directive == "delete" { out.remove(at: i) } else { out[i] = apply(item, to: out[i]) }
            } else if directive != "delete" {
                var fresh = item
                fresh["$patch"] = nil
                out.append(apply(fresh, to: .emptyObject))
            }
        }
        return out
    }

    static func reorder(_ items: [JSONValue], order: [JSONValue], key: String?) -> [JSONValue] {
        func id(_ v: JSONValue) -> JSONValue { key.flatMap { v[$0] } ?? v }
        let wanted = order.map { o in key.flatMap { k in o[k] } ?? o }
        var ordered: [JSONValue] = []
        for w in wanted { if let item = items.first(where: { id($0) == w }) { ordered.append(item) } }
        for item in items where !wanted.contains(id(item)) { ordered.append(item) }
        return ordered
    }
}
