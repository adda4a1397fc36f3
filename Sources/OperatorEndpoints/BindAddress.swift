/// Where an HTTP endpoint listens, parsed the way controller-runtime reads `--metrics-bind-address`
/// and `--health-probe-bind-address`: `HOST:PORT` or `:PORT`, or `0` for "do not serve".
///
/// - `:8080` listens on every IPv4 interface (`0.0.0.0`); `[::]:8080` on every IPv6 one.
/// - `127.0.0.1:8080`, `0.0.0.0:9000`, `localhost:8080`, `[::1]:8080` listen where they say.
/// - Port `0` asks the kernel for a free port (the server reports the one it got).
/// - IPv6 literals need brackets (`::1:8080` is ambiguous and rejected).
public enum BindAddress: Sendable, Hashable, CustomStringConvertible {
    /// `0`: the endpoint is off.
    case disabled
    /// Listen on `host` (an IP literal without brackets, or a name to resolve) and `port`.
    case listen(host: String, port: Int)

    /// Parses a flag value; the error says what is wrong, without the flag name.
    public static func parse(_ text: String) throws(BindAddressError) -> BindAddress {
        if text == "0" { return .disabled }
        guard let colon = text.lastIndex(of: ":") else {
            throw BindAddressError("\"\(text)\" is not HOST:PORT, :PORT or 0")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), port <= 65535 else {
            throw BindAddressError("\"\(text)\": the port must be a number from 0 to 65535")
        }
        if host.hasPrefix("[") || host.hasSuffix("]") {
            guard host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 else {
                throw BindAddressError("\"\(text)\": unbalanced brackets around the host")
            }
            host = String(host.dropFirst().dropLast())
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), host.contains(":") else {
                throw BindAddressError("\"\(text)\": [\(host)] is not an IPv6 address")
            }
            return .listen(host: host, port: port)
        }
        if host.isEmpty { return .listen(host: "0.0.0.0", port: port) }
        if host.contains(":") {
            throw BindAddressError("\"\(text)\": put an IPv6 address in brackets, e.g. [::1]:8080")
        }
        guard host.count <= 253, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }),
              !host.hasPrefix("-"), !host.hasPrefix("."), !host.contains("..") else {
            throw BindAddressError("\"\(text)\": \(host) is not an IP address or host name")
        }
        return .listen(host: host, port: port)
    }

    /// `host:port` (IPv6 hosts bracketed), or `0` when disabled.
    public var description: String {
        switch self {
        case .disabled: return "0"
        case .listen(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// Why a bind address does not parse.
public struct BindAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
