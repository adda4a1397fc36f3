import JobFlowAPI
import Foundation
import Kube
import Logging
import Orchestrator
import Synchronization
import TUI

/// The terminal UI with the reconcile loop embedded (`operator` and `demo`): the operator runs
/// in this process, its logs go to a file (never the terminal), and the UI's retry and cancel
/// become the same annotation requests `jobflow-tui retry|cancel` writes — so they work the
/// same whether this process or another replica leads.
enum OperatorUI {
    static func run(client: KubeClient, configuration: OperatorConfiguration, context: String,
                    namespace: String?, mode: Mode, theme: Theme, logFile: String, endpoints: EndpointOptions? = nil,
                    hint: String? = nil) async throws {
        let logger = try fileLogger(path: logFile)
        let op: Operator
        do {
            op = try Operator(api: client, configuration: configuration, logger: logger)
        } catch {
            throw CLIError(error)
        }
        // Before the terminal is taken over, so a bad address is a plain error message.
        var serving: OperatorServing?
        if let endpoints { serving = try await OperatorServing.start(endpoints, operator: op, logger: logger) }
        let operatorTask = Task { [serving] in if let serving { await serving.run(op) } else { await op.run() } }
        var feed = ClusterFeed.Configuration(
            context: context, namespace: namespace,
            jobFlows: CustomResources.jobFlows, daemonJobs: CustomResources.daemonJobs,
            leaseNamespace: configuration.leaderElection?.namespace ?? namespace ?? "default",
            leaseName: OperatorConfiguration.leaseName)
        feed.ownIdentity = configuration.leaderElection == nil ? nil : configuration.identity
        let session = LiveSession(client: client, feed: feed, mode: mode, theme: theme, logger: logger, hint: hint) { effect in
            let (target, kind): (ActionTarget, RequestKind)
            switch effect {
            case .requestRetry(let t): (target, kind) = (t, .retry)
            case .requestCancel(let t): (target, kind) = (t, .cancel)
            default: return
            }
            let value = target.entries.isEmpty ? "*" : target.annotationValue
            let written = try await RequestWriter.write(client: client, kind: target.ref.kind.api, namespace: target.ref.namespace,
                                                        name: target.ref.name, request: kind, value: value)
            logger.info("request written from the UI", metadata: ["request": "\(kind)", "object": "\(target.ref.namespace)/\(target.ref.name)", "value": "\(written)"])
        }
        defer {
            operatorTask.cancel()
        }
        do {
            try await session.run()
        } catch {
            operatorTask.cancel()
            await operatorTask.value
            await serving?.stop()
            throw error
        }
        operatorTask.cancel()
        await operatorTask.value
        await serving?.stop()
    }

    /// Structured text logs appended to `path`.
    static func fileLogger(path: String) throws -> Logger {
        guard FileManager.default.createFile(atPath: path, contents: nil) || FileManager.default.fileExists(atPath: path),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw CLIError("cannot write the log file \(path)")
        }
        handle.seekToEndOfFile()
        let sink = LogFileSink(handle: handle)
        return Logger(label: "jobflow.operator") { label in FileLogHandler(label: label, sink: sink) }
    }
}

/// Serialises writes of log lines to one file handle.
final class LogFileSink: Sendable {
    let handle: Mutex<FileHandle>
    init(handle: FileHandle) { self.handle = Mutex(handle) }
    func write(_ line: String) { handle.withLock { $0.write(Data(line.utf8)) } }
}

/// One text line per message, with metadata, to a file.
struct FileLogHandler: LogHandler {
    let label: String
    let sink: LogFileSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(KubeTimestamp.microTime(Date())) \(event.level) \(label): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n")
    }
}
