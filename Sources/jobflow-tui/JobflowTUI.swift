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
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
