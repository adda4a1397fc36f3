import Kube

/// `metadata.managedFields` bookkeeping. The field set is simplified: the leaf paths of what a
/// manager wrote, encoded as FieldsV1 (`{"f:spec":{"f:a":{}}}`); list elements are treated as
/// leaves (no `k:`/`v:` keys).
enum ManagedFields {
    /// The FieldsV1 set of the leaf fields in `value`, ignoring server-owned metadata.
    static func fieldSet(_ value: JSONValue, top: Bool = true) -> JSONValue {
        guard case .object(let members) = value else { return .emptyObject }
        var out: [String: JSONValue] = [:]
        for (k, v) in members {
            if top && (k == "apiVersion" || k == "kind") { continue }
            if top && k == "metadata" {
                var meta: [String: JSONValue] = [:]
                for mk in ["labels", "annotations", "finalizers", "ownerReferences"] {
                    if let mv = v[mk] { meta["f:" + mk] = (mv.objectValue != nil ? fieldSet(mv, top: false) : .emptyObject) }
                }
                if !meta.isEmpty { out["f:metadata"] = .object(meta) }
                continue
            }
            if case .object(let inner) = v, !inner.isEmpty {
                out["f:" + k] = fieldSet(v, top: false)
            } else {
                out["f:" + k] = .emptyObject
            }
        }
        return .object(out)
    }

    /// The leaf paths (lists of keys) of a FieldsV1 set.
    static func paths(_ set: JSONValue, prefix: [String] = []) -> [[String]] {
        guard case .object(let members) = set else { return [] }
        var out: [[String]] = []
        for (k, v) in members where k.hasPrefix("f:") {
            let p = prefix + [String(k.dropFirst(2))]
            let sub = paths(v, prefix: p)
            if sub.isEmpty { out.append(p) } else { out.append(contentsOf: sub) }
        }
        return out
    }

    static func entry(manager: String, operation: String, apiVersion: String, time: String, fields: JSONValue, subresource: String? = nil) -> JSONValue {
        var e: JSONValue = ["manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
                            "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": fields]
        if let subresource { e["subresource"] = .string(subresource) }
        return e
    }

    /// Records an `Update` entry for `manager`: the fields it sent on create (`previous` nil;
    /// `object` is then the request body), or the leaf fields it changed plus those it already
    /// owned on update.
    static func recordUpdate(_ object: JSONValue, manager: String, operation: String, time: String, previous: JSONValue?,
                             into target: JSONValue? = nil) -> JSONValue {
        var o = target ?? object
        var entries = (o["metadata"]?["managedFields"]?.arrayValue ?? []).filter {
            !($0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation)
        }
        let mine = (o["metadata"]?["managedFields"]?.arrayValue ?? []).first {
            $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation
        }
        var stripped = object
        stripped["metadata"]?["managedFields"] = nil
        stripped["metadata"]?["resourceVersion"] = nil
        stripped["status"] = nil
        var paths = paths(fieldSet(stripped))
        if let previous {
            paths = paths.filter { ServerSideApply.value(previous, $0) != ServerSideApply.value(object, $0) }
            let owned = ManagedFields.paths(mine?["fieldsV1"] ?? .emptyObject).filter { ServerSideApply.value(object, $0) != nil }
            paths = Array(Set(paths + owned))
        }
        if !paths.isEmpty || mine != nil {
            entries.append(entry(manager: manager, operation: operation, apiVersion: o["apiVersion"]?.stringValue ?? "",
                                 time: time, fields: ServerSideApply.fieldSet(from: paths)))
        }
        o["metadata"]?["managedFields"] = entries.isEmpty ? nil : .array(entries)
        return o
    }
}
