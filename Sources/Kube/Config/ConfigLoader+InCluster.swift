import Foundation

extension ConfigLoader {
    /// The configuration of a pod's service account: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
    /// the token (re-read every minute and after a 401), `ca.crt` when present, and the namespace
    /// from `POD_NAMESPACE`, else the `namespace` file, else `default`.
    public static func inCluster(environment: [String: String],
                                 serviceAccountDirectory: String = defaultServiceAccountDirectory) throws(KubeError)
        -> ClientConfiguration {
        let host = environment["KUBERNETES_SERVICE_HOST"] ?? ""
        let port = environment["KUBERNETES_SERVICE_PORT"] ?? ""
        guard !host.isEmpty, !port.isEmpty else {
            throw .configuration("in-cluster: not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let directory = serviceAccountDirectory.hasSuffix("/") ? String(serviceAccountDirectory.dropLast()) : serviceAccountDirectory

        let tokenPath = directory + "/token"
        switch FilePaths.read(tokenPath) {
        case .failure(let e):
            throw .configuration("in-cluster: service account token \(tokenPath) not readable: \(e)")
        case .success(let bytes):
            if String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw .configuration("in-cluster: service account token \(tokenPath) is empty")
            }
        }

        var tls = TLSConfiguration()
        let caPath = directory + "/ca.crt"
        if FilePaths.isFile(caPath) {
            switch FilePaths.read(caPath) {
            case .success(let bytes): tls.caPEM = bytes
            case .failure(let e): throw .configuration("in-cluster: CA bundle \(caPath) not readable: \(e)")
            }
        }

        var namespace = "default"
        if let fromEnv = environment["POD_NAMESPACE"], !fromEnv.isEmpty {
            namespace = fromEnv
        } else if case .success(let bytes) = FilePaths.read(directory + "/namespace") {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }

        return ClientConfiguration(server: "https://\(hostPart):\(port)", namespace: namespace, tls: tls,
                                   credentials: .serviceAccount(tokenPath: tokenPath), source: "in-cluster")
    }
}
