import Logging

extension KubeClient {
    /// A client for a loaded configuration: a libcurl transport with its TLS and proxy settings,
    /// and a credential provider for its user. The transport lives as long as the client.
    public static func make(configuration: ClientConfiguration, userAgent: String = UserAgent.default,
                            pacing: (any RequestPacing)? = ClientRateLimiter(qps: 50, burst: 100),
                            logger: Logger = Logger(label: "kube.client")) throws -> KubeClient {
        let options = TransportOptions(
            caPEM: configuration.tls.caPEM,
            insecureSkipTLSVerify: configuration.tls.insecureSkipVerify,
            tlsServerName: configuration.tls.serverName,
            clientIdentity: configuration.tls.clientIdentity,
            proxyURL: configuration.proxyURL,
            userAgent: userAgent)
        let transport: CurlTransport
        do {
            transport = try CurlTransport(options: options)
        } catch {
            throw KubeError.transport(error)
        }
        let provider = CredentialProvider(configuration: configuration)
        return KubeClient(server: configuration.server, transport: transport,
                          authorizer: RequestAuthorizer(provider: provider), pacing: pacing,
                          userAgent: userAgent, logger: logger)
    }
}
