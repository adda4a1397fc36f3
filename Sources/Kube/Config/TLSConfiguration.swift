/// TLS settings of a cluster connection. Key and certificate bytes are held in memory only and
/// never appear in `description` or `debugDescription`.
public struct TLSConfiguration: Sendable, Hashable {
    /// PEM bundle of trusted roots, from `certificate-authority` or `certificate-authority-data`;
    /// `nil` means the system roots.
    public var caPEM: [UInt8]?
    public var insecureSkipVerify: Bool
    /// `tls-server-name`: the name checked against the server certificate and sent as SNI.
    public var serverName: String?
    /// `client-certificate(-data)` + `client-key(-data)`.
    public var clientIdentity: ClientIdentity?

    public init(caPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil,
                clientIdentity: ClientIdentity? = nil) {
        self.caPEM = caPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.clientIdentity = clientIdentity
    }
}

extension TLSConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        var parts: [String] = []
        parts.append(caPEM.map { "ca: \($0.count) bytes" } ?? "ca: system roots")
        if insecureSkipVerify { parts.append("insecure-skip-tls-verify") }
        if let serverName { parts.append("server-name: \(serverName)") }
        if clientIdentity != nil { parts.append("client-certificate: <redacted>, client-key: <redacted>") }
        return "TLSConfiguration(\(parts.joined(separator: ", ")))"
    }
    public var debugDescription: String { description }
}
