/// Keeps only chosen fields of an object: the cache transform that lets an informer hold
/// thousands of objects in little memory. Paths are lists of keys (label keys contain dots, so
/// dotted strings would be ambiguous); a path through an array applies to every element; a path
/// that ends keeps the whole subtree there.
public struct JSONProjection: Sendable, Hashable {
    indirect enum Node: Sendable, Hashable {
        case everything
        case fields([String: Node])
    }

    let root: Node

    init(root: Node) { self.root = root }

    /// This projection applied one level down, under `key` (an envelope such as a watch event's
    /// `object` or a list's `items`), with `alsoKeep` kept whole beside it.
    public func nested(under key: String, alsoKeep: [String] = []) -> JSONProjection {
        var children: [String: Node] = [key: root]
        for other in alsoKeep { children[other] = .everything }
        return JSONProjection(root: .fields(children))
    }

    /// A projection keeping each path, e.g. `[["metadata", "name"], ["status"]]`.
    public init(_ paths: [[String]]) {
        var root = Node.fields([:])
        for path in paths { root = JSONProjection.insert(path[...], into: root) }
        self.root = root
    }

    static func insert(_ path: ArraySlice<String>, into node: Node) -> Node {
        guard let first = path.first else { return .everything }
        guard case .fields(var children) = node else { return .everything }
        children[first] = insert(path.dropFirst(), into: children[first] ?? .fields([:]))
        return .fields(children)
    }

    /// This projection plus the identity fields every cache needs (kind, apiVersion, name,
    /// namespace, uid, resourceVersion, deletionTimestamp).
    public var withIdentity: JSONProjection {
        var root = self.root
        for path in JSONProjection.identityPaths { root = JSONProjection.insert(path[...], into: root) }
        return JSONProjection(root: root)
    }

    static let identityPaths: [[String]] = [
        ["kind"], ["apiVersion"], ["metadata", "name"], ["metadata", "namespace"], ["metadata", "uid"],
        ["metadata", "resourceVersion"], ["metadata", "deletionTimestamp"],
    ]

    /// The value with everything outside the projection removed. Scalars where an object was
    /// expected are kept as they are.
    public func apply(_ value: JSONValue) -> JSONValue { JSONProjection.apply(root, to: value) }

    static func apply(_ node: Node, to value: JSONValue) -> JSONValue {
        switch (node, value) {
        case (.everything, _):
            return value
        case (.fields(let children), .object(let members)):
            var kept: [String: JSONValue] = [:]
            kept.reserveCapacity(Swift.min(children.count, members.count))
            for (key, child) in children {
                if let member = members[key] { kept[key] = apply(child, to: member) }
            }
            return .object(kept)
        case (.fields, .array(let elements)):
            return .array(elements.map { apply(node, to: $0) })
        default:
            return value
        }
    }
}
