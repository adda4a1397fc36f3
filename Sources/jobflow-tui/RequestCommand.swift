import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import Orchestrator
import TUI

/// What `retry` and `cancel` share: the target, the names, and writing the request annotation.
struct RequestArguments: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions

    @Argument(help: ArgumentHelp("jobflow/NAME, jf/NAME, daemonjob/NAME or dj/NAME.", valueName: "kind/name"))
    var target: String

    @Argument(help: ArgumentHelp("Entries (JobFlow) or nodes (DaemonJob); none means every one (*).", valueName: "name"))
    var names: [String] = []

    @Flag(help: "Print what the request would do and write nothing.")
    var dryRun = false

    func validate() throws { _ = try RequestArguments.parseTarget(target) }

    static func parseTarget(_ text: String) throws -> (kind: CustomKind, name: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else { throw ValidationError("expected KIND/NAME, e.g. jobflow/jobflow-example") }
        switch parts[0].lowercased() {
        case "jobflow", "jobflows", "jf": return (.jobFlow, parts[1])
        case "daemonjob", "daemonjobs", "dj": return (.daemonJob, parts[1])
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

    /// Reads the object, prints what the request does by the rule the operator carries out
    /// (`RequestPreview`), and writes it unless it would change nothing (then throws: a non-zero
    /// exit) or this is a dry run.
    func run(_ kind: RequestKind) async throws {
        let (customKind, name) = try RequestArguments.parseTarget(target)
        let config: ClientConfiguration
        do {
            config = try ConfigLoader.load(cluster.selection)
        } catch {
            throw CLIError(error)
        }
        let client = try KubeClient.make(configuration: config)
        let namespace = cluster.namespace ?? config.namespace
        let what = "\(customKind.rawValue) \(Sanitizer.singleLine(namespace))/\(Sanitizer.singleLine(name))"
        let object: JSONValue
        do {
            object = try await client.get(customKind.resource, namespace: namespace, name: name)
        } catch let error as KubeError {
            throw CLIError("\(what): \(error)", cause: error)
        }
        guard let subject = RequestSubject(kind: customKind, object: object) else { throw CLIError("\(what): not a JobFlow or DaemonJob") }
        let preview = RequestPreview(kind, targets: RequestTargets(parsing: requestedValue), on: subject)
        if let nothing = preview.nothingToDo(display: Sanitizer.singleLine) {
            throw CLIError("\(what): \(nothing); nothing written")
        }
        print("\(what): \(kind.rawValue) \(names.isEmpty ? "*" : names.map(Sanitizer.singleLine).joined(separator: ", "))")
        for line in preview.describe(limit: 20, display: Sanitizer.singleLine) { print("  " + line) }
        if dryRun {
            print("dry run: nothing written")
            return
        }
        let value = try await RequestWriter.write(client: client, object: object, kind: customKind, namespace: namespace, name: name,
                                                  request: kind, value: requestedValue)
        print("\(kind.rawValue) requested (\(kind.annotation)=\"\(Sanitizer.singleLine(value))\"); the operator carries it out once")
    }
}

/// Writes retry and cancel requests as the operator expects them (docs/orchestrator.md): a merge
/// patch of the annotation, spelled so that it is not mistaken for a request already handled.
/// Shared by `jobflow-tui retry|cancel` and the terminal UI.
enum RequestWriter {
    /// Reads the object, then writes the request.
    static func write(client: KubeClient, kind: CustomKind, namespace: String, name: String,
                      request: RequestKind, value requested: String) async throws -> String {
        do {
            let object = try await client.get(kind.resource, namespace: namespace, name: name)
            return try await write(client: client, object: object, kind: kind, namespace: namespace, name: name, request: request, value: requested)
        } catch let error as KubeError {
            throw CLIError("\(kind.rawValue) \(namespace)/\(name): \(error)", cause: error)
        }
    }

    /// Writes the request on `object` as read (its handled requests decide the spelling).
    static func write(client: KubeClient, object: JSONValue, kind: CustomKind, namespace: String, name: String,
                      request: RequestKind, value requested: String) async throws -> String {
        do {
            let handledRecords: [HandledRequest] = kind == .jobFlow
                ? JobFlowStatus(json: object["status"]).handledRequests
                : DaemonJobStatus(json: object["status"]).handledRequests
            let handled = Set(handledRecords.filter { $0.kind == request }.map(\.value))
            let value = RequestArguments.freshSpelling(of: requested, handled: handled)
            _ = try await client.patch(kind.resource, namespace: namespace, name: name,
                                       patch: .merge(["metadata": ["annotations": [request.annotation: .string(value)]]]),
                                       subresource: nil, options: PatchOptions(fieldManager: "jobflow-tui"))
            return value
        } catch let error as KubeError {
            throw CLIError("\(kind.rawValue) \(namespace)/\(name): \(error)", cause: error)
        }
    }
}

/// `jobflow-tui retry KIND/NAME [NAME…]`.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Ask the operator to run Failed or Cancelled entries (or DaemonJob nodes) again.",
        discussion: """
            Reads the object and prints what will run again first: naming a Skipped entry retries the Failed or \
            Cancelled entries it was skipped because of. Exits non-zero, writing nothing, when the request would \
            change nothing. Writes the annotation \(Keys.retryAnnotation); the operator carries it out once and removes it.
            """)

    @OptionGroup var request: RequestArguments

    func run() async throws {
        CLILogging.bootstrap()
        try await request.run(.retry)
    }
}

/// `jobflow-tui cancel KIND/NAME [NAME…]`.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Ask the operator to cancel waiting or running entries (or DaemonJob nodes).",
        discussion: """
            Reads the object and prints what will stop and what will be skipped first. Exits non-zero, writing \
            nothing, when the request would change nothing. Writes the annotation \(Keys.cancelAnnotation); the \
            operator deletes the running Jobs once and removes it.
            """)

    @OptionGroup var request: RequestArguments

    func run() async throws {
        CLILogging.bootstrap()
        try await request.run(.cancel)
    }
}
