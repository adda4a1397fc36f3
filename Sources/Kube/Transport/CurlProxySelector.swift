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

/// An IPv4 or IPv6 address as 16 bytes (IPv4 in its IPv4-mapped form, as Go stores it).
struct IPAddress: Sendable, Equatable {
    var bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let b = withUnsafeBytes(of: &v4) { Array($0) }
            bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + b
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    var isIPv4: Bool { bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff }

    var isLoopback: Bool {
        if isIPv4 { return bytes[12] == 127 }
        return bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
    }
}

/// An address block such as `10.0.0.0/8` or `fd00::/8`.
struct CIDR: Sendable, Equatable {
    var network: IPAddress
    /// Prefix length in bits of the 16-byte form.
    var prefixBits: Int

    init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"),
              let address = IPAddress(String(text[..<slash])),
              let bits = Int(text[text.index(after: slash)...]) else { return nil }
        let maxBits = address.isIPv4 ? 32 : 128
        guard (0...maxBits).contains(bits) else { return nil }
        network = address
        prefixBits = address.isIPv4 ? bits + 96 : bits
    }

    func contains(_ ip: IPAddress) -> Bool {
        // An IPv4 block only holds IPv4 addresses (the mapped prefix is part of the comparison).
        var remaining = prefixBits
        for i in 0..<16 where remaining > 0 {
            let take = min(8, remaining)
            let mask: UInt8 = take == 8 ? 0xff : ~(0xff >> UInt8(take))
            if network.bytes[i] & mask != ip.bytes[i] & mask { return false }
            remaining -= take
        }
        return true
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
