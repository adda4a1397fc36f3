import Kube

/// Server-side apply, simplified: a manager's field set is the leaf paths of its last applied
/// intent (list elements are leaves: lists are owned whole). Conflicts: a leaf path of the new
/// intent that another manager owns and whose value the intent changes (409 unless `force`,
/// which transfers ownership). Fields the manager applied before and omits now are removed
/// unless another manager owns them. The merge itself is a strategic merge for built-in kinds
/// and a JSON merge for custom resources.
enum ServerSideApply {
    static func apply(intent: JSONValue, to current: JSONValue?, manager: String, force: Bool, builtin: Bool,
                      apiVersion: String, time: String) throws(APIError) -> JSONValue {
        var intentBody = intent
        intentBody["metadata"]?["managedFields"] = nil
        intentBody["metadata"]?["resourceVersion"] = nil
        intentBody["status"] = nil
        let newSet = ManagedFields.fieldSet(intentBody)
        let newPaths = ManagedFields.paths(newSet)
        let base = current ?? .emptyObject
        var entries = base["metadata"]?["managedFields"]?.arrayValue ?? []
        // Conflicts with other managers.
        var conflicts: [(manager: String, apiVersion: String, path: [String])] = []
        var otherOwned = Set<[String]>()
        for e in entries where e["manager"]?.stringValue != manager || e["operation"]?.stringValue != "Apply" {
            let owned = Set(ManagedFields.paths(e["fieldsV1"] ?? .emptyObject))
            otherOwned.formUnion(owned)
            for p in newPaths where owned.contains(p) && !subsumes(value(base, p), value(intentBody, p)) {
                conflicts.append((e["manager"]?.stringValue ?? "", e["apiVersion"]?.stringValue ?? "", p))
            }
        }
        if !conflicts.isEmpty && !force {
            let rendered = conflicts.map { "conflict with \"\($0.manager)\"" + ($0.apiVersion.isEmpty ? "" : " using \($0.apiVersion)") + ": ." + $0.path.joined(separator: ".") }
            let message = conflicts.count == 1
                ? "Apply failed with 1 conflict: \(rendered[0])"
                : "Apply failed with \(conflicts.count) conflicts: " + rendered.joined(separator: "\n")
            let causes: [JSONValue] = conflicts.map {
                ["reason": "FieldManagerConflict", "message": .string("conflict with \"\($0.manager)\"" + ($0.apiVersion.isEmpty ? "" : " using \($0.apiVersion)")),
                 "field": .string("." + $0.path.joined(separator: "."))]
            }
            throw APIError(code: 409, reason: "Conflict", message: message, details: ["causes": .array(causes)])
        }
        // Forced: other managers lose the conflicting fields.
        if force && !conflicts.isEmpty {
            let taken = Set(conflicts.map(\.path))
            entries = entries.map { e in
                guard e["manager"]?.stringValue != manager else { return e }
                var e = e
                let kept = ManagedFields.paths(e["fieldsV1"] ?? .emptyObject).filter { !taken.contains($0) }
                e["fieldsV1"] = fieldSet(from: kept)
                return e
            }
            otherOwned.subtract(taken)
        }
        var merged = builtin ? StrategicMergePatch.apply(intentBody, to: base) : MergePatch.apply(stripNulls(intentBody), to: base)
        // Fields this manager dropped from its intent.
        if let mine = entries.first(where: { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply" }) {
            let newSetPaths = Set(newPaths)
            for p in ManagedFields.paths(mine["fieldsV1"] ?? .emptyObject) where !newSetPaths.contains(p) && !otherOwned.contains(p) {
                merged = removing(merged, p[...])
            }
        }
        entries.removeAll { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply" }
        entries = entries.filter { !ManagedFields.paths($0["fieldsV1"] ?? .emptyObject).isEmpty }
        entries.append(ManagedFields.entry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: time, fields: newSet))
        merged["metadata"]?["managedFields"] = .array(entries)
        return merged
    }

    /// Whether applying `intent` would leave `base` unchanged: equal scalars, objects whose keys
    /// are all subsumed, arrays of the same length subsumed element by element (server defaults
    /// inside list elements do not count as a different value).
    static func subsumes(_ base: JSONValue?, _ intent: JSONValue?) -> Bool {
        switch (base, intent) {
        case (.object(let b)?, .object(let i)?):
            return i.allSatisfy { subsumes(b[$0.key], $0.value) }
        case (.array(let b)?, .array(let i)?):
            return b.count == i.count && zip(b, i).allSatisfy { subsumes($0, $1) }
        default:
            return base == intent
        }
    }

    static func stripNulls(_ v: JSONValue) -> JSONValue {
        guard case .object(let m) = v else { return v }
        return .object(m.filter { !$0.value.isNull }.mapValues(stripNulls))
    }

    static func value(_ v: JSONValue, _ path: [String]) -> JSONValue? {
        var cur: JSONValue? = v
        for k in path { cur = cur?[k] }
        return cur
    }

    static func removing(_ v: JSONValue, _ path: ArraySlice<String>) -> JSONValue {
        guard let first = path.first, case .object(var m) = v else { return v }
        if path.count == 1 {
            m[first] = nil
        } else if let child = m[first] {
            let updated = removing(child, path.dropFirst())
            if case .object(let cm) = updated, cm.isEmpty { m[first] = nil } else { m[first] = updated }
        }
        return .object(m)
    }

    static func fieldSet(from paths: [[String]]) -> JSONValue {
        var root = JSONValue.emptyObject
        for p in paths {
            root = inserting(root, p[...])
        }
        return root
    }

    static func inserting(_ v: JSONValue, _ path: ArraySlice<String>) -> JSONValue {
        guard let first = path.first else { return v }
        var m = v.objectValue ?? [:]
        m["f:" + first] = inserting(m["f:" + first] ?? .emptyObject, path.dropFirst())
        return .object(m)
    }
}
