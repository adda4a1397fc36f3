import Synchronization

/// A change the store made while applying a watcher event; informers turn them into handler calls.
public enum StoreChange: Sendable {
    case added(JSONValue)
    case updated(old: JSONValue, new: JSONValue)
    case deleted(JSONValue)
}

/// The informer cache: one writer applies `WatcherEvent`s, any number of readers take snapshots.
///
/// Readers never block the writer for longer than a copy-on-write struct copy under a lock.
/// Everything a reader sees is stale: it lags the API server by the watch latency, and by a full
/// backoff while the watch is failing. Objects are stored after `transform`; indexes are kept
/// up to date with every write.
public final class Store: Sendable {
    /// Produces the index values of an object (for example owner UIDs, `key=value` labels).
    public typealias Indexer = @Sendable (JSONValue) -> [String]

    /// Name of the built-in index of controller owner UIDs.
    public static let controllerOwnerIndex = "controllerOwner"
    /// Name of the optional index of `key=value` labels (register `Store.labelPairs` under it).
    public static let labelIndex = "label"

    private let snapshotState = Mutex(StoreSnapshot())
    /// Applied to every object before it is stored; must be idempotent (the watcher may apply it first).
    public let transform: @Sendable (JSONValue) -> JSONValue
    private let indexers: [String: Indexer]
    /// How objects are kept: trees, or compact bytes for large caches.
    public let encoding: StoreEncoding

    /// A store with `transform` applied before storing, the controller-owner index plus these
    /// named indexers (`[Store.labelIndex: Store.labelPairs]` adds the label index), and `encoding`.
    public init(transform: @escaping @Sendable (JSONValue) -> JSONValue = Store.defaultTransform,
                indexers: [String: Indexer] = [:], encoding: StoreEncoding = .tree) {
        self.transform = transform
        self.encoding = encoding
        var all: [String: Indexer] = [Store.controllerOwnerIndex: Store.controllerOwnerUIDs]
        all.merge(indexers) { _, custom in custom }
        self.indexers = all
    }

    /// The current contents as an immutable value (stale as soon as it returns).
    public func snapshot() -> StoreSnapshot { snapshotState.withLock { $0 } }

    /// Whether a complete list has been applied.
    public var hasSynced: Bool { snapshotState.withLock { $0.hasSynced } }

    /// One cached object by namespace and name.
    public func object(namespace: String?, name: String) -> JSONValue? {
        object(forKey: Store.key(namespace: namespace, name: name))
    }

    // Lookups that need a few objects read them here rather than through `snapshot()`: a snapshot
    // still alive when the informer writes makes that write copy the whole cache (copy on write),
    // while these hold the lock only to pick the entries and unpack them after it is released.

    /// One cached object by key (`namespace/name`, or `name`).
    public func object(forKey key: String) -> JSONValue? {
        snapshotState.withLock { $0.entries[key] }?.value
    }

    /// The objects filed under `value` in the index `index`, sorted by key.
    public func objects(index: String, value: String) -> [JSONValue] {
        let entries = snapshotState.withLock { s in
            s.keys(index: index, value: value).compactMap { s.entries[$0] }
        }
        return entries.map(\.value)
    }

    /// Applies one watcher event and returns what changed. Only one task may write (the informer).
    @discardableResult
    public func apply(_ event: WatcherEvent) -> [StoreChange] {
        switch event {
        case .relisted(let items, let rv):
            let fresh = items.map(transform)
            // The heavy part (diff, indexes) runs outside the lock: there is only one writer, so the
            // objects read here are still current when the result is swapped in.
            let previous = snapshotState.withLock { $0.entries }
            var objects: [String: JSONValue] = [:]
            for object in fresh { objects[Store.key(of: object)] = object }
            var changes: [StoreChange] = []
            for (key, old) in previous.sorted(by: { $0.key < $1.key }) where objects[key] == nil {
                changes.append(.deleted(old.value))
            }
            var entries: [String: StoreEntry] = [:]
            entries.reserveCapacity(objects.count)
            for key in objects.keys.sorted() {
                let new = objects[key]!
                let entry = StoreEntry(new, encoding: encoding)
                entries[key] = entry
                if let old = previous[key] {
                    if old != entry { changes.append(.updated(old: old.value, new: new)) }
                } else {
                    changes.append(.added(new))
                }
            }
            let indices = buildIndices(objects)
            snapshotState.withLock { s in
                s.entries = entries
                s.indices = indices
                s.resourceVersion = rv
                s.hasSynced = true
            }
            return changes
        case .applied(let raw):
            let object = transform(raw)
            let entry = StoreEntry(object, encoding: encoding)  // packed before the lock is taken
            let fresh = Store.key(of: object)
            return snapshotState.withLock { s in
                if let rv = object[path: "metadata.resourceVersion"]?.stringValue { s.resourceVersion = rv }
                let found = s.entries.index(forKey: fresh)
                // The key the dictionary already holds, so that the indexes file the same string
                // rather than a second copy of it for every object ever updated.
                let key = found.map { s.entries.keys[$0] } ?? fresh
                let old = found.map { s.entries.values[$0] }
                if old == entry { return [] }
                let oldValue = old?.value
                if let oldValue { unindex(key: key, object: oldValue, in: &s.indices) }
                s.entries[key] = entry
                index(key: key, object: object, in: &s.indices)
                return [oldValue.map { .updated(old: $0, new: object) } ?? .added(object)]
            }
        case .deleted(let raw):
            let object = transform(raw)
            let key = Store.key(of: object)
            return snapshotState.withLock { s in
                if let rv = object[path: "metadata.resourceVersion"]?.stringValue { s.resourceVersion = rv }
                guard let old = s.entries.removeValue(forKey: key)?.value else { return [] }
                unindex(key: key, object: old, in: &s.indices)
                return [.deleted(object)]
            }
        case .bookmark(let rv):
            snapshotState.withLock { $0.resourceVersion = rv }
            return []
        case .failed:
            return []
        }
    }

    private func buildIndices(_ objects: [String: JSONValue]) -> [String: [String: IndexKeys]] {
        var indices: [String: [String: IndexKeys]] = [:]
        for (key, object) in objects { index(key: key, object: object, in: &indices) }
        return indices
    }

    private func index(key: String, object: JSONValue, in indices: inout [String: [String: IndexKeys]]) {
        for (name, indexer) in indexers {
            for value in indexer(object) {
                if indices[name]?[value]?.insert(key) == nil { indices[name, default: [:]][value] = .one(key) }
            }
        }
    }

    private func unindex(key: String, object: JSONValue, in indices: inout [String: [String: IndexKeys]]) {
        for (name, indexer) in indexers {
            for value in indexer(object) {
                if indices[name]?[value]?.remove(key) == true { indices[name]?[value] = nil }
            }
        }
    }
}

extension Store {
    /// `namespace/name`, or `name` when there is no namespace.
    public static func key(namespace: String?, name: String) -> String {
        guard let namespace, !namespace.isEmpty else { return name }
        // Built to its exact size: the cache keeps one per object (interpolation leaves slack).
        let count = namespace.utf8.count + 1 + name.utf8.count
        return String(unsafeUninitializedCapacity: count) { buffer in
            var at = 0
            for byte in namespace.utf8 { buffer[at] = byte; at += 1 }
            buffer[at] = UInt8(ascii: "/")
            at += 1
            for byte in name.utf8 { buffer[at] = byte; at += 1 }
            return at
        }
    }

    /// The cache key of an object, from its metadata.
    public static func key(of object: JSONValue) -> String {
        key(namespace: object[path: "metadata.namespace"]?.stringValue,
            name: object[path: "metadata.name"]?.stringValue ?? "")
    }

    /// Drops `metadata.managedFields` and the `kubectl.kubernetes.io/last-applied-configuration` annotation.
    public static let defaultTransform: @Sendable (JSONValue) -> JSONValue = { object in
        var object = object
        if object[path: "metadata.managedFields"] != nil { object[path: "metadata.managedFields"] = nil }
        if var annotations = object[path: "metadata.annotations"]?.objectValue,
           annotations.removeValue(forKey: "kubectl.kubernetes.io/last-applied-configuration") != nil {
            object[path: "metadata.annotations"] = annotations.isEmpty ? nil : .object(annotations)
        }
        return object
    }

    /// The UID of the owner reference marked `controller: true`, if any.
    public static let controllerOwnerUIDs: Indexer = { object in
        (object[path: "metadata.ownerReferences"]?.arrayValue ?? []).compactMap { ref in
            ref["controller"]?.boolValue == true ? ref["uid"]?.stringValue : nil
        }
    }

    /// Every label as `key=value`.
    public static let labelPairs: Indexer = { object in
        (object[path: "metadata.labels"]?.objectValue ?? [:]).compactMap { key, value in
            value.stringValue.map { "\(key)=\($0)" }
        }
    }
}
