import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import Orchestrator

/// What `retry` and `cancel` share: the target, the names, and writing the request annotation.
struct RequestArguments: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("jobflow/NAME, jf/NAME, daemonjob/NAME or dj/NAME.", valueName: "kind/name"))
    var target: String

    @Argument(help: ArgumentHelp("Entries (JobFlow) or nodes (DaemonJob); none means every one (*).", valueName: "name"))
    var names: [String] = []

    func validate() throws { _ = try RequestArguments.parseTarget(target) }

    static func parseTarget(_ text: String) throws -> (resource: Resource, name: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else { throw ValidationError("expected KIND/NAME, e.g. jobflow/jobflow-example") }
        switch parts[0].lowercased() {
        case "jobflow", "jobflows", "jf": return (CustomResources.jobFlows, parts[1])
        case "daemonjob", "daemonjobs", "dj": return (CustomResources.daemonJobs, parts[1])
        default: throw ValidationError("unknown kind \(parts[0]); use jobflow (jf) or daemonjob (dj)")
        }
    }

    /// The annotation value: the names joined by commas, or `*`.
    var requestedValue: String { names.isEmpty ? "*" : names.joined(separator: ",") }

    /// A spelling of `value` not in `handled` (status.handledRequests of this kind): a request
    /// identical to one the operator recorded but has not yet dropped would be taken as done
    /// (docs/orchestrator.md, "Retry and cancel"). Trailing spaces keep the same meaning.
    static func freshSpelling(of value: String, handled: Set<String>) -> String {
        var candidate = value
        while handled.contains(candidate) { candidate += " " }
        return candidate
    }

    /// Writes the request (merge patch) and returns the value written.
    func write(kind requestKind: String, annotation: String) async throws -> (kind: String, name: String, namespace: String, value: String) {
        let (resource, name) = try RequestArguments.parseTarget(target)
        let config: ClientConfiguration
        do {
            config = try ConfigLoader.load(cluster.selection)
        } catch {
            throw CLIError("\(error)")
        }
        let client = try KubeClient.make(configuration: config)
        let namespace = cluster.namespace ?? config.namespace
        let value = try await RequestWriter.write(client: client, resource: resource, namespace: namespace, name: name,
                                                  kind: requestKind, annotation: annotation, value: requestedValue)
        return (resource.kind, name, namespace, value)
    }
}

/// Writes retry and cancel requests as the operator expects them (docs/orchestrator.md): a merge
/// patch of the annotation, spelled so that it is not mistaken for a request already handled.
/// Shared by `jobflow-tui retry|cancel` and the terminal UI.
enum RequestWriter {
    static func write(client: KubeClient, resource: Resource, namespace: String, name: String,
                      kind requestKind: String, annotation: String, value requested: String) async throws -> String {
        do {
            let object = try await client.get(resource, namespace: namespace, name: name)
            let handled = Set((object[path: "status.handledRequests"]?.arrayValue ?? [])
                .filter { $0["kind"]?.stringValue == requestKind }.compactMap { $0["value"]?.stringValue })
            let value = RequestArguments.freshSpelling(of: requested, handled: handled)
            _ = try await client.patch(resource, namespace: namespace, name: name,
                                       patch: .merge(["metadata": ["annotations": [annotation: .string(value)]]]),
                                       subresource: nil, options: PatchOptions(fieldManager: "jobflow-tui"))
            return value
        } catch let error as KubeError {
            throw CLIError("\(resource.kind) \(namespace)/\(name): \(error)")
        }
    }
}

/// `jobflow-tui retry KIND/NAME [NAME…]`.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Ask the operator to run Failed or Cancelled entries (or DaemonJob nodes) again.",
        discussion: "Writes the annotation api.practice.com/retry; the operator carries it out once and removes it.")

    @OptionGroup var request: RequestArguments

    func run() async throws {
        CLILogging.bootstrap()
        let written = try await request.write(kind: "retry", annotation: Keys.retryAnnotation)
        print("\(written.kind) \(written.namespace)/\(written.name): retry requested for \(request.names.isEmpty ? "every failed or cancelled \(written.kind == "JobFlow" ? "entry" : "node")" : request.names.joined(separator: ", ")) (\(Keys.retryAnnotation)=\"\(written.value)\")")
    }
}

/// `jobflow-tui cancel KIND/NAME [NAME…]`.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Ask the operator to cancel waiting or running entries (or DaemonJob nodes).",
        discussion: "Writes the annotation api.practice.com/cancel; the operator deletes the running Jobs once and removes it.")

    @OptionGroup var request: RequestArguments

    func run() async throws {
        CLILogging.bootstrap()
        let written = try await request.write(kind: "cancel", annotation: Keys.cancelAnnotation)
        print("\(written.kind) \(written.namespace)/\(written.name): cancel requested for \(request.names.isEmpty ? "everything unfinished" : request.names.joined(separator: ", ")) (\(Keys.cancelAnnotation)=\"\(written.value)\")")
    }
}
