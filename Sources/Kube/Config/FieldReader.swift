import Foundation

/// Typed reads of one kubeconfig mapping; every failure names its place and field. Errors never
/// quote a value that may be secret (data fields, tokens, passwords).
struct FieldReader {
    var fields: [String: JSONValue]
    var place: ConfigPlace
    /// Relative paths resolve against this directory (the defining kubeconfig's).
    var directory: String

    /// A path as written and as resolved, for messages: `./key.pem (resolved to /abs/key.pem)`.
    struct ResolvedPath {
        var written: String
        var resolved: String
        var display: String { written == resolved ? written : "\(written) (resolved to \(resolved))" }
    }

    /// Strings, and numbers or booleans that YAML typed for us (`namespace: 2024`); empty is unset.
    func string(_ key: String) throws(KubeError) -> String? {
        guard let value = fields[key], !value.isNull else { return nil }
        guard let s = Self.scalarString(value) else {
            throw place.error(key, "expected a string, found \(value.typeName)")
        }
        return s.isEmpty ? nil : s
    }

    static func scalarString(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    func bool(_ key: String) throws(KubeError) -> Bool? {
        guard let value = fields[key], !value.isNull else { return nil }
        switch value {
        case .bool(let b): return b
        case .string("true"): return true
        case .string("false"): return false
        default: throw place.error(key, "expected true or false, found \(value.typeName)")
        }
    }

    func path(_ key: String) throws(KubeError) -> ResolvedPath? {
        guard let written = try string(key) else { return nil }
        return ResolvedPath(written: written, resolved: FilePaths.resolve(written, against: directory))
    }

    /// PEM bytes from `file` (a path) or `data` (base64); both set is an error.
    func material(file fileKey: String, data dataKey: String) throws(KubeError) -> [UInt8]? {
        let path = try self.path(fileKey)
        guard let dataValue = fields[dataKey], !dataValue.isNull else {
            guard let path else { return nil }
            switch FilePaths.read(path.resolved) {
            case .success(let bytes): return bytes
            case .failure(let e): throw place.error(fileKey, "file \(path.display) not readable: \(e)")
            }
        }
        if path != nil {
            throw place.error(dataKey, "both \(fileKey) and \(dataKey) are set; keep one")
        }
        guard let encoded = dataValue.stringValue else {
            throw place.error(dataKey, "expected a base64 string, found \(dataValue.typeName)")
        }
        let compact = encoded.filter { !$0.isWhitespace }
        if compact.isEmpty { return nil }
        guard let data = Data(base64Encoded: compact) else {
            throw place.error(dataKey, "not valid base64 (\(compact.count) characters); the value must be the "
                + "base64 encoding of the PEM file")
        }
        return Array(data)
    }
}
