/// An immutable view of the informer cache at one moment: cheap to take, never changes afterwards.
///
/// It is stale as soon as it is taken: the store keeps applying watch events. Use it to render or
/// to read the world at the start of a reconcile, never to decide that something does not exist
/// without checking `hasSynced`.
public struct StoreSnapshot: Sendable {
    /// Objects by key (`namespace/name`, or `name` when cluster-scoped), already transformed.
    public internal(set) var objects: [String: JSONValue] = [:]
    /// Index name → index value → keys.
    public internal(set) var indices: [String: [String: Set<String>]] = [:]
    /// The resourceVersion of the last list, event or bookmark applied.
    public internal(set) var resourceVersion: String?
    /// True once a complete list has been applied.
    public internal(set) var hasSynced = false

    public init() {}

    /// The object with this key, if cached.
    public func object(forKey key: String) -> JSONValue? { objects[key] }

    /// The object `name` in `namespace` (`nil` for cluster-scoped), if cached.
    public func object(namespace: String?, name: String) -> JSONValue? {
        objects[Store.key(namespace: namespace, name: name)]
    }

    /// Every cached object, sorted by key.
    public var sortedObjects: [JSONValue] {
        objects.keys.sorted().compactMap { objects[$0] }
    }

    /// Keys whose objects produced `value` under the indexer `index`, sorted.
    public func keys(index: String, value: String) -> [String] {
        (indices[index]?[value] ?? []).sorted()
    }

    /// The objects whose indexer `index` produced `value`, sorted by key.
    public func objects(index: String, value: String) -> [JSONValue] {
        keys(index: index, value: value).compactMap { objects[$0] }
    }

    /// Number of cached objects.
    public var count: Int { objects.count }
}
