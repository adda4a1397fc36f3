import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import Logging
import Orchestrator
import TUI

/// `jobflow-tui watch`: the TUI attached read-only to a cluster.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch JobFlows and DaemonJobs in a terminal UI, read-only (list, get and watch only).",
        discussion: """
            Attaches to a cluster where an operator runs (in the cluster, or `jobflow-tui operator` \
            elsewhere). The header shows who holds the operator's lease and how long ago it renewed. \
            Retry and cancel are refused here: use `jobflow-tui operator`, `jobflow-tui retry|cancel` or \
            the kubectl one-liners in the README.
            """)

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var ui: UIOptions

    @Option(name: .customLong("operator-namespace"), help: ArgumentHelp("Namespace of the operator's lease (default: jobflow-system when it exists, else -n or the context's).", valueName: "namespace"))
    var operatorNamespace: String?

    func run() async throws {
        let config = try loadConfiguration(cluster)
        let logger = quietLogger()
        let client = try KubeClient.make(configuration: config, logger: logger)
        let namespace = cluster.allNamespaces ? nil : (cluster.namespace ?? config.namespace)
        let lease = await LeaseLocation.resolve(explicit: operatorNamespace, flag: "--operator-namespace", config: config,
                                                fallback: cluster.namespace ?? config.namespace, api: client)
        if let note = lease.note, lease.namespace != LeaseLocation.installNamespace {
            FileHandle.standardError.write(Data("\(note)\n".utf8))
        }
        let feed = ClusterFeed.Configuration(
            context: config.contextName ?? "in-cluster", namespace: namespace,
            jobFlows: CustomResources.jobFlows, daemonJobs: CustomResources.daemonJobs,
            leaseNamespace: lease.namespace)
        let session = LiveSession(client: client, feed: feed, mode: .watch, theme: ui.theme, logger: logger) { effect in
            // The reducer refuses every write in watch mode; reaching this is a bug, so refuse loudly.
            throw CLIError("watch mode is read-only: \(effect) was refused")
        }
        try await client.closing { try await session.run() }
    }
}

/// Loads the kubeconfig for a command, as one clear error when it cannot.
func loadConfiguration(_ options: ClusterOptions) throws -> ClientConfiguration {
    try loadConfiguration(options.selection)
}

func loadConfiguration(_ selection: ConfigSelection) throws -> ClientConfiguration {
    do {
        return try ConfigLoader.load(selection)
    } catch {
        throw CLIError(error)
    }
}

/// A logger that keeps the terminal clean: nothing below error, and only to stderr.
func quietLogger() -> Logger {
    var logger = Logger(label: "jobflow-tui") { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .critical
        return handler
    }
    logger.logLevel = .critical
    return logger
}
