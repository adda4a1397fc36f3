import Synchronization
@testable import Kube

/// One request the fake received.
enum FakeCall: Sendable {
    case get(Resource, namespace: String?, name: String)
    case list(Resource, namespace: String?, options: ListOptions)
    case watch(Resource, namespace: String?, options: WatchOptions)
    case create(Resource, namespace: String?, object: JSONValue)
    case update(Resource, namespace: String?, object: JSONValue)
    case patch(Resource, namespace: String?, name: String, patch: Patch)
    case delete(Resource, namespace: String?, name: String)

    enum Kind: Sendable { case get, list, watch, create, update, patch, delete }
    var kind: Kind {
        switch self {
        case .get: .get
        case .list: .list
        case .watch: .watch
        case .create: .create
        case .update: .update
        case .patch: .patch
        case .delete: .delete
        }
    }
}

/// How a scripted watch request answers.
enum WatchScript: Sendable {
    /// The watch request itself fails.
    case fail(KubeError)
    /// The request succeeds; these events follow, then the stream ends cleanly, throws, or stays open.
    case events([WatchEvent], end: End)

    enum End: Sendable {
        case clean
        case cut(KubeError)
        case hang
    }
}

/// An in-memory `KubeAPI`: scripted list pages and watch streams, plus a small object store with
/// resourceVersions, AlreadyExists and Conflict for get/create/update/patch. Records every call.
final class FakeKubeAPI: KubeAPI {
    private struct State {
        var calls: [FakeCall] = []
        var listScript: [Result<ObjectList, KubeError>] = []
        var watchScript: [WatchScript] = []
        var objects: [String: JSONValue] = [:]
        var revision = 100
        var failures: [(kind: FakeCall.Kind, error: KubeError)] = []
        var hangs: [FakeCall.Kind] = []
        var holding: [FakeCall.Kind] = []
        var held: [CheckedContinuation<Void, Never>] = []
        var openStreams: [AsyncThrowingStream<WatchEvent, any Error>.Continuation] = []
    }
    private let state = Mutex(State())

    var calls: [FakeCall] { state.withLock { $0.calls } }
    var listCalls: [ListOptions] {
        calls.compactMap { if case .list(_, _, let o) = $0 { return o } else { return nil } }
    }
    var watchCalls: [WatchOptions] {
        calls.compactMap { if case .watch(_, _, let o) = $0 { return o } else { return nil } }
    }

    func scriptList(_ results: Result<ObjectList, KubeError>...) { state.withLock { $0.listScript += results } }
    func scriptWatch(_ scripts: WatchScript...) { state.withLock { $0.watchScript += scripts } }
    /// The next call of this kind never answers; it throws `CancellationError` when its task is cancelled.
    func hangNext(_ kind: FakeCall.Kind) { state.withLock { $0.hangs.append(kind) } }
    /// Calls of this kind wait (recorded, unanswered) until `releaseHeld()`.
    func hold(_ kind: FakeCall.Kind) { state.withLock { $0.holding.append(kind) } }
    /// Answers every held call and stops holding.
    func releaseHeld() {
        let waiting = state.withLock { s in
            defer { s.held = []; s.holding = [] }
            return s.held
        }
        for continuation in waiting { continuation.resume() }
    }
    /// The next call of this kind throws `error` instead of running.
    func failNext(_ kind: FakeCall.Kind, with error: KubeError) { state.withLock { $0.failures.append((kind, error)) } }

    func stored(_ resource: Resource, namespace: String?, name: String) -> JSONValue? {
        state.withLock { $0.objects[Self.key(resource, namespace, name)] }
    }
    func storedObjects(_ resource: Resource) -> [JSONValue] {
        state.withLock { s in s.objects.filter { $0.key.hasPrefix(resource.plural + "/") }.sorted { $0.key < $1.key }.map(\.value) }
    }
    /// Puts an object in the store as if another client wrote it; returns it with its new resourceVersion.
    @discardableResult
    func seed(_ resource: Resource, _ object: JSONValue) -> JSONValue {
        state.withLock { s in
            s.revision += 1
            var object = object
            object[path: "metadata.resourceVersion"] = .string(String(s.revision))
            s.objects[Self.key(resource, object[path: "metadata.namespace"]?.stringValue, object[path: "metadata.name"]?.stringValue ?? "")] = object
            return object
        }
    }

    private static func key(_ resource: Resource, _ namespace: String?, _ name: String) -> String {
        "\(resource.plural)/\(namespace ?? "")/\(name)"
    }

    private func begin(_ call: FakeCall) async throws {
        let hang = state.withLock { s -> Bool in
            guard let index = s.hangs.firstIndex(of: call.kind) else { return false }
            s.hangs.remove(at: index)
            return true
        }
        if hang {
            state.withLock { $0.calls.append(call) }
            await hangUntilCancelled()
            throw CancellationError()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let hold = state.withLock { s -> Bool in
                s.calls.append(call)
                guard s.holding.contains(call.kind) else { return false }
                s.held.append(continuation)
                return true
            }
            if !hold { continuation.resume() }
        }
        let failure = state.withLock { s -> KubeError? in
            guard let index = s.failures.firstIndex(where: { $0.kind == call.kind }) else { return nil }
            return s.failures.remove(at: index).error
        }
        if let failure { throw failure }
    }

    static func notFound(_ name: String) -> KubeError {
        .api(APIError(code: 404, reason: "NotFound", message: "\"\(name)\" not found"))
    }

    func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
        try await begin(.get(resource, namespace: namespace, name: name))
        guard let object = stored(resource, namespace: namespace, name: name) else { throw Self.notFound(name) }
        return object
    }

    func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try await begin(.list(resource, namespace: namespace, options: options))
        let next = state.withLock { s -> Result<ObjectList, KubeError>? in s.listScript.isEmpty ? nil : s.listScript.removeFirst() }
        guard let next else { await hangUntilCancelled(); throw CancellationError() }
        return try next.get()
    }

    func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        try await begin(.watch(resource, namespace: namespace, options: options))
        let next = state.withLock { s -> WatchScript? in s.watchScript.isEmpty ? nil : s.watchScript.removeFirst() }
        guard let next else { await hangUntilCancelled(); throw CancellationError() }
        switch next {
        case .fail(let error):
            throw error
        case .events(let events, let end):
            let (stream, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
            for event in events { continuation.yield(event) }
            switch end {
            case .clean: continuation.finish()
            case .cut(let error): continuation.finish(throwing: error)
            case .hang: state.withLock { $0.openStreams.append(continuation) }  // keep it open
            }
            return WatchEventStream(stream)
        }
    }

    func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
        try await begin(.create(resource, namespace: namespace, object: object))
        let name = object[path: "metadata.name"]?.stringValue ?? ""
        return try state.withLock { s throws(KubeError) -> JSONValue in
            let key = Self.key(resource, namespace, name)
            if s.objects[key] != nil {
                throw .api(APIError(code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists"))
            }
            s.revision += 1
            var object = object
            object[path: "metadata.resourceVersion"] = .string(String(s.revision))
            s.objects[key] = object
            return object
        }
    }

    func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        try await begin(.update(resource, namespace: namespace, object: object))
        let name = object[path: "metadata.name"]?.stringValue ?? ""
        return try state.withLock { s throws(KubeError) -> JSONValue in
            let key = Self.key(resource, namespace, name)
            guard let current = s.objects[key] else { throw Self.notFound(name) }
            if let rv = object[path: "metadata.resourceVersion"], rv != current[path: "metadata.resourceVersion"] {
                throw .api(APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified"))
            }
            s.revision += 1
            var object = object
            object[path: "metadata.resourceVersion"] = .string(String(s.revision))
            s.objects[key] = object
            return object
        }
    }

    func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue {
        try await begin(.patch(resource, namespace: namespace, name: name, patch: patch))
        return try state.withLock { s throws(KubeError) -> JSONValue in
            let key = Self.key(resource, namespace, name)
            guard var current = s.objects[key] else { throw Self.notFound(name) }
            for (field, value) in patch.body.objectValue ?? [:] { current[field] = value }  // shallow merge is enough here
            s.revision += 1
            current[path: "metadata.resourceVersion"] = .string(String(s.revision))
            s.objects[key] = current
            return current
        }
    }

    func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        try await begin(.delete(resource, namespace: namespace, name: name))
        return state.withLock { s in s.objects.removeValue(forKey: Self.key(resource, namespace, name)) }
    }
}

/// Wraps an API and fails every call while `isDown` (a network partition of one client).
final class PartitionableAPI: KubeAPI {
    let base: any KubeAPI
    private let down = Mutex(false)
    init(_ base: any KubeAPI) { self.base = base }
    var isDown: Bool {
        get { down.withLock { $0 } }
        set { down.withLock { $0 = newValue } }
    }
    private func check() throws(KubeError) {
        if isDown { throw .transport(TransportError(kind: .connectionFailed, message: "partitioned", url: "")) }
    }
    func get(_ r: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
        try check(); return try await base.get(r, namespace: namespace, name: name, subresource: subresource)
    }
    func list(_ r: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try check(); return try await base.list(r, namespace: namespace, options: options)
    }
    func watch(_ r: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        try check(); return try await base.watch(r, namespace: namespace, options: options)
    }
    func create(_ r: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
        try check(); return try await base.create(r, namespace: namespace, object: object, options: options)
    }
    func update(_ r: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        try check(); return try await base.update(r, namespace: namespace, object: object, subresource: subresource, options: options)
    }
    func patch(_ r: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue {
        try check(); return try await base.patch(r, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options)
    }
    func delete(_ r: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        try check(); return try await base.delete(r, namespace: namespace, name: name, options: options)
    }
}

/// Suspends until the task is cancelled, without sleeping on any clock.
func hangUntilCancelled() async {
    let (stream, continuation) = AsyncStream<Never>.makeStream()
    defer { continuation.finish() }  // keeps the continuation alive while waiting
    for await _ in stream {}
}

/// Builds a minimal object.
func object(_ name: String, namespace: String? = "ns", rv: String = "1", uid: String? = nil,
            labels: [String: String] = [:], extra: [String: JSONValue] = [:]) -> JSONValue {
    var metadata: [String: JSONValue] = ["name": .string(name), "resourceVersion": .string(rv)]
    if let namespace { metadata["namespace"] = .string(namespace) }
    if let uid { metadata["uid"] = .string(uid) }
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
    var value: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata)]
    for (k, v) in extra { value[k] = v }
    return value
}

func apiError(_ code: Int, _ reason: String, retryAfter: Int? = nil) -> KubeError {
    .api(APIError(code: code, reason: reason, message: "\(reason) from fake", retryAfter: retryAfter))
}
