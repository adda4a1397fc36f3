import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import Logging
import Orchestrator

/// `jobflow-tui operator`: run the reconcile loop.
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Run the JobFlow/DaemonJob operator (leader-elected; --headless for logs only).",
        discussion: """
            Watches JobFlows, DaemonJobs and JobTemplates (in -n NAMESPACE, or every namespace by \
            default), the Jobs and pods it created and the Nodes, and reconciles them. Replicas \
            compete for the Lease jobflow-operator in --lease-namespace (default: in a pod, the \
            service account's namespace; elsewhere jobflow-system when that namespace exists, so a \
            dev-box operator stands by while an installed one leads; else -n or the context's \
            namespace); only the leader reconciles. \
            SIGTERM/SIGINT stop the controllers, release the Lease and exit 0. \
            --metrics-bind-address and --health-probe-bind-address serve /metrics, /healthz and \
            /readyz (docs/metrics.md).
            """)

    @OptionGroup var cluster: ClusterOptions

    @Flag(help: "Run without the terminal UI: structured logs to stderr only.")
    var headless = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel = "info"

    @Option(name: .customLong("log-format"), help: ArgumentHelp("json or text.", valueName: "format"))
    var logFormat = "json"

    @Option(help: ArgumentHelp("This replica's name in the Lease (default: hostname_pid).", valueName: "name"))
    var identity: String?

    @Option(name: .customLong("lease-namespace"), help: ArgumentHelp("Namespace of the Lease.", valueName: "namespace"))
    var leaseNamespace: String?

    @Flag(name: .customLong("no-leader-election"), help: "Reconcile at once without a Lease (one replica only!).")
    var noLeaderElection = false

    @Option(help: ArgumentHelp("Concurrent reconciles per controller.", valueName: "n"))
    var workers = OperatorConfiguration.defaultWorkers

    @Option(name: .customLong("status-batch-period"),
            help: ArgumentHelp("Seconds: a flow's or DaemonJob's progress-only status changes are batched and written this long "
                               + "after the first (0 = every change at once); state changes are always written at once.", valueName: "seconds"))
    var statusBatchPeriod: Double = 1

    @Option(name: .customLong("kube-api-qps"), help: ArgumentHelp("Client-side limit on API requests per second (0 = none).", valueName: "qps"))
    var kubeAPIQPS: Double = 500

    @Option(name: .customLong("kube-api-burst"), help: ArgumentHelp("Requests allowed in a burst above --kube-api-qps.", valueName: "n"))
    var kubeAPIBurst = 1000

    @Option(name: .customLong("log-file"), help: ArgumentHelp("With the UI: where the operator's logs go (default: a file in $TMPDIR).", valueName: "path"))
    var logFile: String?

    @OptionGroup var endpoints: EndpointOptions

    @OptionGroup var ui: UIOptions

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
        guard StructuredLogHandler.Format(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be json or text") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        if let identity, identity.isEmpty { throw ValidationError("--identity must not be empty") }
        guard kubeAPIQPS >= 0, kubeAPIQPS.isFinite else { throw ValidationError("--kube-api-qps must be 0 or more") }
        guard kubeAPIBurst >= 1 else { throw ValidationError("--kube-api-burst must be at least 1") }
        guard statusBatchPeriod.isFinite, (0...600).contains(statusBatchPeriod) else {
            throw ValidationError("--status-batch-period must be between 0 and 600 seconds")
        }
    }

    func run() async throws {
        guard headless else { return try await runWithUI() }
        Signals.install()  // before the first log line: a SIGTERM sent on seeing it must not be lost
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = StructuredLogHandler.Format(rawValue: logFormat) ?? .json
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, format: format, level: level) }
        // Before any client or operator exists: metric handles bind to the backend when made.
        if endpoints.servesMetrics { PrometheusBackend.bootstrap() }
        let logger = Logger(label: "jobflow.operator")

        let config: ClientConfiguration
        do {
            config = try ConfigLoader.load(cluster.selection)
        } catch {
            throw CLIError(error)
        }
        let client = try KubeClient.make(configuration: config, pacing: pacing)
        let namespace = cluster.allNamespaces ? nil : cluster.namespace
        let lease = await LeaseLocation.resolve(explicit: leaseNamespace, flag: "--lease-namespace", config: config,
                                                fallback: namespace ?? config.namespace, api: client)
        if let note = lease.note { logger.notice("\(note)") }
        var configuration = OperatorConfiguration(namespace: namespace, identity: identity ?? OperatorConfiguration.defaultIdentity(),
                                                  leaseNamespace: lease.namespace, leaderElection: !noLeaderElection)
        configuration.workers = workers
        configuration.statusBatchPeriod = .milliseconds(Int64((statusBatchPeriod * 1000).rounded()))
        let op: Operator
        do {
            op = try Operator(api: client, configuration: configuration, logger: logger)
        } catch {
            throw CLIError(error)
        }
        logger.info("connecting", metadata: ["server": "\(config.server)", "context": "\(config.contextName ?? "-")",
                                              "namespace": "\(namespace ?? "*")", "identity": "\(configuration.identity)"])
        let serving = try await OperatorServing.start(endpoints, operator: op, logger: logger)
        let task = Task { await serving.run(op) }
        await Signals.waitForTermination()
        logger.info("termination signal; stopping")
        task.cancel()
        await task.value
        await serving.stop()
        await client.close()
        let latency = op.reactionLatency
        if let p50 = latency.p50, let p99 = latency.p99 {
            logger.info("reaction latency", metadata: ["samples": "\(latency.count)", "p50": "\(p50)", "p99": "\(p99)"])
        }
    }

    /// The client's pacing: an operator creating hundreds of Jobs a second needs more than the
    /// client default (50/100); the API server's priority and fairness still protects it. The
    /// operator's Events get a copy of it (`KubeAPI.pacedSeparately`).
    var pacing: (any RequestPacing)? {
        kubeAPIQPS == 0 ? nil : ClientRateLimiter(qps: kubeAPIQPS, burst: kubeAPIBurst)
    }

    /// The terminal UI with the reconcile loop embedded; logs go to a file.
    func runWithUI() async throws {
        if endpoints.servesMetrics { PrometheusBackend.bootstrap() }
        let config = try loadConfiguration(cluster)
        let client = try KubeClient.make(configuration: config, pacing: pacing, logger: quietLogger())
        let namespace = cluster.allNamespaces ? nil : cluster.namespace
        let lease = await LeaseLocation.resolve(explicit: leaseNamespace, flag: "--lease-namespace", config: config,
                                                fallback: namespace ?? config.namespace, api: client)
        if let note = lease.note { FileHandle.standardError.write(Data("\(note)\n".utf8)) }
        var configuration = OperatorConfiguration(namespace: namespace, identity: identity ?? OperatorConfiguration.defaultIdentity(),
                                                  leaseNamespace: lease.namespace, leaderElection: !noLeaderElection)
        configuration.workers = workers
        configuration.statusBatchPeriod = .milliseconds(Int64((statusBatchPeriod * 1000).rounded()))
        let path = logFile ?? FileManager.default.temporaryDirectory.appendingPathComponent("jobflow-operator-\(getpid()).log").path
        FileHandle.standardError.write(Data("operator logs: \(path)\n".utf8))
        try await client.closing {
            try await OperatorUI.run(client: client, configuration: configuration,
                                     context: config.contextName ?? "in-cluster", namespace: namespace, mode: .operator, theme: ui.theme, logFile: path, endpoints: endpoints)
        }
        print("operator stopped; logs: \(path)")
    }
}
