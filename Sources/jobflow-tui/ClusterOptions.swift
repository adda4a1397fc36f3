import ArgumentParser
import Kube

/// The kubectl-style flags every cluster command shares.
struct ClusterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).", valueName: "path"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("The kubeconfig context to use.", valueName: "name"))
    var context: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Namespace (default: the context's).", valueName: "namespace"))
    var namespace: String?

    @Flag(name: [.customShort("A"), .long], help: "Act on all namespaces.")
    var allNamespaces = false

    var selection: ConfigSelection {
        ConfigSelection(kubeconfigPath: kubeconfig, context: context, namespace: namespace)
    }
}
