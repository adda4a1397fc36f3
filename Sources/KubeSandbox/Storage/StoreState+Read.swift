import Foundation
import Kube

extension StoreState {
    static let expiredContinueMessage = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."

    func get(_ info: ResourceInfo, namespace: String?, name: String) throws(APIError) -> JSONValue {
        guard let o = stored(info, namespace ?? "default", name) else { throw StatusErrors.notFound(info, name: name) }
        return Self.present(o, info)
    }

    func list(_ info: ResourceInfo, namespace: String?, options: ListOptions) throws(APIError) -> ObjectList {
        let labels = try LabelSelector(parsing: options.labelSelector)
        let fields = try FieldSelector(parsing: options.fieldSelector, info: info)
        if let match = options.resourceVersionMatch, !match.isEmpty {
            guard let rv = options.resourceVersion, !rv.isEmpty else {
                throw StatusErrors.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
            }
            if match == "Exact" && rv == "0" {
                throw StatusErrors.badRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"")
            }
            if match == "Exact", let x = Int64(rv), x < compactedRV {
                throw StatusErrors.expired("too old resource version: \(x) (\(compactedRV + 1))")
            }
        }
        var listRV = rv
        var after: String?
        if let token = options.continueToken, !token.isEmpty {
            if let rv = options.resourceVersion, !rv.isEmpty, rv != "0" {
                throw StatusErrors.badRequest("specifying resource version is not allowed when using continue")
            }
            guard let decoded = ContinueToken.decode(token) else { throw StatusErrors.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") }
            if decoded.rv < compactedRV { throw StatusErrors.expired(Self.expiredContinueMessage) }
            listRV = decoded.rv
            after = decoded.start
        }
        let all = objects[info.storageKey] ?? [:]
        var keys = all.keys.sorted()
        if info.resource.namespaced, let namespace {
            keys = keys.filter { $0.hasPrefix(namespace + "/") }
        }
        if let after { keys = keys.filter { $0 > after } }
        var items: [JSONValue] = []
        var next: String?
        for key in keys {
            let o = all[key]!
            guard labels.matches(object: o), fields.matches(object: o) else { continue }
            if let limit = options.limit, limit > 0, items.count == limit {
                next = ContinueToken.encode(rv: listRV, start: Self.objectKey(items.last!["metadata"]?["namespace"]?.stringValue, items.last!["metadata"]?["name"]?.stringValue ?? ""))
                break
            }
            var item = o
            if !info.isCustom { item["apiVersion"] = nil; item["kind"] = nil } else { item = Self.present(o, info) }
            items.append(item)
        }
        return ObjectList(resourceVersion: String(listRV), continueToken: next, items: items)
    }

    // MARK: watch

    mutating func watch(_ info: ResourceInfo, namespace: String?, options: WatchOptions, capacity: Int,
                         sendInitialEvents: Bool = false) throws(APIError) -> (UInt64, WatchChannel) {
        let labels = try LabelSelector(parsing: options.labelSelector)
        let fields = try FieldSelector(parsing: options.fieldSelector, info: info)
        let w = Watcher(info: info, namespace: info.resource.namespaced ? namespace : nil, labels: labels, fields: fields,
                        channel: WatchChannel(capacity: capacity))
        var initial: [WatchEvent] = []
        let start = options.resourceVersion ?? ""
        if sendInitialEvents && !options.allowWatchBookmarks {
            throw StatusErrors.invalid(ResourceInfo(resource: Resource(group: "meta.k8s.io", version: "v1", plural: "listoptions", kind: "ListOptions", namespaced: false), singular: ""),
                                       name: "", causes: [.init(field: "allowWatchBookmarks", reason: "FieldValueForbidden", message: "Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true")])
        }
        if start.isEmpty || start == "0" || sendInitialEvents {
            for key in (objects[info.storageKey] ?? [:]).keys.sorted() {
                let o = objects[info.storageKey]![key]!
                if let e = Self.translate(HistoryEvent(rv: 0, storageKey: info.storageKey, type: .added, object: o, previous: nil), for: w) {
                    initial.append(e)
                }
            }
        } else {
            guard let x = Int64(start) else {
                throw StatusErrors.badRequest("resourceVersion: Invalid value: \"\(start)\": must be a valid resource version")
            }
            if x < compactedRV {
                let channel = WatchChannel(capacity: 2)
                let status = StatusErrors.status(StatusErrors.expired("too old resource version: \(x) (\(compactedRV + 1))"))
                _ = deliver(WatchEvent(type: .error, object: status), to: channel)
                outbox.append { channel.finish() }
                return (UInt64.max, channel)
            }
            for e in history where e.rv > x && e.storageKey == info.storageKey {
                if let t = Self.translate(e, for: w) { initial.append(t) }
            }
        }
        let channel = WatchChannel(capacity: max(capacity, initial.count + capacity))
        var registered = w
        registered.channel = channel
        for e in initial { _ = deliver(e, to: channel) }
        if sendInitialEvents {
            let end: JSONValue = ["kind": .string(info.resource.kind), "apiVersion": .string(info.resource.apiVersion),
                                  "metadata": ["resourceVersion": .string(String(rv)), "annotations": ["k8s.io/initial-events-end": "true"]]]
            _ = deliver(WatchEvent(type: .bookmark, object: end), to: channel)
        }
        let id = nextWatcherID
        nextWatcherID += 1
        watchers[id] = registered
        return (id, channel)
    }

    /// A BOOKMARK at the current resourceVersion for watcher `id`.
    mutating func bookmark(_ id: UInt64) {
        guard let w = watchers[id] else { return }
        let object: JSONValue = ["kind": .string(w.info.resource.kind), "apiVersion": .string(w.info.resource.apiVersion),
                                 "metadata": ["resourceVersion": .string(String(rv))]]
        if !deliver(WatchEvent(type: .bookmark, object: object), to: w.channel) { watchers[id] = nil }
    }
}

/// The opaque `continue` token: the list's resourceVersion and the last key returned.
enum ContinueToken {
    static func encode(rv: Int64, start: String) -> String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(rv), "start": .string(start)]
        return Data(json.serialized(sortedKeys: true)).base64EncodedString()
    }

    static func decode(_ token: String) -> (rv: Int64, start: String)? {
        guard let data = Data(base64Encoded: token), let v = try? JSONParser.parse(Array(data)),
              let rv = v["rv"]?.intValue, let start = v["start"]?.stringValue else { return nil }
        return (rv, start)
    }
}
