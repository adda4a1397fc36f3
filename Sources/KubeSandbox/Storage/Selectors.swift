import Kube

/// A parsed label selector: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
/// comma meaning AND.
struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case inSet(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case notExists(String)
    }

    var requirements: [Requirement] = []

    init(parsing text: String?) throws(APIError) {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        // Split on commas outside parentheses.
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        for raw in parts {
            let part = raw.trimmingCharacters(in: .whitespaces)
            if part.isEmpty { throw StatusErrors.badRequest("unable to parse requirement: found '', expected: identifier") }
            requirements.append(try LabelSelector.parseRequirement(part, whole: text))
        }
    }

    private static func parseRequirement(_ part: String, whole: String) throws(APIError) -> Requirement {
        if part.hasPrefix("!") {
            let key = part.dropFirst().trimmingCharacters(in: .whitespaces)
            try validateKey(key)
            return .notExists(key)
        }
        if let r = part.range(of: "!=") {
            return .notEquals(try key(part[..<r.lowerBound]), value(part[r.upperBound...]))
        }
        if let r = part.range(of: "==") {
            return .equals(try key(part[..<r.lowerBound]), value(part[r.upperBound...]))
        }
        if let r = part.range(of: "=") {
            return .equals(try key(part[..<r.lowerBound]), value(part[r.upperBound...]))
        }
        let words = part.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let rest = words[1].trimmingCharacters(in: .whitespaces)
            for op in ["notin", "in"] where rest.hasPrefix(op) {
                let setText = rest.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
                guard setText.hasPrefix("("), setText.hasSuffix(")") else {
                    throw StatusErrors.badRequest("unable to parse requirement: found '\(setText)', expected: '('")
                }
                let values = Set(setText.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                let k = try key(Substring(words[0]))
                return op == "in" ? .inSet(k, values) : .notIn(k, values)
            }
            throw StatusErrors.badRequest("unable to parse requirement: found '\(rest)', expected: in, notin, =, ==, !=, gt, lt")
        }
        try validateKey(part)
        return .exists(part)
    }

    private static func key(_ s: Substring) throws(APIError) -> String {
        let k = s.trimmingCharacters(in: .whitespaces)
        try validateKey(k)
        return k
    }

    private static func value(_ s: Substring) -> String { s.trimmingCharacters(in: .whitespaces) }

    private static func validateKey(_ key: String) throws(APIError) {
        if key.isEmpty || key.contains(" ") || key.contains("(") || key.contains(")") {
            throw StatusErrors.badRequest("unable to parse requirement: invalid label key \"\(key)\"")
        }
    }

    func matches(_ labels: [String: String]) -> Bool {
        for r in requirements {
            switch r {
            case .equals(let k, let v): if labels[k] != v { return false }
            case .notEquals(let k, let v): if labels[k] == v { return false }
            case .inSet(let k, let vs): guard let v = labels[k], vs.contains(v) else { return false }
            case .notIn(let k, let vs): if let v = labels[k], vs.contains(v) { return false }
            case .exists(let k): if labels[k] == nil { return false }
            case .notExists(let k): if labels[k] != nil { return false }
            }
        }
        return true
    }

    func matches(object: JSONValue) -> Bool {
        if requirements.isEmpty { return true }
        var labels: [String: String] = [:]
        for (k, v) in object["metadata"]?["labels"]?.objectValue ?? [:] { labels[k] = v.stringValue ?? "" }
        return matches(labels)
    }
}

/// A parsed field selector (`=`, `==`, `!=`, comma = AND) over the fields a kind supports.
struct FieldSelector: Sendable {
    var requirements: [(field: String, value: String, equal: Bool)] = []

    init(parsing text: String?, info: ResourceInfo) throws(APIError) {
        guard let text, !text.isEmpty else { return }
        let supported = FieldSelector.supportedFields(info)
        for raw in text.split(separator: ",") {
            let part = String(raw)
            let (field, value, equal): (String, String, Bool)
            if let r = part.range(of: "!=") {
                (field, value, equal) = (String(part[..<r.lowerBound]), String(part[r.upperBound...]), false)
            } else if let r = part.range(of: "==") {
                (field, value, equal) = (String(part[..<r.lowerBound]), String(part[r.upperBound...]), true)
            } else if let r = part.range(of: "=") {
                (field, value, equal) = (String(part[..<r.lowerBound]), String(part[r.upperBound...]), true)
            } else {
                throw StatusErrors.badRequest("invalid selector: '\(text)'; can't understand '\(part)'")
            }
            let f = field.trimmingCharacters(in: .whitespaces)
            guard supported.contains(f) else {
                if info.isCustom {
                    throw StatusErrors.badRequest("\"\(f)\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
                }
                throw StatusErrors.badRequest("field label not supported: \(f)")
            }
            requirements.append((f, value.trimmingCharacters(in: .whitespaces), equal))
        }
    }

    static func supportedFields(_ info: ResourceInfo) -> Set<String> {
        var fields: Set<String> = ["metadata.name", "metadata.namespace"]
        guard !info.isCustom else { return fields }
        switch (info.resource.group, info.resource.plural) {
        case ("", "pods"):
            fields.formUnion(["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                              "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"])
        case ("batch", "jobs"): fields.insert("status.successful")
        case ("", "events"):
            fields.formUnion(["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                              "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                              "reason", "reportingComponent", "source", "type"])
        case ("", "namespaces"): fields.insert("status.phase")
        case ("", "nodes"): fields.insert("spec.unschedulable")
        default: break
        }
        return fields
    }

    /// The string value of a selectable field, as the apiserver's field set renders it.
    static func fieldValue(_ object: JSONValue, _ field: String) -> String {
        switch field {
        case "status.successful":
            return String(object["status"]?["succeeded"]?.intValue ?? 0)
        case "spec.hostNetwork":
            return (object["spec"]?["hostNetwork"]?.boolValue ?? false) ? "true" : "false"
        case "spec.unschedulable":
            return (object["spec"]?["unschedulable"]?.boolValue ?? false) ? "true" : "false"
        case "status.podIPs":
            return object["status"]?["podIPs"]?[0]?["ip"]?.stringValue ?? ""
        case "source":
            return object["source"]?["component"]?.stringValue ?? ""
        default:
            let v = object[path: field]
            switch v {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .bool(let b): return b ? "true" : "false"
            default: return ""
            }
        }
    }

    func matches(object: JSONValue) -> Bool {
        for r in requirements {
            let v = FieldSelector.fieldValue(object, r.field)
            if (v == r.value) != r.equal { return false }
        }
        return true
    }
}
