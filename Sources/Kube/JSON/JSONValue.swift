/// A JSON document as a value: the representation every Kubernetes object travels in.
///
/// Objects keep every field they arrived with, known or not, so a read-modify-write round trip
/// never drops a field this client does not model. Integers and floating-point numbers are kept
/// apart so that `int64` fields survive exactly.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An empty object.
    public static let emptyObject = JSONValue.object([:])
}

extension JSONValue {
    /// The member `key` of an object; `nil` for a missing key or a value that is not an object.
    /// Setting a value on a non-object turns it into an object; setting `nil` removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let members) = self { return members[key] }
            return nil
        }
        set {
            var members: [String: JSONValue]
            if case .object(let existing) = self { members = existing } else { members = [:] }
            self = .null  // drop the reference so `members` is uniquely owned
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The element at `index` of an array; `nil` when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// The value at a dotted path of object keys (`"metadata.name"`); `nil` if any step is missing.
    public subscript(path path: String) -> JSONValue? {
        get {
            // Hot in every controller loop: walk the dots without allocating an array of keys.
            let utf8 = path.utf8
            var current = self
            var start = utf8.startIndex
            while true {
                let end = utf8[start...].firstIndex(of: UInt8(ascii: ".")) ?? utf8.endIndex
                guard case .object(let members) = current, let next = members[String(path[start..<end])] else { return nil }
                current = next
                if end == utf8.endIndex { return current }
                start = utf8.index(after: end)
            }
        }
        set {
            let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            setValue(newValue, at: keys[...])
        }
    }

    private mutating func setValue(_ value: JSONValue?, at keys: ArraySlice<String>) {
        guard let first = keys.first else {
            self = value ?? .null
            return
        }
        if keys.count == 1 {
            self[first] = value
            return
        }
        var child = self[first] ?? .emptyObject
        if case .object = child {} else { child = .emptyObject }
        self[first] = nil
        child.setValue(value, at: keys.dropFirst())
        self[first] = child
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as an integer: an `int`, or a `double` with no fractional part.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name for the JSON type, for error messages ("string", "object", …).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON with sorted keys.
    public var description: String { serializedString(sortedKeys: true) }
}
