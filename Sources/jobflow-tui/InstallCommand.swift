import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import Orchestrator

/// The namespace flag of install/uninstall, defaulting to jobflow-system (not the context's
/// namespace: the operator gets its own namespace unless told otherwise).
private func installNamespace(_ cluster: InstallTargetOptions) throws -> String {
    let namespace = cluster.namespace ?? InstallManifests.defaultNamespace
    let label = /[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/
    guard namespace.wholeMatch(of: label) != nil else { throw ValidationError("--namespace must be a DNS-1123 label: \(namespace)") }
    return namespace
}

/// `jobflow-tui install`: the CRDs, namespace, RBAC and Deployment of deploy/, embedded in the binary.
struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the CRDs and the in-cluster operator (the manifests of deploy/, built in).",
        discussion: """
            Server-side applies (field manager jobflow-tui-install, forcing conflicts) the three \
            CRDs, waits until they are Established, then the namespace (default jobflow-system; \
            -n moves the operator and its RBAC there), ServiceAccount, RBAC, Deployment and \
            metrics Service. Running it again re-applies the same objects (an upgrade, when the \
            binary is newer). --print writes the YAML instead and talks to no cluster \
            (the same objects as `kubectl kustomize deploy/`).
            """)

    @OptionGroup var cluster: InstallTargetOptions

    @Flag(help: "Print the manifests as multi-document YAML instead of applying them.")
    var print = false

    func validate() throws {
        _ = try installNamespace(cluster)
    }

    func run() async throws {
        let objects = try InstallManifests.objects(namespace: try installNamespace(cluster))
        if print {
            Swift.print(InstallManifests.yaml(objects), terminator: "")
            return
        }
        let client = try KubeClient.make(configuration: try loadConfiguration(cluster.connection.selection(namespace: nil)), logger: quietLogger())
        do {
            try await Installer(api: client).install(objects) { line in Swift.print(line); fflush(nil) }
        } catch {
            throw CLIError(error)
        }
    }
}

/// `jobflow-tui uninstall`: deletes what `install` created; CRDs only with --crds.
struct UninstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove the in-cluster operator: its Deployment, Service, RBAC, ServiceAccount and namespace.",
        discussion: """
            Deletes in the reverse order of install and ignores objects that are already gone. \
            -n names the namespace install used (default jobflow-system, not the context's). \
            The CRDs stay unless --crds is given: deleting a CRD deletes every JobFlow, DaemonJob \
            and JobTemplate in the cluster, and their Jobs and pods.
            """)

    @OptionGroup var cluster: InstallTargetOptions

    @Flag(help: "Also delete the CRDs, and with them every JobFlow, DaemonJob and JobTemplate.")
    var crds = false

    func validate() throws {
        _ = try installNamespace(cluster)
    }

    func run() async throws {
        let objects = try InstallManifests.objects(namespace: try installNamespace(cluster))
        let client = try KubeClient.make(configuration: try loadConfiguration(cluster.connection.selection(namespace: nil)), logger: quietLogger())
        do {
            try await Installer(api: client).uninstall(objects, includeCRDs: crds) { line in Swift.print(line); fflush(nil) }
        } catch {
            throw CLIError(error)
        }
    }
}
