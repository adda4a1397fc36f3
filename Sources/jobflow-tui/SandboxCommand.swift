import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Orchestrator
import Logging

/// `jobflow-tui sandbox`: serve the embedded cluster until interrupted.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve the embedded Kubernetes sandbox (API server + simulated nodes) until interrupted.",
        discussion: """
            The sandbox is a development and test cluster, never a production one: an in-process API \
            server that kubectl can use, with a simulated scheduler, kubelet and Job controller. The \
            project's CRDs are installed at start. Prints `kubeconfig: PATH` once it is ready.
            """)

    @Option(help: ArgumentHelp("Address to listen on (127.0.0.1 only; port 0 picks a free one).", valueName: "host:port"))
    var listen = "127.0.0.1:0"

    @Option(name: .customLong("write-kubeconfig"), help: ArgumentHelp("Write a kubeconfig for the sandbox here.", valueName: "path"))
    var kubeconfigPath: String?

    @Option(help: ArgumentHelp("Number of simulated nodes, named node-1 … node-N.", valueName: "n"))
    var nodes: Int?

    @Option(name: .customLong("node"), help: ArgumentHelp("A simulated node by name (repeatable); default: minikube, node1, node2, node3.", valueName: "name"))
    var nodeNames: [String] = []

    @Option(help: ArgumentHelp("Simulated time runs this many times faster (sleep 10s takes 1 s at 10).", valueName: "x"))
    var speed: Double = 1

    @Option(name: .customLong("audit-log"), help: ArgumentHelp("Append every request as a JSON line to this file.", valueName: "path"))
    var auditLog: String?

    @Option(name: .customLong("apply"), help: ArgumentHelp("Apply these manifests (files or directories) once ready (repeatable).", valueName: "path"))
    var apply: [String] = []

    @Option(name: .customLong("crds"), help: ArgumentHelp("Directory of CRDs to install at start (default: the JobFlow CRDs built into the binary).", valueName: "path"))
    var crds: String?

    func validate() throws {
        if nodes != nil && !nodeNames.isEmpty { throw ValidationError("use either --nodes or --node, not both") }
        if let nodes, !(1...500).contains(nodes) { throw ValidationError("--nodes must be between 1 and 500") }
        if !(speed > 0 && speed <= 10_000) { throw ValidationError("--speed must be > 0 and ≤ 10000") }
        _ = try SandboxCommand.parseListen(listen)
    }

    static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be host:port, e.g. 127.0.0.1:6443")
        }
        let host = String(parts[0])
        guard host == "127.0.0.1" || host == "localhost" else {
            throw ValidationError("--listen: the sandbox only serves on 127.0.0.1 (it has no authentication)")
        }
        return ("127.0.0.1", port)
    }

    /// The node set: --nodes N, --node names, or the default that makes the seed examples run as
    /// written (jobflow-example pins to `minikube`; daemonjob-example excludes node1 and node2).
    var nodeSpecs: [NodeSpec] {
        if let nodes { return NodeSpec.numbered(nodes) }
        return NodeSpec.named(nodeNames.isEmpty ? SandboxCommand.defaultNodes : nodeNames)
    }

    static let defaultNodes = ["minikube", "node1", "node2", "node3"]

    func run() async throws {
        CLILogging.bootstrap()
        Signals.install()  // before "kubeconfig:" is printed: a SIGTERM right after it must not be lost
        let (host, port) = try SandboxCommand.parseListen(listen)
        let sandbox = Sandbox(options: SandboxOptions(speed: speed, auditLogPath: auditLog, nodes: nodeSpecs))
        let url: URL
        do {
            url = try await sandbox.start(host: host, port: port)
        } catch {
            throw CLIError("cannot start the sandbox on \(listen): \(error)", cause: error)
        }
        do {
            if let crds {
                try sandbox.apply(manifestsAt: crds)
            } else {
                try ProjectFiles.applyEmbeddedCRDs(to: sandbox)
            }
            for path in apply { try sandbox.apply(manifestsAt: path) }
        } catch {
            await sandbox.stop()
            throw CLIError(error)
        }
        let kubeconfig = kubeconfigPath ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("jobflow-sandbox-\(getpid()).kubeconfig").path
        try sandbox.writeKubeconfig(to: kubeconfig)
        print("sandbox: serving \(url.absoluteString) with \(nodeSpecs.count) node(s): \(nodeSpecs.map(\.name).joined(separator: ", "))")
        print("kubeconfig: \(kubeconfig)")
        fflush(nil)
        await Signals.waitForTermination()
        await sandbox.stop()
        if kubeconfigPath == nil { try? FileManager.default.removeItem(atPath: kubeconfig) }
    }
}

/// Where the project's own files are when running from a checkout or an installed binary.
enum ProjectFiles {
    /// The CRDs built into the binary (the same files as deploy/crds; a test keeps them equal), so
    /// the sandbox has them wherever the binary runs.
    static func applyEmbeddedCRDs(to sandbox: Sandbox) throws {
        for file in EmbeddedManifests.files where file.path.hasPrefix("crds/") {
            for document in try JSONValue.parseYAMLDocuments(file.text) { try sandbox.apply(object: document) }
        }
    }

    /// examples/ in the working directory or above the binary.
    static func examplesDirectory() -> String? { find("examples") }

    static func find(_ relative: String) -> String? {
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(url.appendingPathComponent(relative).path)
            url.deleteLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}
