import Foundation
import Logging

/// Encodes one log record as a line: Kubernetes-style JSON (the logr/zap conventions
/// controller-runtime operators use) or `key=value` text. Pure: no I/O, no clock.
///
/// JSON: `{"ts":"2026-11-25T04:25:27.412Z","level":"info","logger":"jobflow.operator","msg":"job created","v":0,"controller":"jobflow","flow.name":"default/a",…}`
/// — `ts` (RFC 3339, UTC, milliseconds), `level` (`debug`, `info`, `warn`, `error`), `logger`,
/// `msg`, `v` (logr verbosity, on info and debug lines only), then the metadata flattened at the
/// top level: dotted keys as they are, nested dictionaries joined with dots, sorted by key.
/// Metadata keys that collide with those five get a `metadata.` prefix. Credentials are redacted.
enum LogLineEncoder {
    static let reserved: Set<String> = ["ts", "level", "logger", "msg", "v"]

    /// The zap level name and logr verbosity of a swift-log level.
    static func level(_ level: Logger.Level) -> (name: String, verbosity: Int?) {
        switch level {
        case .trace: return ("debug", 2)
        case .debug: return ("debug", 1)
        case .info, .notice: return ("info", 0)
        case .warning: return ("warn", nil)
        case .error, .critical: return ("error", nil)
        }
    }

    static func json(time: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        let (name, verbosity) = LogLineEncoder.level(level)
        var out = "{\"ts\":" + quoted(time) + ",\"level\":" + quoted(name) + ",\"logger\":" + quoted(label)
            + ",\"msg\":" + quoted(SecretRedactor.redact(message))
        if let verbosity { out += ",\"v\":\(verbosity)" }
        for (key, value) in flatten(metadata) {
            out += "," + quoted(reserved.contains(key) ? "metadata." + key : key) + ":" + encode(value, key: key)
        }
        return out + "}"
    }

    static func text(time: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        let pairs = flatten(metadata).map { key, value in "\(key)=\(plain(value, key: key))" }
        return ([time, level.rawValue, "\(label):", SecretRedactor.redact(message)] + pairs).joined(separator: " ")
    }

    /// Nested dictionaries become dotted keys; the result is sorted by key.
    static func flatten(_ metadata: Logger.Metadata, prefix: String = "") -> [(String, Logger.Metadata.Value)] {
        var out: [(String, Logger.Metadata.Value)] = []
        for (key, value) in metadata {
            let full = prefix.isEmpty ? key : prefix + "." + key
            if case .dictionary(let nested) = value, !nested.isEmpty {
                out += flatten(nested, prefix: full)
            } else {
                out.append((full, value))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    private static func encode(_ value: Logger.Metadata.Value, key: String) -> String {
        switch value {
        case .array(let items): return "[" + items.map { encode($0, key: key) }.joined(separator: ",") + "]"
        case .dictionary: return quoted(plain(value, key: key))  // only when empty: "{}"
        default: return quoted(plain(value, key: key))
        }
    }

    private static func plain(_ value: Logger.Metadata.Value, key: String) -> String {
        if SecretRedactor.isSecretKey(key) { return SecretRedactor.replacement }
        switch value {
        case .string(let s): return SecretRedactor.redact(s)
        case .stringConvertible(let c): return SecretRedactor.redact(c.description)
        case .array(let a): return "[" + a.map { plain($0, key: key) }.joined(separator: ",") + "]"
        case .dictionary(let d): return "{" + d.sorted { $0.key < $1.key }.map { "\($0.key)=\(plain($0.value, key: $0.key))" }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `2026-11-25T04:25:27.412Z` for a time in seconds since 1970.
    static func timestamp(_ seconds: Double) -> String {
        var whole = time_t(seconds.rounded(.down))
        let millis = min(999, Int((seconds - Double(whole)) * 1000))
        var parts = tm()
        gmtime_r(&whole, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }
}
