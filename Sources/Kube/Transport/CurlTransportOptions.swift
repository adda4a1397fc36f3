import Foundation

/// How a `CurlTransport` connects: trust, client identity, proxy, timeouts and limits.
public struct TransportOptions: Sendable {
    /// Trust only this CA bundle (PEM, kept in memory); `nil` trusts the system roots.
    public var caPEM: [UInt8]?
    /// Skips certificate and host name verification. Only for clusters that ask for it.
    public var insecureSkipTLSVerify: Bool
    /// Verify the server certificate against (and send SNI for) this name instead of the URL host.
    public var tlsServerName: String?
    /// The default client certificate and key (PEM); never written to disk.
    public var clientIdentity: ClientIdentity?
    /// An explicit proxy (`http://`, `https://`, `socks5://`); overrides the environment.
    public var proxyURL: String?
    /// The environment the proxy variables are read from (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
    public var environment: [String: String]
    /// Limit for establishing a connection (TCP, proxy and TLS handshakes).
    public var connectTimeout: Duration
    /// Transfers running at once; further requests wait in a FIFO queue.
    public var maxConcurrentTransfers: Int
    /// The `User-Agent` header unless a request sets its own.
    public var userAgent: String
    /// How long a `send` may run its transfer on the calling thread when the transport is idle
    /// (nothing in flight), instead of handing it to the curl thread: saves two thread wake-ups
    /// per request against a fast server. The caller blocks for at most this plus 1 ms (curl's
    /// poll granularity); then the curl thread takes over. After misses the fast path is skipped
    /// for up to 63 requests. `.zero` turns it off. See docs/transport.md.
    public var callerDriveBudget: Duration = .milliseconds(1)
    /// An easy handle that served a collected GET keeps its options, and the next GET with the
    /// same proxy and timeout sets only its URL, headers and callback target instead of resetting
    /// and setting ~20 options again. Off: every request resets its handle. See docs/transport.md.
    public var reusePlainGETHandles = true
    /// Bytes a streaming body buffers before the transfer pauses reading from the socket.
    var streamCapacity: Int = 1 << 20
    /// The largest body `send` collects; larger responses fail with `.aborted`.
    var maxResponseBytes: Int = 256 << 20

    /// Options with kubectl-like defaults: system roots, the process environment, 10 s to connect.
    public init(
        caPEM: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil,
        clientIdentity: ClientIdentity? = nil,
        proxyURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        connectTimeout: Duration = .seconds(10),
        maxConcurrentTransfers: Int = 64,
        userAgent: String = "jobflow-tui"
    ) {
        self.caPEM = caPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.clientIdentity = clientIdentity
        self.proxyURL = proxyURL
        self.environment = environment
        self.connectTimeout = connectTimeout
        self.maxConcurrentTransfers = maxConcurrentTransfers
        self.userAgent = userAgent
    }
}
