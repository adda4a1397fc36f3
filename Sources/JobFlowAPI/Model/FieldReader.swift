import Kube

/// Reads typed fields out of a `JSONValue`, recording a `Finding` with the exact field path for
/// every value of the wrong type instead of throwing. Hostile input never traps: wrong types
/// become findings and a usable default.
struct FieldReader {
    var findings: [Finding] = []

    mutating func fail(_ path: String, _ message: String, reason: FindingReason = .invalidField) {
        findings.append(Finding(reason: reason, path: path, message: message))
    }

    mutating func warn(_ path: String, _ message: String, reason: FindingReason) {
        findings.append(Finding(.warning, reason: reason, path: path, message: message))
    }

    mutating func string(_ value: JSONValue?, _ path: String) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let s = value.stringValue else {
            fail(path, "must be a string, not \(value.typeName)")
            return nil
        }
        return s
    }

    mutating func object(_ value: JSONValue?, _ path: String) -> [String: JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard let o = value.objectValue else {
            fail(path, "must be an object, not \(value.typeName)")
            return nil
        }
        return o
    }

    mutating func array(_ value: JSONValue?, _ path: String) -> [JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard let a = value.arrayValue else {
            fail(path, "must be a list, not \(value.typeName)")
            return nil
        }
        return a
    }

    /// A map of strings (labels, annotations); non-string values are reported and dropped.
    mutating func stringMap(_ value: JSONValue?, _ path: String) -> [String: String] {
        guard let members = object(value, path) else { return [:] }
        var result: [String: String] = [:]
        for key in members.keys.sorted() {
            if let s = string(members[key], "\(path)[\(key)]") { result[key] = s }
        }
        return result
    }

    /// A list of objects (env vars, volumes, mounts); each must be an object with a string `name`.
    mutating func namedObjects(_ value: JSONValue?, _ path: String) -> [JSONValue] {
        guard let items = array(value, path) else { return [] }
        var result: [JSONValue] = []
        for (i, item) in items.enumerated() {
            guard item.objectValue != nil else {
                fail("\(path)[\(i)]", "must be an object, not \(item.typeName)")
                continue
            }
            guard let name = item["name"]?.stringValue, !name.isEmpty else {
                fail("\(path)[\(i)].name", "is required")
                continue
            }
            result.append(item)
        }
        return result
    }
}
