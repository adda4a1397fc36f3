/// Everything needed to talk to one API server: where, how to trust it, and how to authenticate.
public struct ClientConfiguration: Sendable {
    /// Base URL, no trailing slash.
    public var server: String
    /// `nil` in-cluster.
    public var contextName: String?
    public var clusterName: String?
    public var userName: String?
    /// `-n`, else the context's namespace, else `default` (in-cluster: `POD_NAMESPACE`, else the
    /// service account's namespace file, else `default`).
    public var namespace: String
    public var tls: TLSConfiguration
    /// The cluster's `proxy-url` (http, https or socks5).
    public var proxyURL: String?
    public var credentials: CredentialSource
    /// Where this came from, for humans: `kubeconfig /a:/b` or `in-cluster`.
    public var source: String

    public init(server: String, contextName: String? = nil, clusterName: String? = nil, userName: String? = nil,
                namespace: String = "default", tls: TLSConfiguration = TLSConfiguration(), proxyURL: String? = nil,
                credentials: CredentialSource = .none, source: String) {
        self.server = server
        self.contextName = contextName
        self.clusterName = clusterName
        self.userName = userName
        self.namespace = namespace
        self.tls = tls
        self.proxyURL = proxyURL
        self.credentials = credentials
        self.source = source
    }
}

extension ClientConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        var parts = ["server: \(server)"]
        if let contextName { parts.append("context: \(contextName)") }
        if let clusterName { parts.append("cluster: \(clusterName)") }
        if let userName { parts.append("user: \(userName)") }
        parts.append("namespace: \(namespace)")
        if let proxyURL { parts.append("proxy: \(Redaction.url(proxyURL))") }
        parts.append("tls: \(tls)")
        parts.append("credentials: \(credentials)")
        parts.append("source: \(source)")
        return "ClientConfiguration(\(parts.joined(separator: ", ")))"
    }
    public var debugDescription: String { description }
}

/// Helpers that keep secrets out of text.
enum Redaction {
    /// A URL with any `user:password@` part replaced.
    static func url(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + "<redacted>@" + String(rest[rest.index(after: at)...])
    }
}
