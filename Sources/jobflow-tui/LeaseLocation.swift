import Kube

/// Where the operator's leader Lease lives when no flag names it (docs/operator.md, "Where the
/// Lease lives"). Every operator of a cluster must compete for the same Lease, or a local
/// `jobflow-tui operator` becomes a second leader beside the installed one.
enum LeaseLocation {
    /// The namespace `jobflow-tui install`, `deploy/` and the chart put the operator in.
    static let installNamespace = "jobflow-system"

    /// The Lease namespace and, when it was chosen by looking at the cluster, a sentence saying so.
    ///
    /// - `explicit` (the flag) wins.
    /// - In a pod: the in-cluster configuration's namespace — the pod's own (where the
    ///   Deployment's Role allows the Lease), or `-n` when given (the chart then passes the flag).
    /// - Elsewhere: `jobflow-system` when that namespace exists, so a dev-box operator stands by
    ///   while the installed one leads and `watch` shows the installed holder; otherwise
    ///   `fallback` (`-n`, else the context's namespace), as on a cluster without an install.
    ///   If the cluster cannot be asked (no permission to read namespaces, unreachable), the
    ///   fallback is used and the note says why, so a user can pass the flag.
    static func resolve(explicit: String?, flag: String, config: ClientConfiguration, fallback: String,
                        api: any KubeAPI) async -> (namespace: String, note: String?) {
        if let explicit, !explicit.isEmpty { return (explicit, nil) }
        if config.source == "in-cluster" { return (config.namespace, nil) }
        do {
            _ = try await api.get(.namespaces, namespace: nil, name: installNamespace)
            return (installNamespace, fallback == installNamespace ? nil
                    : "lease in namespace \(installNamespace) (where the installed operator competes); \(flag) to change")
        } catch {
            if (error as? KubeError)?.apiError?.isNotFound == true { return (fallback, nil) }
            return (fallback, "could not check for namespace \(installNamespace) (\(error)); using the lease in \(fallback) (\(flag) to choose)")
        }
    }
}
