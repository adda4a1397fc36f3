import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Orchestrator
import TUI

/// `jobflow-tui demo`: the sandbox, the operator and the UI in one process.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole product on this machine: sandbox cluster + operator + terminal UI, with the examples applied.",
        discussion: """
            Starts the embedded sandbox (simulated nodes minikube, node1, node2, node3), installs the \
            CRDs, applies examples/, runs the operator against it over HTTP and opens the UI. A \
            kubeconfig is written so kubectl can look at the same cluster meanwhile; its path is \
            printed before the UI opens, stays on the UI's status line, and is printed again after it closes.
            """)

    @Option(help: ArgumentHelp("Simulated time runs this many times faster.", valueName: "x"))
    var speed: Double = 10

    @Option(help: ArgumentHelp("Number of simulated nodes (node-1 … node-N) instead of the default four.", valueName: "n"))
    var nodes: Int?

    @Option(name: .customLong("examples"), help: ArgumentHelp("Manifests to apply (file or directory).", valueName: "path"))
    var examples: String?

    @Option(name: .customLong("write-kubeconfig"), help: ArgumentHelp("Where to write the kubeconfig (default: a file in $TMPDIR).", valueName: "path"))
    var kubeconfigPath: String?

    @Flag(name: .customLong("no-tui"), help: "Print the tree as it changes instead of opening the UI (automatic when stdout is not a terminal); exits when every flow has finished.")
    var noTUI = false

    @OptionGroup var ui: UIOptions

    func validate() throws {
        if !(speed > 0 && speed <= 10_000) { throw ValidationError("--speed must be > 0 and ≤ 10000") }
        if let nodes, !(1...500).contains(nodes) { throw ValidationError("--nodes must be between 1 and 500") }
    }

    func run() async throws {
        let nodeSpecs = nodes.map { NodeSpec.numbered($0) } ?? NodeSpec.named(SandboxCommand.defaultNodes)
        let sandbox = Sandbox(options: SandboxOptions(speed: speed, nodes: nodeSpecs))
        let url: URL
        do {
            url = try await sandbox.start()
            try ProjectFiles.applyEmbeddedCRDs(to: sandbox)
            let examplesPath = examples ?? ProjectFiles.examplesDirectory()
            guard let examplesPath else { throw CLIError("examples/ not found: run the demo from the project's checkout (make demo)") }
            try sandbox.apply(manifestsAt: examplesPath)
        } catch let error as CLIError {
            await sandbox.stop()
            throw error
        } catch {
            await sandbox.stop()
            throw CLIError(error)
        }
        let directory = FileManager.default.temporaryDirectory
        let kubeconfig = kubeconfigPath ?? directory.appendingPathComponent("jobflow-demo-\(getpid()).kubeconfig").path
        let logFile = directory.appendingPathComponent("jobflow-demo-\(getpid()).log").path
        try sandbox.writeKubeconfig(to: kubeconfig)
        print("sandbox: \(url.absoluteString) with \(nodeSpecs.count) nodes, time ×\(speed)")
        print("kubeconfig: \(kubeconfig)    (kubectl --kubeconfig \(kubeconfig) get jf,dj,jobs,pods)")
        print("operator logs: \(logFile)")
        fflush(nil)
        let client = KubeClient(server: url.absoluteString, transport: try CurlTransport(options: TransportOptions()),
                                pacing: ClientRateLimiter(qps: 200, burst: 400), logger: quietLogger())
        let configuration = OperatorConfiguration(namespace: nil, leaseNamespace: "default")
        do {
            try await client.closing {
                if noTUI || isatty(STDOUT_FILENO) != 1 || isatty(STDIN_FILENO) != 1 {
                    try await runPlain(client: client, configuration: configuration, logFile: logFile)
                } else {
                    try await OperatorUI.run(client: client, configuration: configuration,
                                             context: "jobflow-sandbox", namespace: nil, mode: .demo, theme: ui.theme, logFile: logFile,
                                             hint: "kubectl --kubeconfig \(kubeconfig) get jf,dj,jobs,pods")
                }
            }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
        print("demo stopped. kubeconfig was \(kubeconfig) (the sandbox is gone with the demo); operator logs: \(logFile)")
        if kubeconfigPath == nil { try? FileManager.default.removeItem(atPath: kubeconfig) }
    }

    /// Without a terminal: the operator runs, and the tree is printed whenever it changes, until
    /// every JobFlow and DaemonJob has finished (or ten minutes pass).
    func runPlain(client: KubeClient, configuration: OperatorConfiguration, logFile: String) async throws {
        let op = try Operator(api: client, configuration: configuration, logger: try OperatorUI.fileLogger(path: logFile))
        let task = Task { await op.run() }
        defer { task.cancel() }
        let finished = Set(FlowState.known.filter(\.isTerminal).map(\.rawValue))
        var last = ""
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            let flows = try await listAll(client, CustomResources.jobFlows, namespace: nil, selector: nil)
            let daemons = try await listAll(client, CustomResources.daemonJobs, namespace: nil, selector: nil)
            let now = Int64(Date().timeIntervalSince1970)
            let snapshot = ClusterSnapshot(context: "jobflow-sandbox", namespace: nil, jobFlows: flows, daemonJobs: daemons, takenAt: now)
            let states = (flows + daemons).map { $0[path: "status.state"]?.stringValue ?? "" }
            let text = TextOutput.renderTree(snapshot, options: .init(ascii: ui.theme.glyphs == .ascii, color: false, now: now))
            // Print on change of states, not of ages, so a log is not a wall of repeats.
            let key = states.joined(separator: ",") + (flows + daemons).map { $0[path: "status.progress"]?.stringValue ?? "" }.joined()
            if key != last {
                last = key
                print("--- \(KubeTimestamp.time(Date()))\n" + text, terminator: "")
                fflush(nil)
            }
            if !states.isEmpty, states.allSatisfy({ finished.contains($0) }) {
                print("every flow and DaemonJob has finished.")
                break
            }
        }
        task.cancel()
        await task.value
    }
}
