import Foundation

/// Where in the kubeconfig a value sits, for error messages:
/// `kubeconfig /path/config: context "dev": user "alice": client-key: …`.
struct ConfigPlace: Sendable {
    var file: String
    var steps: [String]

    func error(_ field: String?, _ message: String) -> KubeError {
        let path = (steps + (field.map { [$0] } ?? [])).joined(separator: ": ")
        return .configuration("kubeconfig \(file): \(path.isEmpty ? "" : path + ": ")\(message)")
    }

    func entering(_ step: String, file: String? = nil) -> ConfigPlace {
        ConfigPlace(file: file ?? self.file, steps: steps + [step])
    }
}

extension ConfigLoader {
    /// Picks the context and turns its cluster and user into a configuration.
    static func resolve(_ merged: MergedKubeconfig, selection: ConfigSelection) throws(KubeError) -> ClientConfiguration {
        let files = merged.files.joined(separator: ":")
        let fromFlag = selection.context.map { !$0.isEmpty } ?? false
        guard let contextName = fromFlag ? selection.context : merged.currentContext else {
            throw .configuration("kubeconfig \(files): no context selected: current-context is not set and --context was not given")
        }
        guard let context = merged.contexts[contextName] else {
            let known = merged.contexts.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            throw .configuration("kubeconfig \(files): context \"\(contextName)\" (from \(fromFlag ? "--context" : "current-context")) "
                + "not found; defined contexts: \(known.isEmpty ? "none" : known)")
        }
        let place = ConfigPlace(file: context.file, steps: ["context \"\(contextName)\""])
        let fields = FieldReader(fields: context.fields, place: place, directory: context.directory)

        guard let clusterName = try fields.string("cluster") else { throw place.error("cluster", "not set") }
        guard let clusterEntry = merged.clusters[clusterName] else {
            throw place.error("cluster", "cluster \"\(clusterName)\" is not defined in \(files)")
        }
        let cluster = try readCluster(clusterEntry, place: place)

        var credentials = CredentialSource.none
        var identity: ClientIdentity?
        let userName = try fields.string("user")
        if let userName {
            guard let userEntry = merged.users[userName] else {
                throw place.error("user", "user \"\(userName)\" is not defined in \(files)")
            }
            (credentials, identity) = try readUser(userEntry, place: place)
        }

        var namespace = try fields.string("namespace") ?? "default"
        if let override = selection.namespace, !override.isEmpty { namespace = override }

        var tls = cluster.tls
        tls.clientIdentity = identity
        return ClientConfiguration(server: cluster.server, contextName: contextName, clusterName: clusterName,
                                   userName: userName, namespace: namespace, tls: tls, proxyURL: cluster.proxyURL,
                                   credentials: credentials, source: "kubeconfig \(files)")
    }

    private static func readCluster(_ entry: KubeconfigEntry, place contextPlace: ConfigPlace) throws(KubeError)
        -> (server: String, tls: TLSConfiguration, proxyURL: String?) {
        let place = contextPlace.entering("cluster \"\(entry.name)\"", file: entry.file)
        let fields = FieldReader(fields: entry.fields, place: place, directory: entry.directory)

        guard let rawServer = try fields.string("server") else { throw place.error("server", "not set") }
        let server = try normalizeServer(rawServer, place: place)
        var tls = TLSConfiguration()
        tls.caPEM = try fields.material(file: "certificate-authority", data: "certificate-authority-data")
        tls.insecureSkipVerify = try fields.bool("insecure-skip-tls-verify") ?? false
        if tls.insecureSkipVerify && tls.caPEM != nil {
            throw place.error("insecure-skip-tls-verify",
                              "cannot be combined with certificate-authority(-data): trust a CA or skip verification, not both")
        }
        tls.serverName = try fields.string("tls-server-name")
        let proxyURL = try fields.string("proxy-url")
        if let proxyURL {
            let scheme = proxyURL.range(of: "://").map { proxyURL[..<$0.lowerBound].lowercased() }
            guard let scheme, ["http", "https", "socks5"].contains(scheme) else {
                throw place.error("proxy-url", "\(Redaction.url(proxyURL)): scheme must be http, https or socks5")
            }
        }
        return (server, tls, proxyURL)
    }

    /// `https://` added when no scheme is given (as client-go does), trailing slashes removed.
    private static func normalizeServer(_ raw: String, place: ConfigPlace) throws(KubeError) -> String {
        var server = raw.trimmingCharacters(in: .whitespaces)
        if !server.contains("://") { server = "https://" + server }
        while server.hasSuffix("/") { server.removeLast() }
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw place.error("server", "\(Redaction.url(raw)) is not an http(s) URL")
        }
        return server
    }

    private static func readUser(_ entry: KubeconfigEntry, place contextPlace: ConfigPlace) throws(KubeError)
        -> (CredentialSource, ClientIdentity?) {
        let place = contextPlace.entering("user \"\(entry.name)\"", file: entry.file)
        let fields = FieldReader(fields: entry.fields, place: place, directory: entry.directory)

        if let provider = entry.fields["auth-provider"], !provider.isNull {
            let name = provider["name"]?.stringValue.map { " \"\($0)\"" } ?? ""
            throw place.error("auth-provider", "auth-provider\(name) is not supported: the built-in gcp, azure and oidc "
                + "auth providers were removed in kubectl 1.26; use an exec credential plugin instead "
                + "(e.g. gke-gcloud-auth-plugin, kubelogin)")
        }

        let certificate = try fields.material(file: "client-certificate", data: "client-certificate-data")
        let key = try fields.material(file: "client-key", data: "client-key-data")
        var identity: ClientIdentity?
        switch (certificate, key) {
        case (let c?, let k?): identity = ClientIdentity(certificatePEM: c, keyPEM: k)
        case (.some, nil): throw place.error("client-key", "client-certificate is set but client-key(-data) is not")
        case (nil, .some): throw place.error("client-certificate", "client-key is set but client-certificate(-data) is not")
        case (nil, nil): break
        }

        let token = try fields.string("token")
        let tokenFile = try fields.path("tokenFile")
        let username = try fields.string("username")
        let password = try fields.string("password")
        let exec = try entry.fields["exec"].flatMap { value throws(KubeError) -> ExecConfig? in
            value.isNull ? nil : try readExec(value, place: place.entering("exec"), directory: entry.directory)
        }

        var methods: [String] = []
        if token != nil || tokenFile != nil { methods.append("token") }
        if username != nil || password != nil { methods.append("username/password") }
        if exec != nil { methods.append("exec") }
        if methods.count > 1 {
            throw place.error(nil, "more than one authentication method set (\(methods.joined(separator: ", "))); keep one")
        }
        if password != nil && username == nil { throw place.error("username", "not set, but password is") }

        if let tokenFile {
            if case .failure(let e) = FilePaths.read(tokenFile.resolved) {
                throw place.error("tokenFile", "file \(tokenFile.display) not readable: \(e)")
            }
            return (.tokenFile(path: tokenFile.resolved), identity)
        }
        if let token { return (.token(token), identity) }
        if let username { return (.basic(username: username, password: password ?? ""), identity) }
        if let exec { return (.exec(exec), identity) }
        return (.none, identity)
    }

    private static func readExec(_ value: JSONValue, place: ConfigPlace, directory: String) throws(KubeError) -> ExecConfig {
        guard let object = value.objectValue else { throw place.error(nil, "expected a mapping, found \(value.typeName)") }
        let fields = FieldReader(fields: object, place: place, directory: directory)
        guard let apiVersion = try fields.string("apiVersion") else {
            throw place.error("apiVersion", "not set; use \(ExecConfig.v1)")
        }
        switch apiVersion {
        case ExecConfig.v1, ExecConfig.v1beta1: break
        case "client.authentication.k8s.io/v1alpha1":
            throw place.error("apiVersion", "\(apiVersion) is no longer supported (removed in Kubernetes 1.24); "
                + "use \(ExecConfig.v1) or update the plugin")
        default:
            throw place.error("apiVersion", "\(apiVersion) is not supported; use \(ExecConfig.v1) or \(ExecConfig.v1beta1)")
        }
        guard let command = try fields.string("command") else { throw place.error("command", "not set") }

        var args: [String] = []
        if let raw = object["args"], !raw.isNull {
            guard let items = raw.arrayValue else { throw place.error("args", "expected a list, found \(raw.typeName)") }
            for (i, item) in items.enumerated() {
                guard let s = FieldReader.scalarString(item) else {
                    throw place.error("args[\(i)]", "expected a string, found \(item.typeName)")
                }
                args.append(s)
            }
        }
        var env: [ExecConfig.EnvVar] = []
        if let raw = object["env"], !raw.isNull {
            guard let items = raw.arrayValue else { throw place.error("env", "expected a list, found \(raw.typeName)") }
            for (i, item) in items.enumerated() {
                guard let name = item["name"]?.stringValue, !name.isEmpty else {
                    throw place.error("env[\(i)]", "name: missing or not a string")
                }
                guard let v = item["value"], let value = FieldReader.scalarString(v) else {
                    throw place.error("env[\(i)] \"\(name)\"", "value: missing or not a string")
                }
                env.append(.init(name: name, value: value))
            }
        }

        let mode: ExecConfig.InteractiveMode
        if let raw = try fields.string("interactiveMode") {
            guard let parsed = ExecConfig.InteractiveMode(rawValue: raw) else {
                throw place.error("interactiveMode", "\"\(raw)\" is not one of Never, IfAvailable, Always")
            }
            mode = parsed
        } else if apiVersion == ExecConfig.v1 {
            throw place.error("interactiveMode", "required for \(ExecConfig.v1); set Never or IfAvailable")
        } else {
            mode = .ifAvailable
        }
        if mode == .always {
            throw place.error("interactiveMode", "Always: interactive credential plugins are not supported by this tool "
                + "(it owns the terminal); run the plugin once in a shell to log in, or use Never/IfAvailable")
        }
        return ExecConfig(apiVersion: apiVersion, command: command, args: args, env: env,
                          installHint: try fields.string("installHint"),
                          provideClusterInfo: try fields.bool("provideClusterInfo") ?? false,
                          interactiveMode: mode, configDirectory: directory)
    }
}
