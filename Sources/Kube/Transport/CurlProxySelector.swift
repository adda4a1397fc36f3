#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses the proxy for a request the way kubectl does (Go's `http.ProxyFromEnvironment`, plus
/// the kubeconfig `proxy-url` override). Pure: the environment is a value, nothing is read here.
///
/// - An explicit proxy URL is used for every request (as client-go's `proxy-url` does).
/// - Otherwise `HTTPS_PROXY`/`https_proxy` for https URLs, `HTTP_PROXY`/`http_proxy` for http
///   (the upper-case name wins; empty values count as unset).
/// - `localhost` and loopback addresses (127.0.0.0/8, ::1) are never proxied from the environment.
/// - `NO_PROXY`/`no_proxy` is a comma list of `*`, IPs, CIDRs, `host:port`, and domains:
///   `example.com` matches it and its subdomains, `.example.com` and `*.example.com` only subdomains.
struct ProxySelector: Sendable, Equatable {
    var explicitProxy: String?
    var environment: [String: String]

    /// The proxy URL for `url`, or `nil` to connect directly.
    func proxy(for url: RequestURL) -> String? {
        if let explicitProxy, !explicitProxy.isEmpty { return Self.normalized(explicitProxy) }
        let value = url.scheme == "https"
            ? lookup("HTTPS_PROXY", "https_proxy")
            : lookup("HTTP_PROXY", "http_proxy")
        guard let value else { return nil }
        guard Self.useProxy(host: url.host, port: url.effectivePort, noProxy: lookup("NO_PROXY", "no_proxy") ?? "")
        else { return nil }
        return Self.normalized(value)
    }

    private func lookup(_ upper: String, _ lower: String) -> String? {
        if let v = environment[upper], !v.isEmpty { return v }
        if let v = environment[lower], !v.isEmpty { return v }
        return nil
    }

    /// A proxy without a scheme is an http proxy (as in Go). Go's `socks5` resolves names at the
    /// proxy, which curl calls `socks5h`.
    static func normalized(_ proxy: String) -> String {
        guard let range = proxy.range(of: "://") else { return "http://" + proxy }
        let scheme = proxy[..<range.lowerBound].lowercased()
        if scheme == "socks5" { return "socks5h://" + proxy[range.upperBound...] }
        return proxy
    }

    /// Whether a request to `host:port` goes through the environment's proxy.
    static func useProxy(host rawHost: String, port: Int, noProxy: String) -> Bool {
        let host = rawHost.lowercased()
        if host == "localhost" { return false }
        let ip = IPAddress(host)
        if let ip, ip.isLoopback { return false }
        for rawEntry in noProxy.split(separator: ",") {
            let entry = rawEntry.trimmingASCIIWhitespace().lowercased()
            if entry.isEmpty { continue }
            if entry == "*" { return false }
            if let cidr = CIDR(entry) {
                if let ip, cidr.contains(ip) { return false }
                continue
            }
            if let entryIP = IPAddress(entry) {
                if let ip, entryIP == ip { return false }
                continue
            }
            var entryHost = entry
            var entryPort: Int?
            if let (h, p) = splitHostPort(entry) {
                entryHost = h
                entryPort = p
            }
            if let entryIP = IPAddress(entryHost) {
                if let ip, entryIP == ip, entryPort == nil || entryPort == port { return false }
                continue
            }
            if entryHost.hasPrefix("*.") { entryHost.removeFirst() }
            if entryHost.isEmpty { continue }
            let matchesBareHost = !entryHost.hasPrefix(".")
            let suffix = matchesBareHost ? "." + entryHost : entryHost
            if host.hasSuffix(suffix) || (matchesBareHost && host == entryHost) {
                if entryPort == nil || entryPort == port { return false }
            }
        }
        return true
    }

    /// `host:port` or `[v6]:port` → (host, port); `nil` when there is no valid port.
    private static func splitHostPort(_ s: String) -> (String, Int)? {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            let after = s[s.index(after: close)...]
            guard after.hasPrefix(":"), let p = Int(after.dropFirst()) else { return nil }
            return (String(s[s.index(after: s.startIndex)..<close]), p)
        }
        guard let colon = s.lastIndex(of: ":"), s.firstIndex(of: ":") == colon,
              let p = Int(s[s.index(after: colon)...]) else { return nil }
        return (String(s[..<colon]), p)
    }
}

extension StringProtocol {
    fileprivate func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
