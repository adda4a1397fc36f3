import Foundation
import Kube
import Synchronization

/// The control plane's copy of one resource, filled by an informer (list + watch) and written
/// through by the controllers after their own writes so that their next pass sees them.
///
/// Readers get snapshots; they may be a watch event behind the server. A write-through never
/// replaces a newer version (resourceVersions compared as integers when both are).
final class ObjectCache: Sendable {
    let resource: Resource
    private struct State {
        var objects: [String: JSONValue] = [:]
        var synced = false
        /// `objects` sorted by key, kept until the next write (the loops read far more than they write).
        var sorted: [JSONValue]?
    }
    private let state = Mutex(State())

    init(resource: Resource) { self.resource = resource }

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
        state.withLock { $0.objects["\(namespace ?? "")/\(name)"] }
    }

    /// Replaces everything (a fresh list) and marks the cache synced.
    func replace(_ objects: [JSONValue]) {
        let map = Dictionary(objects.map { (Self.key($0), $0) }, uniquingKeysWith: { _, b in b })
        state.withLock { $0 = State(objects: map, synced: true, sorted: nil) }
    }

    /// Stores `object` unless the cache holds a newer version.
    func upsert(_ object: JSONValue) {
        let key = Self.key(object)
        state.withLock { s in
            if let current = s.objects[key], Self.isNewer(current, than: object) { return }
            s.objects[key] = object
            s.sorted = nil
        }
    }

    func remove(_ object: JSONValue) {
        let key = Self.key(object)
        state.withLock { s in
            // A stale DELETED of an older object of the same name must not remove its successor.
            if let current = s.objects[key], let uid = object[path: "metadata.uid"], current[path: "metadata.uid"] != uid { return }
            s.objects[key] = nil
            s.sorted = nil
        }
    }

    static func isNewer(_ a: JSONValue, than b: JSONValue) -> Bool {
        guard a[path: "metadata.uid"] == b[path: "metadata.uid"],
              let ra = a[path: "metadata.resourceVersion"]?.stringValue.flatMap({ UInt64($0) }),
              let rb = b[path: "metadata.resourceVersion"]?.stringValue.flatMap({ UInt64($0) }) else { return false }
        return ra > rb
    }
}
