import JobFlowAPI
/// Deterministic Job names: `<owner>-<suffix>`, always a valid DNS-1123 label.
///
/// A name that is already a valid label of at most 63 characters is used as is. Otherwise
/// (too long, upper case, dots as in node names `ip-10-0-0-1.ec2.internal`) it is lower-cased,
/// every other character becomes `-`, it is cut to leave room, and `-` plus eight characters of
/// FNV-1a hash of the *original* name are appended, so two different inputs never share a
/// sanitised name by accident and the same input always gives the same name.
public enum JobName {
    public static let maxLength = 63
    static let hashLength = 8

    /// The Job name for flow entry `entry` of flow `flow` (or node `entry` of DaemonJob `flow`).
    public static func make(owner: String, suffix: String) -> String {
        safeLabel("\(owner)-\(suffix)")
    }

    /// `raw` if it is a valid DNS-1123 label, else the sanitised, hashed form.
    public static func safeLabel(_ raw: String) -> String {
        if DNSName.isLabel(raw) { return raw }
        var chars: [Character] = []
        var lastDash = false
        for scalar in raw.lowercased().unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
            if ok {
                chars.append(Character(scalar))
                lastDash = false
            } else if !lastDash {
                chars.append("-")
                lastDash = true
            }
        }
        var prefix = String(chars.prefix(maxLength - hashLength - 1))
        while prefix.first == "-" { prefix.removeFirst() }
        while prefix.last == "-" { prefix.removeLast() }
        let hash = hashString(raw)
        return prefix.isEmpty ? "x-" + hash : prefix + "-" + hash
    }

    /// A label value (`api.practice.com/node`): at most 63 characters of `[A-Za-z0-9._-]`,
    /// alphanumeric at both ends. Valid values pass unchanged; others are hashed like names.
    public static func safeLabelValue(_ raw: String) -> String {
        let bytes = Array(raw.utf8)
        func alnum(_ b: UInt8) -> Bool {
            DNSName.isLowerAlnum(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
        }
        let valid = bytes.count <= 63 && (bytes.isEmpty || (alnum(bytes.first!) && alnum(bytes.last!)
            && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }))
        return valid ? raw : safeLabel(raw)
    }

    /// FNV-1a 64-bit of the UTF-8 bytes, as `hashLength` lower-case base-32 characters (0-9a-v).
    public static func hashString(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        let alphabet = Array("0123456789abcdefghijklmnopqrstuv")
        var out = ""
        for _ in 0..<hashLength {
            out.append(alphabet[Int(h & 31)])
            h >>= 5
        }
        return out
    }
}
