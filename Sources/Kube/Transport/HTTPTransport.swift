/// One HTTP header; names compare case-insensitively.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The first value of the header `name`, compared case-insensitively.
    public func value(for name: String) -> String? {
        let lower = name.lowercased()
        return first { $0.name.lowercased() == lower }?.value
    }

    /// Every value of the header `name` (`Warning` may repeat).
    public func values(for name: String) -> [String] {
        let lower = name.lowercased()
        return filter { $0.name.lowercased() == lower }.map(\.value)
    }
}

/// A client certificate and key, PEM, held in memory only.
public struct ClientIdentity: Sendable, Hashable {
    public var certificatePEM: [UInt8]
    public var keyPEM: [UInt8]
    public init(certificatePEM: [UInt8], keyPEM: [UInt8]) {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }
}

/// A request as the transport sends it: the URL is absolute, authentication headers are already added.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    /// Limit for the whole exchange; `nil` for none (watches and followed logs).
    public var timeout: Duration?
    /// A client certificate for this request, overriding the transport's (exec plugins can return one).
    public var clientIdentity: ClientIdentity?

    public init(method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
                timeout: Duration? = nil, clientIdentity: ClientIdentity? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.clientIdentity = clientIdentity
    }
}

/// A complete response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    public init(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response whose body arrives over time (watch, followed logs). The body is a bounded stream:
/// when the consumer falls behind, the transport stops reading from the socket instead of buffering.
public struct HTTPStreamingResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: ByteStream
    public init(status: Int, headers: [HTTPHeader], body: ByteStream) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Moves bytes. Implementations: `CurlTransport` (libcurl) and test doubles.
public protocol HTTPTransport: Sendable {
    /// Sends a request and collects the whole response. Cancelling the task aborts the transfer.
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
    /// Sends a request and returns once the response headers arrived; the body streams.
    /// Cancelling the task, or dropping the body stream, aborts the transfer.
    func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse
    /// Ends every request and releases the transport's resources, returning once nothing of it
    /// runs any more (bounded). Call before the process exits.
    func close() async
}

extension HTTPTransport {
    /// Nothing to release by default (test doubles, in-process transports).
    public func close() async {}
}

/// Why bytes did not move: the connection, TLS or a timeout, never an HTTP status.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case connectionFailed, tls, timedOut, cancelled, proxy, invalidRequest, aborted, other
    }
    public var kind: Kind
    /// What failed, safe to show: never contains headers or credentials.
    public var message: String
    public var url: String

    public init(kind: Kind, message: String, url: String) {
        self.kind = kind
        self.message = message
        self.url = url
    }

    public var description: String { "\(url): \(message)" }
}
