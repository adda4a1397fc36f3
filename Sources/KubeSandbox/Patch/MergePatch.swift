import Kube

/// RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces.
enum MergePatch {
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result: [String: JSONValue] = target.objectValue ?? [:]
        for (k, v) in patchMembers {
            if v.isNull {
                result[k] = nil
            } else {
                result[k] = apply(v, to: result[k] ?? .null)
            }
        }
        return .object(result)
    }
}

/// RFC 6902 JSON patch: add, remove, replace, move, copy, test; paths are JSON pointers with
/// `~1` for `/` and `~0` for `~`.
enum JSONPatch {
    static func apply(_ operations: JSONValue, to target: JSONValue) throws(APIError) -> JSONValue {
        guard let ops = operations.arrayValue else {
            throw StatusErrors.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        }
        var doc = target
        for op in ops {
            let name = op["op"]?.stringValue ?? ""
            guard let path = op["path"]?.stringValue else { throw StatusErrors.badRequest("the server rejected our request due to an error in our request") }
            let tokens = try pointer(path)
            switch name {
            case "add": doc = try set(doc, tokens[...], try value(op), insert: true)
            case "replace":
                _ = try get(doc, tokens[...], path: path)
                doc = try set(doc, tokens[...], try value(op), insert: false)
            case "remove": doc = try removing(doc, tokens[...], path: path)
            case "move", "copy":
                guard let from = op["from"]?.stringValue else { throw StatusErrors.badRequest("missing from in \(name) operation") }
                let fromTokens = try pointer(from)
                let v = try get(doc, fromTokens[...], path: from)
                if name == "move" { doc = try removing(doc, fromTokens[...], path: from) }
                doc = try set(doc, tokens[...], v, insert: true)
            case "test":
                let current = try get(doc, tokens[...], path: path)
                if current != (try value(op)) {
                    throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: testing value \(path) failed: test failed")
                }
            default:
                throw StatusErrors.badRequest("Unexpected kind: \(name)")
            }
        }
        return doc
    }

    static func value(_ op: JSONValue) throws(APIError) -> JSONValue {
        guard case .object(let m) = op, let v = m["value"] else { throw StatusErrors.badRequest("missing value in operation") }
        return v
    }

    static func pointer(_ path: String) throws(APIError) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw StatusErrors.badRequest("JSON pointer must be empty or start with a \"/\": \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func missing(_ path: String) -> APIError {
        APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: doc is missing path: \"\(path)\": missing value")
    }

    static func get(_ doc: JSONValue, _ tokens: ArraySlice<String>, path: String) throws(APIError) -> JSONValue {
        guard let first = tokens.first else { return doc }
        switch doc {
        case .object(let m):
            guard let child = m[first] else { throw missing(path) }
            return try get(child, tokens.dropFirst(), path: path)
        case .array(let a):
            guard let i = Int(first), a.indices.contains(i) else { throw missing(path) }
            return try get(a[i], tokens.dropFirst(), path: path)
        default: throw missing(path)
        }
    }

    static func set(_ doc: JSONValue, _ tokens: ArraySlice<String>, _ value: JSONValue, insert: Bool) throws(APIError) -> JSONValue {
        guard let first = tokens.first else { return value }
        let path = "/" + tokens.joined(separator: "/")
        switch doc {
        case .object(var m):
            if tokens.count == 1 { m[first] = value; return .object(m) }
            guard let child = m[first] else { throw missing(path) }
            m[first] = try set(child, tokens.dropFirst(), value, insert: insert)
            return .object(m)
        case .array(var a):
            if tokens.count == 1 {
                if first == "-" && insert { a.append(value); return .array(a) }
                guard let i = Int(first), i >= 0, i <= a.count, insert || i < a.count else { throw missing(path) }
                if insert { a.insert(value, at: i) } else { a[i] = value }
                return .array(a)
            }
            guard let i = Int(first), a.indices.contains(i) else { throw missing(path) }
            a[i] = try set(a[i], tokens.dropFirst(), value, insert: insert)
            return .array(a)
        default: throw missing(path)
        }
    }

    static func removing(_ doc: JSONValue, _ tokens: ArraySlice<String>, path: String) throws(APIError) -> JSONValue {
        guard let first = tokens.first else { return .null }
        switch doc {
        case .object(var m):
            guard let child = m[first] else { throw missing(path) }
            if tokens.count == 1 { m[first] = nil } else { m[first] = try removing(child, tokens.dropFirst(), path: path) }
            return .object(m)
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw missing(path) }
            if tokens.count == 1 { a.remove(at: i) } else { a[i] = try removing(a[i], tokens.dropFirst(), path: path) }
            return .array(a)
        default: throw missing(path)
        }
    }
}
