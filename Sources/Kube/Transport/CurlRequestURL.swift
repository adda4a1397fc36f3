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

    /// Parses over the UTF-8 bytes (every delimiter is ASCII, so byte positions are valid
    /// `String` indices): this runs once per request, and `Character`-based scanning with
    /// Foundation's `range(of:)` cost several microseconds.
    init?(_ string: String) {
        let utf8 = string.utf8
        // "://" and the scheme before it, compared without allocating.
        var schemeEnd: String.Index?
        var i = utf8.startIndex
        while i != utf8.endIndex {
            if utf8[i] == UInt8(ascii: ":") {
                let j = utf8.index(after: i)
                if j != utf8.endIndex, utf8[j] == UInt8(ascii: "/") {
                    let k = utf8.index(after: j)
                    if k != utf8.endIndex, utf8[k] == UInt8(ascii: "/") {
                        schemeEnd = i
                        break
                    }
                }
            }
            i = utf8.index(after: i)
        }
        guard let schemeEnd else { return nil }
        let schemeBytes = utf8[utf8.startIndex..<schemeEnd]
        let scheme: String
        if Self.equalsLowercased(schemeBytes, "http") {
            scheme = "http"
        } else if Self.equalsLowercased(schemeBytes, "https") {
            scheme = "https"
        } else {
            return nil
        }
        let authorityStart = utf8.index(schemeEnd, offsetBy: 3)
        var authorityEnd = authorityStart
        while authorityEnd != utf8.endIndex {
            let b = utf8[authorityEnd]
            if b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") { break }
            authorityEnd = utf8.index(after: authorityEnd)
        }
        var hostStart = authorityStart
        var userInfo: String?
        if let at = utf8[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) {
            userInfo = String(string[authorityStart..<at])
            hostStart = utf8.index(after: at)
        }
        let authority = utf8[hostStart..<authorityEnd]
        var hostRange: Range<String.Index>
        var portRange: Range<String.Index>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostRange = utf8.index(after: hostStart)..<close
            let after = utf8.index(after: close)
            if after != authorityEnd {
                guard utf8[after] == UInt8(ascii: ":") else { return nil }
                portRange = utf8.index(after: after)..<authorityEnd
            }
        } else if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            hostRange = hostStart..<colon
            portRange = utf8.index(after: colon)..<authorityEnd
            if utf8[portRange!].contains(UInt8(ascii: ":")) { return nil }
        } else {
            hostRange = hostStart..<authorityEnd
        }
        guard !hostRange.isEmpty else { return nil }
        var port: Int?
        if let portRange, !portRange.isEmpty {
            let digits = utf8[portRange]
            guard digits.count <= 5, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            let p = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard (1...65535).contains(p) else { return nil }
            port = p
        }
        self.scheme = scheme
        self.userInfo = userInfo
        self.host = String(string[hostRange])
        self.port = port
        self.rest = string[authorityEnd...]
    }

    /// Whether `bytes` equal the lowercase ASCII `word`, ignoring ASCII case.
    private static func equalsLowercased(_ bytes: Substring.UTF8View, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        var p = word.utf8Start
        for b in bytes {
            let lower = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b
            if lower != p.pointee { return false }
            p += 1
        }
        return true
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
