import Foundation
import Kube
import Synchronization
@testable import KubeSandbox

/// An in-memory API server good enough for the control plane's loops: resourceVersions,
/// generateName, status-subresource writes, merge patches with a resourceVersion precondition,
/// finalizers and deletionTimestamp, and watch streams replayed from a resourceVersion.
/// No selectors, no validation, no garbage collection.
actor FakeKubeAPI: KubeAPI {
    private var objects: [Resource: [String: JSONValue]] = [:]
    private var history: [(resource: Resource, event: WatchEvent, rv: UInt64)] = []
    private var watchers: [UInt64: (resource: Resource, continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation)] = [:]
    private var rv: UInt64 = 0
    private var nextID: UInt64 = 0
    private var nameCounter = 0
    /// Every write as `VERB resource name` (for assertions on what was written).
    private(set) var writes: [String] = []
    /// Calls to fail with a 500, by `verb plural[/subresource]` (`patch pods/status`).
    private var faults: [String: Int] = [:]
    private(set) var injectedFailures = 0

    /// The next `count` calls of `verb` on `plural` (and subresource) fail with InternalError.
    func inject(_ verb: String, _ plural: String, subresource: String? = nil, count: Int) {
        faults["\(verb) \(plural)\(subresource.map { "/" + $0 } ?? "")"] = count
    }

    private func fault(_ verb: String, _ r: Resource, _ subresource: String? = nil) throws {
        let key = "\(verb) \(r.plural)\(subresource.map { "/" + $0 } ?? "")"
        guard let left = faults[key], left > 0 else { return }
        faults[key] = left - 1
        injectedFailures += 1
        throw KubeError.api(APIError(code: 500, reason: "InternalError", message: "injected failure of \(key)"))
    }

    /// Ends every open watch with `ERROR 410 Expired`, as an API server does when it compacts.
    func expireWatches() {
        let status: JSONValue = ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired", "code": 410,
                                 "message": "too old resource version"]
        for (_, w) in watchers {
            w.continuation.yield(WatchEvent(type: .error, object: status))
            w.continuation.finish()
        }
        watchers = [:]
    }

    func all(_ resource: Resource) -> [JSONValue] {
        (objects[resource] ?? [:]).values.sorted { ObjectCache.key($0) < ObjectCache.key($1) }
    }

    func object(_ resource: Resource, namespace: String?, name: String) -> JSONValue? {
        objects[resource]?[key(resource, namespace, name)]
    }

    private func key(_ r: Resource, _ ns: String?, _ name: String) -> String { "\(r.namespaced ? ns ?? "default" : "")/\(name)" }

    private func notFound(_ r: Resource, _ name: String) -> KubeError {
        .api(APIError(code: 404, reason: "NotFound", message: "\(r.groupResource) \"\(name)\" not found"))
    }

    private func conflict(_ r: Resource, _ name: String) -> KubeError {
        .api(APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(r.groupResource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again"))
    }

    private func store(_ r: Resource, _ object: JSONValue, type: WatchEvent.EventType) -> JSONValue {
        rv += 1
        var o = object
        o[path: "metadata.resourceVersion"] = .string(String(rv))
        let k = key(r, o[path: "metadata.namespace"]?.stringValue, o[path: "metadata.name"]?.stringValue ?? "")
        if type == .deleted { objects[r]?[k] = nil } else { objects[r, default: [:]][k] = o }
        let event = WatchEvent(type: type, object: o)
        history.append((r, event, rv))
        for (_, w) in watchers where w.resource == r { w.continuation.yield(event) }
        writes.append("\(type.rawValue) \(r.plural) \(o[path: "metadata.name"]?.stringValue ?? "")")
        return o
    }

    func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
        try fault("get", resource, subresource)
        guard let o = object(resource, namespace: namespace, name: name) else { throw notFound(resource, name) }
        return o
    }

    func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try fault("list", resource)
        return ObjectList(resourceVersion: String(rv), continueToken: nil,
                   items: all(resource).filter { namespace == nil || $0[path: "metadata.namespace"]?.stringValue == namespace })
    }

    func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        try fault("watch", resource)
        let (stream, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
        let since = options.resourceVersion.flatMap { UInt64($0) } ?? 0
        if since == 0 {
            for o in all(resource) { continuation.yield(WatchEvent(type: .added, object: o)) }
        } else {
            for h in history where h.resource == resource && h.rv > since { continuation.yield(h.event) }
        }
        nextID += 1
        let id = nextID
        watchers[id] = (resource, continuation)
        continuation.onTermination = { _ in Task { await self.dropWatcher(id) } }
        return WatchEventStream(stream)
    }

    private func dropWatcher(_ id: UInt64) { watchers[id] = nil }

    func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
        try fault("create", resource)
        var o = object
        if resource.namespaced { o[path: "metadata.namespace"] = .string(namespace ?? o[path: "metadata.namespace"]?.stringValue ?? "default") }
        if o[path: "metadata.name"]?.stringValue == nil, let prefix = o[path: "metadata.generateName"]?.stringValue {
            nameCounter += 1
            let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
            var n = nameCounter, suffix = ""
            for _ in 0..<5 { suffix.append(alphabet[n % alphabet.count]); n /= alphabet.count }
            o[path: "metadata.name"] = .string(prefix + suffix)
        }
        let name = o[path: "metadata.name"]?.stringValue ?? ""
        if self.object(resource, namespace: namespace, name: name) != nil {
            throw KubeError.api(APIError(code: 409, reason: "AlreadyExists", message: "\(resource.groupResource) \"\(name)\" already exists"))
        }
        nameCounter += 1
        o[path: "metadata.uid"] = .string("uid-\(nameCounter)")
        o[path: "metadata.creationTimestamp"] = "2024-01-01T00:00:00Z"
        o[path: "metadata.generation"] = 1
        if resource == .pods { o["status"] = ["phase": "Pending"] }
        if resource == .jobs { o["status"] = nil }
        return store(resource, o, type: .added)
    }

    func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        try fault("update", resource, subresource)
        let name = object[path: "metadata.name"]?.stringValue ?? ""
        guard var current = self.object(resource, namespace: namespace, name: name) else { throw notFound(resource, name) }
        if let wanted = object[path: "metadata.resourceVersion"], wanted != current[path: "metadata.resourceVersion"] {
            throw conflict(resource, name)
        }
        if subresource == "status" {
            current["status"] = object["status"]
        } else {
            let status = current["status"]
            current = object
            current["status"] = status
        }
        return try finish(resource, current)
    }

    func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue {
        try fault("patch", resource, subresource)
        guard case .merge(let body) = patch else {
            throw KubeError.api(APIError(code: 415, reason: "UnsupportedMediaType", message: "fake supports merge patches only"))
        }
        guard let current = self.object(resource, namespace: namespace, name: name) else { throw notFound(resource, name) }
        if let wanted = body[path: "metadata.resourceVersion"], wanted != current[path: "metadata.resourceVersion"] {
            throw conflict(resource, name)
        }
        var patched = Self.apply(body, to: current)
        if subresource == "status" {
            var onlyStatus = current
            onlyStatus["status"] = patched["status"]
            patched = onlyStatus
        } else {
            patched["status"] = current["status"]
        }
        patched[path: "metadata.resourceVersion"] = current[path: "metadata.resourceVersion"]
        return try finish(resource, patched)
    }

    /// Stores a modification; an object being deleted whose last finalizer went is deleted.
    private func finish(_ resource: Resource, _ object: JSONValue) throws -> JSONValue {
        if object[path: "metadata.deletionTimestamp"] != nil, (object[path: "metadata.finalizers"]?.arrayValue ?? []).isEmpty {
            return store(resource, object, type: .deleted)
        }
        return store(resource, object, type: .modified)
    }

    func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        try fault("delete", resource)
        guard var current = self.object(resource, namespace: namespace, name: name) else { throw notFound(resource, name) }
        if let uid = options.preconditionUID, current[path: "metadata.uid"]?.stringValue != uid { throw conflict(resource, name) }
        if (current[path: "metadata.finalizers"]?.arrayValue ?? []).isEmpty {
            _ = store(resource, current, type: .deleted)
            return nil
        }
        if current[path: "metadata.deletionTimestamp"] == nil {
            current[path: "metadata.deletionTimestamp"] = "2024-01-01T00:00:00Z"
            return store(resource, current, type: .modified)
        }
        return current
    }

    /// RFC 7386.
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result: JSONValue = target.objectValue != nil ? target : .emptyObject
        for (key, value) in members {
            if value.isNull { result[key] = nil } else { result[key] = apply(value, to: result[key] ?? .null) }
        }
        return result
    }
}
