extension JSONValue {
    /// The RFC 7386 merge patch that turns `old` into `new`: changed members, `null` for removed
    /// ones, nested objects diffed recursively, arrays replaced whole. With no `old` (or when
    /// either side is not an object) the patch is `new` itself.
    public static func mergePatch(from old: JSONValue?, to new: JSONValue) -> JSONValue {
        guard case .object(let n) = new, case .object(let o)? = old else { return new }
        var patch: [String: JSONValue] = [:]
        for (key, value) in n where o[key] != value {
            if case .object = value, case .object = o[key] {
                patch[key] = mergePatch(from: o[key], to: value)
            } else {
                patch[key] = value
            }
        }
        for key in o.keys where n[key] == nil { patch[key] = .null }
        return .object(patch)
    }
}
