/// DNS-1123 names, as Kubernetes checks them.
public enum DNSName {
    /// A DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric.
    public static func isLabel(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        for b in bytes where !(isLowerAlnum(b) || b == UInt8(ascii: "-")) { return false }
        return isLowerAlnum(bytes.first!) && isLowerAlnum(bytes.last!)
    }

    /// A DNS-1123 subdomain: dot-separated labels, at most 253 characters.
    public static func isSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabel(String($0)) }
    }

    public static func isLowerAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    /// Quotes a name from the input for a message, cut short so that a hostile name stays readable.
    public static func quoted(_ s: String) -> String {
        let cut = s.count > 80 ? String(s.prefix(77)) + "…" : s
        return "\"" + cut + "\""
    }
}
