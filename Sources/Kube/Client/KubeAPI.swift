/// The operations a controller and the UI need from an API server.
///
/// `KubeClient` implements it over HTTP; tests use in-memory fakes. Every method throws
/// `KubeError`. Objects travel as `JSONValue` so fields this client does not model survive.
public protocol KubeAPI: Sendable {
    /// GET one object. `namespace` is ignored for cluster-scoped resources.
    func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue
    /// One page of a list; `namespace == nil` lists across all namespaces.
    func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList
    /// Opens a watch. The stream yields events until the server ends it (cleanly: the sequence
    /// ends) or the connection fails (the sequence throws). ERROR events are delivered as events.
    func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream
    /// POST. Returns the object as the server stored it.
    func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue
    /// PUT of the object (or its `status` with `subresource: "status"`); needs `metadata.resourceVersion`
    /// for optimistic concurrency.
    func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue
    /// PATCH with any of the patch types.
    func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue
    /// DELETE. Returns the object when it still exists (finalizers pending), else `nil`.
    func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue?
    /// The same API for best-effort traffic (Events) that should neither wait behind nor hold
    /// back this one's requests: `KubeClient` gives it a rate limiter of its own with the same
    /// numbers, over the same connections. Default: `self`.
    func pacedSeparately() -> any KubeAPI
}

extension KubeAPI {
    public func pacedSeparately() -> any KubeAPI { self }
}

extension KubeAPI {
    public func get(_ resource: Resource, namespace: String?, name: String) async throws -> JSONValue {
        try await get(resource, namespace: namespace, name: name, subresource: nil)
    }
    public func list(_ resource: Resource, namespace: String?) async throws -> ObjectList {
        try await list(resource, namespace: namespace, options: ListOptions())
    }
    public func create(_ resource: Resource, namespace: String?, object: JSONValue) async throws -> JSONValue {
        try await create(resource, namespace: namespace, object: object, options: WriteOptions())
    }
    public func update(_ resource: Resource, namespace: String?, object: JSONValue) async throws -> JSONValue {
        try await update(resource, namespace: namespace, object: object, subresource: nil, options: WriteOptions())
    }
    public func updateStatus(_ resource: Resource, namespace: String?, object: JSONValue) async throws -> JSONValue {
        try await update(resource, namespace: namespace, object: object, subresource: "status", options: WriteOptions())
    }
    public func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch) async throws -> JSONValue {
        try await self.patch(resource, namespace: namespace, name: name, patch: patch, subresource: nil, options: PatchOptions())
    }
    public func delete(_ resource: Resource, namespace: String?, name: String) async throws -> JSONValue? {
        try await delete(resource, namespace: namespace, name: name, options: DeleteOptions())
    }
}

/// Query options of a list.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    /// `nil` = most recent (quorum read); `"0"` = any cached version.
    public var resourceVersion: String?
    /// `Exact` or `NotOlderThan`.
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?
    /// Client-side only: decode just these fields of each item (plus name, namespace, uid and
    /// resourceVersion). A hint — implementations may return whole objects.
    public var projection: JSONProjection?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
                continueToken: String? = nil, resourceVersion: String? = nil,
                resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil, projection: JSONProjection? = nil) {
        self.projection = projection
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Query options of a watch.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Events after this version; `nil` or `"0"` starts with synthetic ADDED events for everything.
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool
    /// The server ends the stream cleanly after this many seconds.
    public var timeoutSeconds: Int?
    /// Client-side only: decode just these fields of each event's object (plus name, namespace,
    /// uid and resourceVersion); ERROR events are always decoded whole. A hint.
    public var projection: JSONProjection?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil, projection: JSONProjection? = nil) {
        self.projection = projection
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Options of create and update.
public struct WriteOptions: Sendable, Hashable {
    public var fieldManager: String?
    /// `Ignore`, `Warn` or `Strict`.
    public var fieldValidation: String?
    public var dryRun: Bool
    public init(fieldManager: String? = nil, fieldValidation: String? = nil, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
        self.dryRun = dryRun
    }
}

/// Options of a patch. `force` applies to server-side apply only.
public struct PatchOptions: Sendable, Hashable {
    public var fieldManager: String?
    public var force: Bool
    public var fieldValidation: String?
    public var dryRun: Bool
    public init(fieldManager: String? = nil, force: Bool = false, fieldValidation: String? = nil, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.force = force
        self.fieldValidation = fieldValidation
        self.dryRun = dryRun
    }
}

/// A patch body and its type.
public enum Patch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`).
    case merge(JSONValue)
    /// RFC 6902 JSON patch (`application/json-patch+json`): an array of operations.
    case json(JSONValue)
    /// Strategic merge patch; built-in kinds only (`application/strategic-merge-patch+json`).
    case strategicMerge(JSONValue)
    /// Server-side apply of a full intent (`application/apply-patch+yaml`); needs a field manager.
    case apply(JSONValue)

    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    public var body: JSONValue {
        switch self {
        case .merge(let b), .json(let b), .strategicMerge(let b), .apply(let b): return b
        }
    }
}

/// Options of a delete.
public struct DeleteOptions: Sendable, Hashable {
    public enum Propagation: String, Sendable, Hashable { case background = "Background", foreground = "Foreground", orphan = "Orphan" }
    /// Jobs default to Orphan on the server; controllers should say Background.
    public var propagationPolicy: Propagation?
    public var gracePeriodSeconds: Int?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var dryRun: Bool
    public init(propagationPolicy: Propagation? = nil, gracePeriodSeconds: Int? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }
}

/// One page of a list.
public struct ObjectList: Sendable {
    /// The list's resourceVersion: a watch from here misses nothing.
    public var resourceVersion: String
    /// Token for the next page; `nil` at the end.
    public var continueToken: String?
    /// The items, each with `apiVersion` and `kind` filled in (the server omits them in lists).
    public var items: [JSONValue]
    public init(resourceVersion: String, continueToken: String?, items: [JSONValue]) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.items = items
    }
}

/// One watch event.
public struct WatchEvent: Sendable, Hashable {
    public enum EventType: String, Sendable, Hashable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
    }
    public var type: EventType
    /// The object; for ERROR a `Status`; for BOOKMARK only `metadata.resourceVersion` is meaningful.
    public var object: JSONValue
    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }
}

/// The events of one watch request, in order. Dropping it or cancelling the consuming task
/// closes the connection.
public struct WatchEventStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent
    public typealias Failure = any Error
    let makeIterator: @Sendable () -> AsyncIterator

    public init<S: AsyncSequence & Sendable>(_ base: S) where S.Element == WatchEvent {
        makeIterator = { AsyncIterator(base.makeAsyncIterator()) }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var nextEvent: () async throws -> WatchEvent?
        init<I: AsyncIteratorProtocol>(_ base: I) where I.Element == WatchEvent {
            var iterator = base
            nextEvent = { try await iterator.next() }
        }
        public mutating func next() async throws -> WatchEvent? { try await nextEvent() }
    }

    public func makeAsyncIterator() -> AsyncIterator { makeIterator() }
}

/// Every failure the Kube module reports.
public enum KubeError: Error, Sendable, CustomStringConvertible {
    /// The server answered with a failure `Status`.
    case api(APIError)
    /// The request never got an HTTP answer.
    case transport(TransportError)
    /// A response that is not what the API promises (bad JSON, missing fields).
    case decoding(what: String, message: String)
    /// Credentials could not be obtained (exec plugin failed, token file unreadable).
    case credentials(String)
    /// The configuration is unusable; names the file, context and field.
    case configuration(String)

    public var description: String {
        switch self {
        case .api(let e): return e.description
        case .transport(let e): return e.description
        case .decoding(let what, let message): return "could not decode \(what): \(message)"
        case .credentials(let m): return "credentials: \(m)"
        case .configuration(let m): return m
        }
    }

    /// The API error, if this is one.
    public var apiError: APIError? {
        if case .api(let e) = self { return e }
        return nil
    }
}
