/// An immutable view of the informer cache at one moment: cheap to take, never changes afterwards.
///
/// It is stale as soon as it is taken: the store keeps applying watch events. Use it to render or
/// to read the world at the start of a reconcile, never to decide that something does not exist
/// without checking `hasSynced`.
public struct StoreSnapshot: Sendable {
    /// Entries by key (`namespace/name`, or `name` when cluster-scoped), already transformed.
    var entries: [String: StoreEntry] = [:]
    /// Index name → index value → keys.
    public internal(set) var indices: [String: [String: IndexKeys]] = [:]
    /// The resourceVersion of the last list, event or bookmark applied.
    public internal(set) var resourceVersion: String?
    /// True once a complete list has been applied.
    public internal(set) var hasSynced = false

    public init() {}

    /// Every cached object by key. With the compact encoding this decodes every object: prefer
    /// the lookups below.
    public var objects: [String: JSONValue] { entries.mapValues(\.value) }

    /// Every key, unsorted.
    public var keys: Dictionary<String, StoreEntry>.Keys { entries.keys }

    /// The object with this key, if cached.
    public func object(forKey key: String) -> JSONValue? { entries[key]?.value }

    /// The object `name` in `namespace` (`nil` for cluster-scoped), if cached.
    public func object(namespace: String?, name: String) -> JSONValue? {
        entries[Store.key(namespace: namespace, name: name)]?.value
    }

    /// Every cached object, sorted by key.
    public var sortedObjects: [JSONValue] {
        entries.keys.sorted().compactMap { entries[$0]?.value }
    }

    /// Keys whose objects produced `value` under the indexer `index`, sorted.
    public func keys(index: String, value: String) -> [String] {
        indices[index]?[value]?.sorted ?? []
    }

    /// The objects whose indexer `index` produced `value`, sorted by key.
    public func objects(index: String, value: String) -> [JSONValue] {
        keys(index: index, value: value).compactMap { entries[$0]?.value }
    }

    /// Number of cached objects.
    public var count: Int { entries.count }
}

/// How the store keeps objects in memory.
public enum StoreEncoding: Sendable, Hashable {
    /// As `JSONValue` trees: fastest to read, ~10 KB for a projected Job.
    case tree
    /// Packed (`PackedJSON`): recurring strings as one byte from `vocabulary`, timestamps, UUIDs
    /// and resourceVersions as numbers; ~0.4 KB for a projected Job, unpacked on every read
    /// (microseconds for a small object).
    case packed(PackedJSONVocabulary)

    /// Packed with the Kubernetes vocabulary.
    public static var compact: StoreEncoding { .packed(.kubernetes) }
}

/// One cached object, as a tree or packed.
public enum StoreEntry: Sendable, Hashable {
    case tree(JSONValue)
    case packed([UInt8], PackedJSONVocabulary)

    /// `value` kept the way `encoding` says.
    public init(_ value: JSONValue, encoding: StoreEncoding) {
        switch encoding {
        case .tree: self = .tree(value)
        case .packed(let vocabulary): self = .packed(PackedJSON.pack(value, vocabulary: vocabulary), vocabulary)
        }
    }

    /// The object. Packed bytes were written by this process, so unpacking cannot fail; if it
    /// somehow did, the entry reads as `null` rather than crashing a reader.
    public var value: JSONValue {
        switch self {
        case .tree(let value): return value
        case .packed(let bytes, let vocabulary): return PackedJSON.unpack(bytes, vocabulary: vocabulary) ?? .null
        }
    }
}
