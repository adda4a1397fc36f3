import Foundation

/// Removes credentials from log text before it is written: `Bearer …` and `Basic …`
/// authorization values, JWT-shaped strings (service-account tokens), and the values of
/// metadata keys named like secrets (`token`, `password`, `authorization`, …).
///
/// Defence in depth: the client's errors already never carry credentials (docs/config.md); this
/// catches a future log call that would. A quick substring check keeps the common line cheap.
enum SecretRedactor {
    static let replacement = "[redacted]"

    private static let patterns: [NSRegularExpression] = [
        #"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"#,
        #"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"#,
    ].compactMap { try? NSRegularExpression(pattern: $0) }

    private static let secretKeys: Set<String> = ["token", "password", "authorization", "secret", "bearer", "credentials"]

    /// `text` with credential-looking parts replaced.
    static func redact(_ text: String) -> String {
        guard text.range(of: "bearer", options: .caseInsensitive) != nil || text.range(of: "basic", options: .caseInsensitive) != nil
                || text.contains("eyJ") else { return text }
        var result = text
        for (index, pattern) in patterns.enumerated() {
            let range = NSRange(result.startIndex..., in: result)
            let template = index == 0 ? "$1 \(replacement)" : replacement
            result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }

    /// Whether a metadata key names a secret (its last dotted segment, case-insensitive).
    static func isSecretKey(_ key: String) -> Bool {
        let last = key.split(separator: ".").last.map { $0.lowercased() } ?? key.lowercased()
        return secretKeys.contains(last)
    }
}
