/// The parts of an absolute `http`/`https` URL that the transport needs for proxy decisions and
/// for tls-server-name. Only what curl needs is parsed; the path and query pass through untouched.
struct RequestURL: Sendable, Equatable {
    /// Lowercased: `http` or `https`.
    var scheme: String
    /// `user:password` without the `@`, if the URL had one.
    var userInfo: String?
    /// The host without IPv6 brackets, as written (domain names compare lowercased elsewhere).
    var host: String
    /// The port written in the URL, if any.
    var port: Int?
    /// Everything after the authority: path, query and fragment (may be empty).
    var rest: Substring

    init?(_ string: String) {
        guard let schemeEnd = string.range(of: "://") else { return nil }
        let scheme = string[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let afterScheme = string[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        var userInfo: String?
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        var host: Substring
        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
            if portText?.contains(":") == true { return nil }
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy(\.isASCII), let p = Int(portText), (1...65535).contains(p) else { return nil }
            port = p
        }
        self.scheme = scheme
        self.userInfo = userInfo
        self.host = String(host)
        self.port = port
        self.rest = afterScheme[authorityEnd...]
    }

    /// The port in use: the explicit one, else 443 for https and 80 for http.
    var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

    /// The host as it appears in a URL or `Host:` header (IPv6 in brackets).
    static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// `host[:port]` as the URL wrote it, for the `Host:` header.
    var hostHeaderValue: String {
        let h = Self.bracketed(host)
        if let port { return "\(h):\(port)" }
        return h
    }

    /// The same URL with another host (the port and everything else kept).
    func replacingHost(with newHost: String) -> String {
        var s = scheme + "://"
        if let userInfo { s += userInfo + "@" }
        s += Self.bracketed(newHost)
        if let port { s += ":\(port)" }
        s += rest
        return s
    }
}
