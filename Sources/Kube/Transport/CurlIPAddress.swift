#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ProxySelector {
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
}
