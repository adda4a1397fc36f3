import Logging
import Synchronization

/// The Kubernetes API over HTTP: `KubeAPI` on top of an `HTTPTransport`.
///
/// Every request is paced by the rate limiter (default 50 QPS, burst 100), carries the
/// authorizer's credentials, is retried once with fresh credentials after a 401, and is retried
/// (up to 10 times, as client-go does) when the server answers 429 or 5xx with an integer
/// `Retry-After`. Failures arrive as `KubeError`.
public final class KubeClient: KubeAPI {
    /// Base URL without a trailing slash: `https://10.0.0.1:6443`.
    public let server: String
    let transport: any HTTPTransport
    let authorizer: RequestAuthorizer
    let pacing: (any RequestPacing)?
    let userAgent: String
    let requestTimeout: Duration?
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    let counters = Mutex(CounterState())
    let metrics = ClientMetrics()

    /// The counters as kept: keyed by verb and numeric code, so counting a response builds no string.
    struct CounterState {
        struct Key: Hashable {
            var verb: String
            var code: Int // -1: transport error
        }
        var byVerbAndCode: [Key: Int] = [:]
        var retries = 0
        var warnings: [String] = []
    }

    /// Requests by verb and HTTP code, retries and throttling, for metrics.
    public struct RequestCounters: Sendable {
        public var byVerbAndCode: [String: Int] = [:]
        public var retries = 0
        public var warnings: [String] = []
    }

    public init(server: String, transport: any HTTPTransport, authorizer: RequestAuthorizer = .anonymous,
                pacing: (any RequestPacing)? = ClientRateLimiter(qps: 50, burst: 100),
                userAgent: String = UserAgent.default, requestTimeout: Duration? = .seconds(60),
                logger: Logger = Logger(label: "kube.client"),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        self.server = base
        self.transport = transport
        self.authorizer = authorizer
        self.pacing = pacing
        self.userAgent = userAgent
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.sleep = sleep
    }

    /// A client on the same transport, credentials and settings with its own `pacing`: for
    /// best-effort traffic such as Events, which should neither wait behind nor hold back the
    /// requests that matter (controller-runtime gives its event recorder a client of its own too).
    /// Closing either client closes the shared transport.
    public func sharingTransport(pacing: (any RequestPacing)?) -> KubeClient {
        KubeClient(server: server, transport: transport, authorizer: authorizer, pacing: pacing, userAgent: userAgent,
                   requestTimeout: requestTimeout, logger: logger, sleep: sleep)
    }

    /// This client with a copy of its rate limiter (same numbers, own bucket).
    public func pacedSeparately() -> any KubeAPI { sharingTransport(pacing: pacing?.independentCopy()) }

    /// Ends every request and waits (bounded) until the transport runs no more code: call it
    /// before the process exits (see `HTTPTransport.close()`). The client is unusable afterwards.
    public func close() async { await transport.close() }

    /// A snapshot of the request counters.
    public var requestCounters: RequestCounters {
        let state = counters.withLock { $0 }
        var snapshot = RequestCounters(retries: state.retries, warnings: state.warnings)
        for (key, n) in state.byVerbAndCode {
            snapshot.byVerbAndCode["\(key.verb) \(key.code < 0 ? "error" : String(key.code))", default: 0] += n
        }
        return snapshot
    }

    /// Time spent waiting on the client-side rate limiter.
    public var timeThrottled: Duration { pacing?.totalWaited ?? .zero }

    // MARK: KubeAPI

    public func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
        let path = resource.objectPath(namespace: namespace, name: name, subresource: subresource)
        let response = try await perform(verb: "get", method: "GET", path: path)
        return try decodeObject(response.body, what: "\(resource) \(name)")
    }

    public func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        var query: [(String, String)] = []
        if let v = options.labelSelector, !v.isEmpty { query.append(("labelSelector", v)) }
        if let v = options.fieldSelector, !v.isEmpty { query.append(("fieldSelector", v)) }
        if let v = options.limit { query.append(("limit", String(v))) }
        if let v = options.continueToken, !v.isEmpty { query.append(("continue", v)) }
        if let v = options.resourceVersion { query.append(("resourceVersion", v)) }
        if let v = options.resourceVersionMatch { query.append(("resourceVersionMatch", v)) }
        if let v = options.timeoutSeconds { query.append(("timeoutSeconds", String(v))) }
        let response = try await perform(verb: "list", method: "GET", path: resource.collectionPath(namespace: namespace), query: query)
        let list: JSONValue
        if let projection = options.projection {
            do {
                list = try JSONParser.parse(response.body, projection: projection.withIdentity.nested(under: "items", alsoKeep: ["metadata"]))
            } catch {
                throw KubeError.decoding(what: "\(resource) list", message: error.description)
            }
        } else {
            list = try decodeObject(response.body, what: "\(resource) list")
        }
        guard case .array(let rawItems)? = list["items"] ?? .array([]) else {
            throw KubeError.decoding(what: "\(resource) list", message: "items is not an array")
        }
        let items = rawItems.map { item -> JSONValue in
            var item = item
            if item["kind"] == nil { item["kind"] = .string(resource.kind) }
            if item["apiVersion"] == nil { item["apiVersion"] = .string(resource.apiVersion) }
            return item
        }
        let token = list[path: "metadata.continue"]?.stringValue
        return ObjectList(resourceVersion: list[path: "metadata.resourceVersion"]?.stringValue ?? "",
                          continueToken: (token?.isEmpty ?? true) ? nil : token, items: items)
    }

    public func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        var query: [(String, String)] = [("watch", "true")]
        if let v = options.labelSelector, !v.isEmpty { query.append(("labelSelector", v)) }
        if let v = options.fieldSelector, !v.isEmpty { query.append(("fieldSelector", v)) }
        if let v = options.resourceVersion { query.append(("resourceVersion", v)) }
        if options.allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        if let v = options.timeoutSeconds { query.append(("timeoutSeconds", String(v))) }
        let response = try await performStreaming(verb: "watch", path: resource.collectionPath(namespace: namespace), query: query)
        let projection = options.projection.map { $0.withIdentity.nested(under: "object", alsoKeep: ["type"]) }
        return WatchEventStream(WatchDecoder(lines: LineStream(response.body), resource: resource, projection: projection))
    }

    public func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
        let ns = resource.namespaced ? (namespace ?? object[path: "metadata.namespace"]?.stringValue ?? "default") : nil
        let response = try await perform(verb: "create", method: "POST", path: resource.collectionPath(namespace: ns),
                                         query: writeQuery(options), body: object)
        return try decodeObject(response.body, what: "\(resource) create")
    }

    public func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        guard let name = object[path: "metadata.name"]?.stringValue else {
            throw KubeError.configuration("update of \(resource): the object has no metadata.name")
        }
        let ns = namespace ?? object[path: "metadata.namespace"]?.stringValue
        let response = try await perform(verb: "update", method: "PUT",
                                         path: resource.objectPath(namespace: ns, name: name, subresource: subresource),
                                         query: writeQuery(options), body: object)
        return try decodeObject(response.body, what: "\(resource) \(name) update")
    }

    public func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue {
        var query: [(String, String)] = []
        if let v = options.fieldManager { query.append(("fieldManager", v)) }
        if case .apply = patch {
            if options.fieldManager == nil { query.append(("fieldManager", userAgent)) }
            if options.force { query.append(("force", "true")) }
        }
        if let v = options.fieldValidation { query.append(("fieldValidation", v)) }
        if options.dryRun { query.append(("dryRun", "All")) }
        let response = try await perform(verb: "patch", method: "PATCH",
                                         path: resource.objectPath(namespace: namespace, name: name, subresource: subresource),
                                         query: query, body: patch.body, contentType: patch.contentType)
        return try decodeObject(response.body, what: "\(resource) \(name) patch")
    }

    public func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        var body: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let p = options.propagationPolicy { body["propagationPolicy"] = .string(p.rawValue) }
        if let g = options.gracePeriodSeconds { body["gracePeriodSeconds"] = .int(Int64(g)) }
        var preconditions = JSONValue.emptyObject
        if let uid = options.preconditionUID { preconditions["uid"] = .string(uid) }
        if let rv = options.preconditionResourceVersion { preconditions["resourceVersion"] = .string(rv) }
        if preconditions != .emptyObject { body["preconditions"] = preconditions }
        if options.dryRun { body["dryRun"] = ["All"] }
        let response = try await perform(verb: "delete", method: "DELETE",
                                         path: resource.objectPath(namespace: namespace, name: name), body: body)
        let value = try decodeObject(response.body, what: "\(resource) \(name) delete")
        // Success is either a Status or the object itself (still there, finalizers pending).
        if value["kind"]?.stringValue == "Status" { return nil }
        return value
    }

    // MARK: Request pipeline

    func writeQuery(_ options: WriteOptions) -> [(String, String)] {
        var query: [(String, String)] = []
        if let v = options.fieldManager { query.append(("fieldManager", v)) }
        if let v = options.fieldValidation { query.append(("fieldValidation", v)) }
        if options.dryRun { query.append(("dryRun", "All")) }
        return query
    }

    /// The full URL for a path and query; values are percent-encoded.
    public func url(path: String, query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return server + path }
        return server + path + "?" + query.map { "\(QueryEncoding.encode($0.0))=\(QueryEncoding.encode($0.1))" }.joined(separator: "&")
    }

    /// Sends a request through pacing, credentials and retries; returns a 2xx response or throws.
    public func perform(verb: String, method: String, path: String, query: [(String, String)] = [],
                        body: JSONValue? = nil, contentType: String = "application/json",
                        accept: String = "application/json", timeout: Duration?? = nil) async throws -> HTTPResponse {
        let bytes = body?.serialized()
        var refreshedCredentials = false
        var attempt = 0
        while true {
            attempt += 1
            let request = try await prepare(method: method, url: url(path: path, query: query), body: bytes,
                                            contentType: contentType, accept: accept, timeout: timeout ?? requestTimeout)
            let response = try await transported(verb: verb) { () async throws(TransportError) -> HTTPResponse in
                try await transport.send(request)
            }
            switch try await next(verb: verb, path: path, status: response.status, headers: response.headers,
                                  attempt: attempt, refreshedCredentials: &refreshedCredentials) {
            case .done: return response
            case .again: continue
            case .fail:
                throw KubeError.api(APIError(statusCode: response.status, body: response.body,
                                             retryAfterHeader: response.headers.value(for: "Retry-After")))
            }
        }
    }

    /// Runs one transport call: a failure is counted and becomes `KubeError.transport`, a
    /// cancelled transfer becomes `CancellationError`.
    func transported<R>(verb: String, _ call: () async throws(TransportError) -> R) async throws -> R {
        do {
            return try await call()
        } catch {
            count(verb: verb, code: -1)
            if error.kind == .cancelled { throw CancellationError() }
            throw KubeError.transport(error)
        }
    }

    enum Next { case done, again, fail }

    /// What to do with a response: accept it, send again (after refreshing credentials on a first
    /// 401, or sleeping off a Retry-After), or fail. Counts the response and notes its warnings.
    func next(verb: String, path: String, status: Int, headers: [HTTPHeader], attempt: Int,
              refreshedCredentials: inout Bool) async throws -> Next {
        count(verb: verb, code: status)
        noteWarnings(headers)
        if (200..<300).contains(status) { return .done }
        if status == 401, !refreshedCredentials {
            refreshedCredentials = true
            await authorizer.invalidate()
            return .again
        }
        if let delay = retryDelay(status: status, headers: headers), attempt <= 10 {
            counters.withLock { $0.retries += 1 }
            logger.debug("server asked to retry", metadata: ["verb": "\(verb)", "path": "\(path)", "code": "\(status)", "retry.after": "\(delay)"])
            try await sleep(delay)
            return .again
        }
        return .fail
    }

    /// Sends a request whose body streams (watch, follow logs). A non-2xx answer is read in full
    /// and thrown as an `APIError`.
    public func performStreaming(verb: String, path: String, query: [(String, String)],
                                 accept: String = "application/json") async throws -> HTTPStreamingResponse {
        var refreshedCredentials = false
        var attempt = 0
        while true {
            attempt += 1
            let request = try await prepare(method: "GET", url: url(path: path, query: query), body: nil,
                                            contentType: nil, accept: accept, timeout: nil)
            let response = try await transported(verb: verb) { () async throws(TransportError) -> HTTPStreamingResponse in
                try await transport.stream(request)
            }
            switch try await next(verb: verb, path: path, status: response.status, headers: response.headers,
                                  attempt: attempt, refreshedCredentials: &refreshedCredentials) {
            case .done: return response
            case .again: continue
            case .fail:
                let body = (try? await response.body.collect(limit: 1 << 20)) ?? []
                throw KubeError.api(APIError(statusCode: response.status, body: body,
                                             retryAfterHeader: response.headers.value(for: "Retry-After")))
            }
        }
    }

    func prepare(method: String, url: String, body: [UInt8]?, contentType: String?, accept: String,
                 timeout: Duration?) async throws -> HTTPRequest {
        if let pacing { metrics.throttled(for: try await pacing.acquire()) }
        let credentials: (authorization: String?, identity: ClientIdentity?)
        do {
            credentials = try await authorizer.credentials()
        } catch let error as KubeError {
            throw error
        } catch {
            throw KubeError.credentials(String(describing: error))
        }
        var headers = [HTTPHeader("Accept", accept), HTTPHeader("User-Agent", userAgent)]
        if body != nil, let contentType { headers.append(HTTPHeader("Content-Type", contentType)) }
        if let authorization = credentials.authorization { headers.append(HTTPHeader("Authorization", authorization)) }
        return HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout,
                           clientIdentity: credentials.identity)
    }

    /// client-go retries 429 and 5xx only when the server sent an integer Retry-After.
    func retryDelay(status: Int, headers: [HTTPHeader]) -> Duration? {
        guard status == 429 || (500...599).contains(status),
              let raw = headers.value(for: "Retry-After"),
              let seconds = Int(raw.filter { !$0.isWhitespace }), seconds >= 0
        else { return nil }
        return .seconds(min(seconds, 60))
    }

    /// Counts one response (`code` -1: transport error).
    func count(verb: String, code: Int) {
        counters.withLock { $0.byVerbAndCode[CounterState.Key(verb: verb, code: code), default: 0] += 1 }
        metrics.requestFinished(verb: verb, code: code)
    }

    func noteWarnings(_ headers: [HTTPHeader]) {
        let warnings = headers.values(for: "Warning")
        guard !warnings.isEmpty else { return }
        counters.withLock { c in
            c.warnings.append(contentsOf: warnings)
            if c.warnings.count > 100 { c.warnings.removeFirst(c.warnings.count - 100) }
        }
        for warning in warnings { logger.warning("server warning", metadata: ["warning": "\(warning)"]) }
    }

    func decodeObject(_ body: [UInt8], what: @autoclosure () -> String) throws -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw KubeError.decoding(what: what(), message: error.description)
        }
    }
}

/// Percent-encoding for query keys and values: everything but RFC 3986 unreserved characters.
enum QueryEncoding {
    static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

/// Turns the lines of a watch body into events.
struct WatchDecoder: AsyncSequence, Sendable {
    typealias Element = WatchEvent
    let lines: LineStream
    let resource: Resource
    /// Applied to the event envelope; ERROR events are decoded again in full.
    var projection: JSONProjection?

    struct AsyncIterator: AsyncIteratorProtocol {
        var lines: LineStream.AsyncIterator
        let resource: Resource
        let projection: JSONProjection?

        mutating func next() async throws -> WatchEvent? {
            while let line = try await lines.next() {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                var value: JSONValue
                do {
                    if let projection {
                        value = try JSONParser.parse(line, projection: projection)
                        if value["type"]?.stringValue == WatchEvent.EventType.error.rawValue { value = try JSONParser.parse(line) }
                    } else {
                        value = try JSONParser.parse(line)
                    }
                } catch {
                    throw KubeError.decoding(what: "\(resource) watch event", message: error.description)
                }
                guard let typeName = value["type"]?.stringValue, let type = WatchEvent.EventType(rawValue: typeName),
                      var object = value["object"] else {
                    throw KubeError.decoding(what: "\(resource) watch event", message: "missing or unknown type/object")
                }
                if type != .error {
                    if object["kind"] == nil { object["kind"] = .string(resource.kind) }
                    if object["apiVersion"] == nil { object["apiVersion"] = .string(resource.apiVersion) }
                }
                return WatchEvent(type: type, object: object)
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(lines: lines.makeAsyncIterator(), resource: resource, projection: projection)
    }
}
