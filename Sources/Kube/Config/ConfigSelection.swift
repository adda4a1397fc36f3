import Foundation

/// What the user chose on the command line; environment, home and the service-account directory
/// are injectable so tests never read the real `~/.kube` or `/var/run/secrets`.
public struct ConfigSelection: Sendable {
    /// `--kubeconfig`: that file only; it must exist.
    public var kubeconfigPath: String?
    /// `--context`: overrides `current-context`.
    public var context: String?
    /// `-n`: overrides the context's namespace.
    public var namespace: String?
    /// Where `KUBECONFIG`, `HOME` and the in-cluster variables are read from.
    public var environment: [String: String]
    /// `~` for `~/.kube/config`; `nil` means `HOME` from `environment`, else the process's home.
    public var homeDirectory: String?
    /// Where the in-cluster token, CA and namespace files live.
    public var serviceAccountDirectory: String

    public init(kubeconfigPath: String? = nil, context: String? = nil, namespace: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment, homeDirectory: String? = nil,
                serviceAccountDirectory: String = ConfigLoader.defaultServiceAccountDirectory) {
        self.kubeconfigPath = kubeconfigPath
        self.context = context
        self.namespace = namespace
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.serviceAccountDirectory = serviceAccountDirectory
    }
}
