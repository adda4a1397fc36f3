import Foundation

/// Finds and reads the client configuration the way kubectl does.
///
/// Order: `--kubeconfig` (that file only; it must exist) → `KUBECONFIG` (`:`-separated, duplicates
/// dropped, missing files ignored, an unparsable file is an error) → `~/.kube/config` → in-cluster
/// (only when no kubeconfig was found and neither `--kubeconfig` nor `--context` was given) → an
/// error saying what was tried. Reads files; never writes any.
public enum ConfigLoader {
    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The configuration `selection` points at. Throws `KubeError.configuration` naming the file,
    /// context and field at fault.
    public static func load(_ selection: ConfigSelection) throws(KubeError) -> ClientConfiguration {
        let cwd = FilePaths.currentDirectory()
        var tried: [String] = []

        if let explicit = selection.kubeconfigPath, !explicit.isEmpty {
            let path = FilePaths.resolve(explicit, against: cwd)
            guard FilePaths.isFile(path) else {
                let reason = FilePaths.status(path).failureText ?? "is a directory"
                throw .configuration("kubeconfig \(path) (from --kubeconfig): \(reason)")
            }
            let merged = MergedKubeconfig([try KubeconfigFile.load(path: path)])
            return try resolve(merged, selection: selection)
        }

        var paths: [String] = []
        if let variable = selection.environment["KUBECONFIG"], !variable.isEmpty {
            for part in variable.split(separator: ":", omittingEmptySubsequences: true) {
                let path = FilePaths.resolve(String(part), against: cwd)
                if !paths.contains(path) { paths.append(path) }
            }
            tried.append("KUBECONFIG=\(variable) (no file exists)")
        } else {
            let home = selection.homeDirectory ?? selection.environment["HOME"] ?? NSHomeDirectory()
            paths = [FilePaths.resolve(".kube/config", against: home)]
            tried.append("\(paths[0]) (does not exist)")
        }

        let existing = paths.filter { FilePaths.isFile($0) }
        var files: [KubeconfigFile] = []
        for path in existing { files.append(try KubeconfigFile.load(path: path)) }
        let merged = MergedKubeconfig(files)
        if !existing.isEmpty {
            if !merged.isEmpty || selection.context != nil || !inClusterPossible(selection) {
                return try resolve(merged, selection: selection)
            }
        }

        if selection.context == nil, inClusterPossible(selection) {
            var config = try inCluster(environment: selection.environment,
                                       serviceAccountDirectory: selection.serviceAccountDirectory)
            if let namespace = selection.namespace, !namespace.isEmpty { config.namespace = namespace }
            return config
        }
        tried.append("in-cluster (\(inClusterUnavailableReason(selection)))")
        throw .configuration("no Kubernetes configuration found; tried: \(tried.joined(separator: ", ")). "
            + "Pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config.")
    }

    private static func inClusterPossible(_ selection: ConfigSelection) -> Bool {
        let env = selection.environment
        return !(env["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty && !(env["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty
            && FilePaths.isFile(selection.serviceAccountDirectory + "/token")
    }

    private static func inClusterUnavailableReason(_ selection: ConfigSelection) -> String {
        if selection.context != nil { return "not used with --context" }
        let env = selection.environment
        if (env["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty || (env["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty {
            return "KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set"
        }
        return "no token at \(selection.serviceAccountDirectory)/token"
    }
}

extension Result where Failure == FileError {
    /// The error text, if this is a failure.
    var failureText: String? {
        if case .failure(let e) = self { return e.description }
        return nil
    }
}
