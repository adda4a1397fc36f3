import Foundation
import Kube
import Synchronization

/// The control plane's copy of one resource, filled by an informer (list + watch) and written
/// through by the controllers after their own writes so that their next pass sees them.
///
/// Readers get snapshots; they may be a watch event behind the server. A write-through never
/// replaces a newer version (resourceVersions compared as integers when both are).
///
/// Each loop reads what changed since it last looked (`drainChanges(for:)`): every upsert, removal
/// and relist marks the object's key dirty for every consumer, so a loop visits only changed
/// objects instead of walking the whole cache on each wake-up. Secondary indexes (pods by the
/// uid of their controlling Job, by node) answer "which objects belong to X" without a scan.
final class ObjectCache: Sendable {
    /// The loops that read changes; each has its own dirty set.
    enum Consumer: Int, CaseIterable { case scheduler, kubelet, jobs }

    /// A named secondary index: object → index value (nil = not indexed).
    struct Index: Sendable {
        var name: String
        var value: @Sendable (JSONValue) -> String?
    }

    let resource: Resource
    private let indexes: [Index]
    private struct State {
        var objects: [String: JSONValue] = [:]
        var synced = false
        /// `objects` sorted by key, kept until the next write (the loops read far more than they write).
        var sorted: [JSONValue]?
        /// Per consumer: keys changed since it last drained.
        var dirty: [Set<String>] = Array(repeating: [], count: Consumer.allCases.count)
        /// index name → index value → keys.
        var indexed: [String: [String: Set<String>]] = [:]
    }
    private let state = Mutex(State())

    init(resource: Resource, indexes: [Index] = []) {
        self.resource = resource
        self.indexes = indexes
    }

    static func key(_ object: JSONValue) -> String {
        let ns = object[path: "metadata.namespace"]?.stringValue ?? ""
        return "\(ns)/\(object[path: "metadata.name"]?.stringValue ?? "")"
    }

    var isSynced: Bool { state.withLock { $0.synced } }

    var snapshot: [JSONValue] {
        state.withLock { s in
            if let sorted = s.sorted { return sorted }
            let sorted = s.objects.sorted { $0.key < $1.key }.map(\.value)
            s.sorted = sorted
            return sorted
        }
    }

    func get(namespace: String?, name: String) -> JSONValue? {
        get(key: "\(namespace ?? "")/\(name)")
    }

    func get(key: String) -> JSONValue? {
        state.withLock { $0.objects[key] }
    }

    /// The keys changed (added, modified, removed, relisted) since `consumer` last asked.
    func drainChanges(for consumer: Consumer) -> Set<String> {
        state.withLock { s in
            let changed = s.dirty[consumer.rawValue]
            s.dirty[consumer.rawValue] = []
            return changed
        }
    }

    /// The objects whose `index` value is `value`, by key order.
    func objects(in index: String, _ value: String) -> [JSONValue] {
        state.withLock { s in
            (s.indexed[index]?[value] ?? []).sorted().compactMap { s.objects[$0] }
        }
    }

    /// Replaces everything (a fresh list) and marks the cache synced; every old and new key is dirty.
    func replace(_ objects: [JSONValue]) {
        let map = Dictionary(objects.map { (Self.key($0), $0) }, uniquingKeysWith: { _, b in b })
        state.withLock { s in
            let touched = Set(s.objects.keys).union(map.keys)
            var fresh = State(objects: map, synced: true, sorted: nil)
            fresh.dirty = s.dirty.map { $0.union(touched) }
            for (key, object) in map { index(key, object, into: &fresh) }
            s = fresh
        }
    }

    /// Stores `object` unless the cache holds a newer version.
    func upsert(_ object: JSONValue) {
        let key = Self.key(object)
        state.withLock { s in
            if let current = s.objects[key] {
                if Self.isNewer(current, than: object) { return }
                unindex(key, current, from: &s)
            }
            s.objects[key] = object
            index(key, object, into: &s)
            s.sorted = nil
            markDirty(key, in: &s)
        }
    }

    func remove(_ object: JSONValue) {
        let key = Self.key(object)
        state.withLock { s in
            guard let current = s.objects[key] else { return }
            // A stale DELETED of an older object of the same name must not remove its successor.
            if let uid = object[path: "metadata.uid"], current[path: "metadata.uid"] != uid { return }
            unindex(key, current, from: &s)
            s.objects[key] = nil
            s.sorted = nil
            markDirty(key, in: &s)
        }
    }

    private func markDirty(_ key: String, in s: inout State) {
        for i in s.dirty.indices { s.dirty[i].insert(key) }
    }

    private func index(_ key: String, _ object: JSONValue, into s: inout State) {
        for index in indexes {
            guard let value = index.value(object) else { continue }
            s.indexed[index.name, default: [:]][value, default: []].insert(key)
        }
    }

    private func unindex(_ key: String, _ object: JSONValue, from s: inout State) {
        for index in indexes {
            guard let value = index.value(object) else { continue }
            s.indexed[index.name]?[value]?.remove(key)
            if s.indexed[index.name]?[value]?.isEmpty == true { s.indexed[index.name]?[value] = nil }
        }
    }

    static func isNewer(_ a: JSONValue, than b: JSONValue) -> Bool {
        guard a[path: "metadata.uid"] == b[path: "metadata.uid"],
              let ra = a[path: "metadata.resourceVersion"]?.stringValue.flatMap({ UInt64($0) }),
              let rb = b[path: "metadata.resourceVersion"]?.stringValue.flatMap({ UInt64($0) }) else { return false }
        return ra > rb
    }
}
