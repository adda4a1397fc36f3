/// The cluster a plugin is told about in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set.
public struct ExecClusterInfo: Sendable, Hashable {
    public var server: String
    public var certificateAuthorityData: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var tlsServerName: String?

    public init(server: String, certificateAuthorityData: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false,
                tlsServerName: String? = nil) {
        self.server = server
        self.certificateAuthorityData = certificateAuthorityData
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
    }

    /// The cluster of a loaded configuration.
    public init(_ configuration: ClientConfiguration) {
        self.init(server: configuration.server, certificateAuthorityData: configuration.tls.caPEM,
                  insecureSkipTLSVerify: configuration.tls.insecureSkipVerify, tlsServerName: configuration.tls.serverName)
    }
}
