import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import Orchestrator
import TUI

/// `jobflow-tui get`: the TUI's tree as plain text, or the objects as JSON/YAML.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print JobFlows and DaemonJobs as the TUI's tree (plain text), JSON or YAML.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case jobflows, jobflow, jf, daemonjobs, daemonjob, dj, all
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case tree, json, yaml
    }

    @Argument(help: "What to print: jobflows (jf), daemonjobs (dj) or all.")
    var kind: Kind = .all

    @Argument(help: "Only the object with this name.")
    var name: String?

    @Option(name: .shortAndLong, help: "Output format: tree, json or yaml.")
    var output: Format = .tree

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var ui: UIOptions

    func run() async throws {
        CLILogging.bootstrap()
        let config = try loadConfiguration(cluster)
        let client = try KubeClient.make(configuration: config)
        let namespace = cluster.allNamespaces ? nil : (cluster.namespace ?? config.namespace)
        let wantFlows = [.jobflows, .jobflow, .jf, .all].contains(kind)
        let wantDaemons = [.daemonjobs, .daemonjob, .dj, .all].contains(kind)
        do {
            func objects(_ resource: Resource, _ wanted: Bool) async throws -> [JSONValue] {
                guard wanted else { return [] }
                let items = try await listAll(client, resource, namespace: namespace, selector: nil)
                // Like kubectl (--show-managed-fields=false), managedFields are noise here.
                return items.filter { name == nil || $0[path: "metadata.name"]?.stringValue == name }
                    .map { var o = $0; o[path: "metadata.managedFields"] = nil; return o }
            }
            let flows = try await objects(CustomResources.jobFlows, wantFlows)
            let daemons = try await objects(CustomResources.daemonJobs, wantDaemons)
            if let name, flows.isEmpty, daemons.isEmpty {
                throw CLIError("no JobFlow or DaemonJob named \"\(name)\" in \(namespace.map { "namespace \($0)" } ?? "any namespace")")
            }
            var jobs: [String: JSONValue] = [:], pods: [String: JSONValue] = [:]
            if output == .tree {
                for label in Keys.ownerLabels {
                    for job in try await listAll(client, .jobs, namespace: namespace, selector: label) { jobs[Store.key(of: job)] = job }
                    for pod in try await listAll(client, .pods, namespace: namespace, selector: label) { pods[Store.key(of: pod)] = pod }
                }
            }
            let now = Int64(Date().timeIntervalSince1970)
            let snapshot = ClusterSnapshot(context: config.contextName ?? "in-cluster", namespace: namespace,
                                           jobFlows: flows, daemonJobs: daemons, jobs: jobs, pods: pods, takenAt: now)
            switch output {
            case .tree:
                let environment = ProcessInfo.processInfo.environment
                let color = !ui.noColor && isatty(STDOUT_FILENO) == 1 && (environment["NO_COLOR"] ?? "").isEmpty
                    && environment["TERM"] != "dumb"
                print(TextOutput.renderTree(snapshot, options: .init(ascii: ui.theme.glyphs == .ascii, color: color, now: now)), terminator: "")
            case .json, .yaml:
                print(TextOutput.renderList(snapshot, yaml: output == .yaml), terminator: "")
            }
        } catch let error as KubeError {
            throw CLIError(ClusterInfo.explain(error, config: config), cause: error)
        }
    }
}

/// Every object of a list, following continue tokens.
func listAll(_ client: KubeClient, _ resource: Resource, namespace: String?, selector: String?) async throws -> [JSONValue] {
    var items: [JSONValue] = []
    var token: String?
    repeat {
        let page = try await client.list(resource, namespace: namespace, options: ListOptions(labelSelector: selector, limit: 500, continueToken: token))
        items += page.items
        token = page.continueToken
    } while token != nil
    return items
}
