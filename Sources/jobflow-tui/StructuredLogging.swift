import Foundation
import Logging
import Synchronization

/// Log lines for the headless operator: JSON objects (`time`, `level`, `logger`, `message`,
/// `metadata`) or `time level logger: message key=value…` text, one per line, to stderr.
struct StructuredLogHandler: LogHandler {
    enum Format: String, CaseIterable, Sendable { case json, text }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// One write per line, serialised so concurrent loggers never interleave.
    private static let output = Mutex(())

    init(label: String, format: Format, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var explicit = event.metadata
        if let error = event.error { explicit = (explicit ?? [:]).merging(["error": "\(error)"]) { a, _ in a } }
        write(level: event.level, message: event.message, metadata: explicit)
    }

    private func write(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?) {
        var all = metadataProvider?.get() ?? [:]
        all.merge(metadata) { _, new in new }
        if let explicit { all.merge(explicit) { _, new in new } }
        let time = StructuredLogHandler.timestamp()
        let text: String
        switch format {
        case .json:
            var object: [String: Any] = ["time": time, "level": level.rawValue, "logger": label, "message": message.description]
            if !all.isEmpty { object["metadata"] = all.mapValues(StructuredLogHandler.plain) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            text = String(decoding: data, as: UTF8.self)
        case .text:
            let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\(StructuredLogHandler.plain($0.value))" }
            text = ([time, level.rawValue, "\(label):", message.description] + pairs).joined(separator: " ")
        }
        let bytes = Data((text.replacingOccurrences(of: "\n", with: "\\n") + "\n").utf8)
        StructuredLogHandler.output.withLock { _ in FileHandle.standardError.write(bytes) }
    }

    private static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return a.map(plain)
        case .dictionary(let d): return d.mapValues(plain)
        }
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
