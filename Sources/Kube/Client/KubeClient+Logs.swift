/// Options of a pod log request (`GET …/pods/{name}/log`).
public struct LogOptions: Sendable, Hashable {
    public var container: String?
    public var follow: Bool
    public var tailLines: Int?
    public var timestamps: Bool
    public var previous: Bool
    public var sinceSeconds: Int?
    public var limitBytes: Int?
    public init(container: String? = nil, follow: Bool = false, tailLines: Int? = nil, timestamps: Bool = false,
                previous: Bool = false, sinceSeconds: Int? = nil, limitBytes: Int? = nil) {
        self.container = container
        self.follow = follow
        self.tailLines = tailLines
        self.timestamps = timestamps
        self.previous = previous
        self.sinceSeconds = sinceSeconds
        self.limitBytes = limitBytes
    }

    var query: [(String, String)] {
        var q: [(String, String)] = []
        if let container { q.append(("container", container)) }
        if follow { q.append(("follow", "true")) }
        if let tailLines { q.append(("tailLines", String(tailLines))) }
        if timestamps { q.append(("timestamps", "true")) }
        if previous { q.append(("previous", "true")) }
        if let sinceSeconds { q.append(("sinceSeconds", String(sinceSeconds))) }
        if let limitBytes { q.append(("limitBytes", String(limitBytes))) }
        return q
    }
}

extension KubeClient {
    /// The log of a pod's container, read in full (capped at 64 MiB; use `limitBytes` or `tailLines`
    /// for less). `follow` is ignored here: use `streamLogs`.
    public func logs(namespace: String, pod: String, options: LogOptions = LogOptions()) async throws -> [UInt8] {
        var options = options
        options.follow = false
        let path = Resource.pods.objectPath(namespace: namespace, name: pod, subresource: "log")
        let response = try await perform(verb: "get", method: "GET", path: path, query: options.query, accept: "*/*")
        return response.body
    }

    /// The log of a pod's container as lines, arriving as they are written when `follow` is set.
    /// The stream is bounded: a slow reader holds the connection still instead of buffering.
    public func streamLogs(namespace: String, pod: String, options: LogOptions) async throws -> LineStream {
        let path = Resource.pods.objectPath(namespace: namespace, name: pod, subresource: "log")
        let response = try await performStreaming(verb: "get", path: path, query: options.query, accept: "*/*")
        return LineStream(response.body)
    }

    /// The core/v1 Events about one object (as `kubectl describe` finds them), oldest first.
    public func events(for object: JSONValue) async throws -> [JSONValue] {
        var selectors: [String] = []
        if let uid = object[path: "metadata.uid"]?.stringValue { selectors.append("involvedObject.uid=\(uid)") }
        if let name = object[path: "metadata.name"]?.stringValue { selectors.append("involvedObject.name=\(name)") }
        if let kind = object["kind"]?.stringValue { selectors.append("involvedObject.kind=\(kind)") }
        let namespace = object[path: "metadata.namespace"]?.stringValue
        if let namespace { selectors.append("involvedObject.namespace=\(namespace)") }
        let list = try await list(.events, namespace: namespace, options: ListOptions(fieldSelector: selectors.joined(separator: ","), limit: 500))
        return list.items.sorted {
            ($0["lastTimestamp"]?.stringValue ?? $0["eventTime"]?.stringValue ?? "")
                < ($1["lastTimestamp"]?.stringValue ?? $1["eventTime"]?.stringValue ?? "")
        }
    }

    /// `GET /version`.
    public func serverVersion() async throws -> JSONValue {
        let response = try await perform(verb: "get", method: "GET", path: "/version", timeout: .some(.seconds(10)))
        return try decodeObject(response.body, what: "server version")
    }
}
