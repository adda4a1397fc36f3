import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import Logging

@main
struct JobflowTUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobflow-tui",
        abstract: "Run dependent batch work on Kubernetes, and watch and steer it from a terminal.",
        discussion: """
            JobFlow (a DAG of Jobs), JobTemplate and DaemonJob (one Job per node) in \
            \(APIGroup.apiVersion), an operator that reconciles them, and a terminal UI.
            """,
        version: UserAgent.version,
        subcommands: [DemoCommand.self, ClusterInfo.self, SandboxCommand.self, OperatorCommand.self, WatchCommand.self, GetCommand.self,
                      ValidateCommand.self, RetryCommand.self, CancelCommand.self, InstallCommand.self, UninstallCommand.self])
}

/// Logging for the CLI: warnings and errors to stderr, plain text.
enum CLILogging {
    static func bootstrap(level: Logger.Level = .warning) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// A message for the user and a non-zero exit, without a stack of wrappers.
/// An error the command line reports and exits non-zero with: what went wrong, in words for the
/// user, and the error that caused it as thrown (kept for logs and tests; its text is usually the
/// message already).
struct CLIError: Error, CustomStringConvertible {
    var description: String
    var cause: (any Error)?

    init(_ description: String, cause: (any Error)? = nil) {
        self.description = description
        self.cause = cause
    }

    /// The error itself as the message.
    init(_ cause: any Error) {
        self.init("\(cause)", cause: cause)
    }
}
