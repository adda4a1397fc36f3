import ArgumentParser
import Foundation
import Kube

/// kubectl's connection flags: which kubeconfig and which context.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).", valueName: "path"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("The kubeconfig context to use.", valueName: "name"))
    var context: String?

    /// kubectl's configuration lookup for these flags, with `namespace` overriding the context's.
    func selection(namespace: String?) -> ConfigSelection {
        // JOBFLOW_SERVICE_ACCOUNT_DIR moves the in-cluster token/CA/namespace files, so tests
        // can run the binary "in a pod" without /var/run/secrets (docs/config.md).
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["JOBFLOW_SERVICE_ACCOUNT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        return ConfigSelection(kubeconfigPath: kubeconfig, context: context, namespace: namespace, environment: environment,
                               serviceAccountDirectory: directory ?? ConfigLoader.defaultServiceAccountDirectory)
    }
}

/// The kubectl-style flags every cluster command shares.
struct ClusterOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Namespace (default: the context's).", valueName: "namespace"))
    var namespace: String?

    @Flag(name: [.customShort("A"), .long], help: "Act on all namespaces.")
    var allNamespaces = false

    var selection: ConfigSelection { connection.selection(namespace: namespace) }
}

/// install/uninstall's flags: kubectl's connection flags, and `-n` naming the namespace the
/// operator goes to — jobflow-system unless given, never the context's; no `-A`.
struct InstallTargetOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Namespace of the operator (default: jobflow-system, not the context's).", valueName: "namespace"))
    var namespace: String?
}
