import Foundation
import Kube

/// One change in the store's history: what a watcher from an older resourceVersion replays.
struct HistoryEvent: Sendable {
    var rv: Int64
    var storageKey: String
    var type: WatchEvent.EventType
    var object: JSONValue
    /// The object before a MODIFIED (to send ADDED/DELETED when selector matching changes).
    var previous: JSONValue?
}

/// One registered watcher.
struct Watcher: Sendable {
    var info: ResourceInfo
    var namespace: String?
    var labels: LabelSelector
    var fields: FieldSelector
    var channel: WatchChannel
}

/// The store's data and every rule about changing it, as a plain value (no locks, no I/O).
/// `ClusterStore` owns one behind a mutex and performs `outbox` actions after unlocking.
struct StoreState: Sendable {
    var rv: Int64 = 0
    /// "group/version/plural" → served resource.
    var served: [String: ResourceInfo] = [:]
    /// storage key ("group/plural") → "namespace/name" → object.
    var objects: [String: [String: JSONValue]] = [:]
    /// Every stored object's uid (kept by `commit`), so garbage checks on create need no scan.
    var uids: Set<String> = []
    var history: [HistoryEvent] = []
    var historyLimit: Int
    /// Events with rv ≤ this are no longer in `history`.
    var compactedRV: Int64 = 0
    var watchers: [UInt64: Watcher] = [:]
    var nextWatcherID: UInt64 = 0
    /// Bumped whenever the set of served resources changes (discovery/OpenAPI hash).
    var servedGeneration = 0
    /// Channel deliveries to run after the lock is released (never resume continuations under it).
    var outbox: [@Sendable () -> Void] = []
    var now: @Sendable () -> Date

    init(historyLimit: Int, now: @escaping @Sendable () -> Date) {
        self.historyLimit = max(10, historyLimit)
        self.now = now
        for info in ResourceInfo.builtins { served[Self.servedKey(info.resource)] = info }
    }

    static func servedKey(_ r: Resource) -> String { "\(r.group)/\(r.version)/\(r.plural)" }
    static func objectKey(_ namespace: String?, _ name: String) -> String { "\(namespace ?? "")/\(name)" }

    func timestamp() -> String { Self.format(now()) }

    static func format(_ date: Date) -> String {
        KubeTimestamp.time(date)
    }

    // MARK: lookup

    func info(for resource: Resource) throws(APIError) -> ResourceInfo {
        if let info = served[Self.servedKey(resource)] { return info }
        throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                       details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])
    }

    func stored(_ info: ResourceInfo, _ namespace: String?, _ name: String) -> JSONValue? {
        objects[info.storageKey]?[Self.objectKey(info.resource.namespaced ? namespace : nil, name)]
    }

    /// The object as a client of `info`'s version sees it.
    static func present(_ object: JSONValue, _ info: ResourceInfo) -> JSONValue {
        var o = object
        o["apiVersion"] = .string(info.resource.apiVersion)
        o["kind"] = .string(info.resource.kind)
        return o
    }

    func namespaceExists(_ namespace: String) -> Bool {
        objects["/namespaces"]?[Self.objectKey(nil, namespace)] != nil
    }

    // MARK: recording

    mutating func nextRV() -> Int64 {
        rv += 1
        return rv
    }

    /// Stores (or removes, for DELETED) an object whose resourceVersion was already set, records
    /// the event and fans it out to watchers.
    mutating func commit(_ info: ResourceInfo, _ type: WatchEvent.EventType, _ object: JSONValue, previous: JSONValue?) {
        let ns = info.resource.namespaced ? object["metadata"]?["namespace"]?.stringValue : nil
        let key = Self.objectKey(ns, object["metadata"]?["name"]?.stringValue ?? "")
        if type == .deleted {
            if let gone = objects[info.storageKey]?.removeValue(forKey: key), let uid = gone["metadata"]?["uid"]?.stringValue {
                uids.remove(uid)
            }
        } else {
            if let uid = object["metadata"]?["uid"]?.stringValue { uids.insert(uid) }
            objects[info.storageKey, default: [:]][key] = object
        }
        let event = HistoryEvent(rv: Int64(object["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? rv,
                                 storageKey: info.storageKey, type: type, object: object, previous: previous)
        history.append(event)
        if history.count > historyLimit {
            let drop = max(1, historyLimit / 10)
            compactedRV = history[drop - 1].rv
            history.removeFirst(drop)
        }
        fanOut(event)
    }

    mutating func fanOut(_ event: HistoryEvent) {
        var closed: [UInt64] = []
        for (id, w) in watchers where w.info.storageKey == event.storageKey {
            guard let e = Self.translate(event, for: w) else { continue }
            if !deliver(e, to: w.channel) { closed.append(id) }
        }
        for id in closed { watchers[id] = nil }
    }

    /// Queues an event on a channel; the wake-up runs after unlock. Returns false if closed.
    mutating func deliver(_ event: WatchEvent, to channel: WatchChannel) -> Bool {
        let (open, actions) = channel.enqueue(event)
        outbox.append(contentsOf: actions)
        return open
    }

    /// What watcher `w` sees of a history event, if anything.
    static func translate(_ event: HistoryEvent, for w: Watcher) -> WatchEvent? {
        func matches(_ o: JSONValue?) -> Bool {
            guard let o else { return false }
            if let ns = w.namespace, w.info.resource.namespaced, o["metadata"]?["namespace"]?.stringValue != ns { return false }
            return w.labels.matches(object: o) && w.fields.matches(object: o)
        }
        let now = matches(event.object)
        let object = present(event.object, w.info)
        switch event.type {
        case .added: return now ? WatchEvent(type: .added, object: object) : nil
        case .deleted: return now ? WatchEvent(type: .deleted, object: object) : nil
        case .modified:
            let before = event.previous.map { matches($0) } ?? true
            switch (before, now) {
            case (true, true): return WatchEvent(type: .modified, object: object)
            case (false, true): return WatchEvent(type: .added, object: object)
            case (true, false): return WatchEvent(type: .deleted, object: object)
            case (false, false): return nil
            }
        default: return nil
        }
    }
}
