import Foundation
import Logging
import Synchronization

/// Log lines for the headless operator, one per record, to stderr: Kubernetes-style JSON or
/// `time level logger: message key=value…` text (`LogLineEncoder` says how each looks).
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
        var all = metadataProvider?.get() ?? [:]
        all.merge(metadata) { _, new in new }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        if let error = event.error, all["error"] == nil { all["error"] = "\(error)" }
        let time = LogLineEncoder.timestamp(Date().timeIntervalSince1970)
        let line: String
        switch format {
        case .json: line = LogLineEncoder.json(time: time, level: event.level, label: label, message: event.message.description, metadata: all)
        case .text: line = LogLineEncoder.text(time: time, level: event.level, label: label, message: event.message.description, metadata: all)
        }
        let bytes = Data((line.replacingOccurrences(of: "\n", with: "\\n") + "\n").utf8)
        StructuredLogHandler.output.withLock { _ in FileHandle.standardError.write(bytes) }
    }
}
