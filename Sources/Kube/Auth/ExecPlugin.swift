import Foundation

/// What a credential plugin returned.
struct ExecCredential: Sendable {
    var token: String?
    var clientIdentity: ClientIdentity?
    /// `nil`: valid until the server rejects it.
    var expiration: Date?
}

/// Running a client-go credential plugin: finding the command, its environment, and reading the
/// `ExecCredential` it prints. Its stdout holds the credential, so no message ever quotes it.
enum ExecPlugin {
    static let stderrLinesShown = 10

    static func obtain(_ config: ExecConfig, cluster: ExecClusterInfo?, environment: [String: String],
                       timeout: Duration, clock: any Clock<Duration>) async throws(KubeError) -> ExecCredential {
        let label = "exec plugin \(config.command)"
        if config.interactiveMode == .always {
            throw .credentials("\(label): interactiveMode Always is not supported: this tool owns the terminal, "
                + "so the plugin cannot prompt; log in with the plugin in a shell first")
        }
        let executable = try locate(config, path: environment["PATH"])
        var env = environment
        for variable in config.env { env[variable.name] = variable.value }
        env["KUBERNETES_EXEC_INFO"] = execInfo(config, cluster: cluster).serializedString()

        let output: PluginProcess.Output
        do {
            output = try await PluginProcess.run(executable: executable, arguments: config.args, environment: env,
                                                 timeout: timeout, clock: clock)
        } catch {
            switch error {
            case .launch(let reason): throw .credentials("\(label): could not start \(executable): \(reason)")
            case .timedOut: throw .credentials("\(label): no answer within \(timeout); killed it")
            }
        }
        guard output.exitStatus == 0, !output.signaled else {
            let how = output.signaled ? "was killed by signal \(output.exitStatus)" : "exited with status \(output.exitStatus)"
            let excerpt = stderrExcerpt(output.stderr)
            throw .credentials("\(label) \(how)" + (excerpt.isEmpty ? "" : "; stderr:\n\(excerpt)"))
        }
        return try parse(output.stdout, expectedAPIVersion: config.apiVersion, label: label)
    }

    /// The absolute path to run: a command with `/` resolves against the kubeconfig's directory,
    /// one without is looked up on `PATH`.
    static func locate(_ config: ExecConfig, path: String?) throws(KubeError) -> String {
        let hint = config.installHint.map { "\n\($0)" } ?? ""
        if config.command.contains("/") {
            let resolved = config.resolvedCommand
            guard FilePaths.isExecutable(resolved) else {
                let shown = resolved == config.command ? resolved : "\(config.command) (resolved to \(resolved))"
                let reason = FilePaths.isFile(resolved) ? "is not executable" : "not found"
                throw .credentials("exec plugin \(shown): \(reason)\(hint)")
            }
            return resolved
        }
        for directory in (path ?? "").split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory + "/" + config.command
            if FilePaths.isExecutable(candidate) { return candidate }
        }
        throw .credentials("exec plugin \(config.command): executable not found on PATH\(hint)")
    }

    /// The `KUBERNETES_EXEC_INFO` document.
    static func execInfo(_ config: ExecConfig, cluster: ExecClusterInfo?) -> JSONValue {
        var spec: JSONValue = ["interactive": false]
        if config.provideClusterInfo, let cluster {
            var info: JSONValue = ["server": .string(cluster.server)]
            if let ca = cluster.certificateAuthorityData { info["certificate-authority-data"] = .string(Data(ca).base64EncodedString()) }
            if cluster.insecureSkipTLSVerify { info["insecure-skip-tls-verify"] = true }
            if let name = cluster.tlsServerName { info["tls-server-name"] = .string(name) }
            spec["cluster"] = info
        }
        return ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": spec]
    }

    /// The first lines of stderr, control characters removed.
    static func stderrExcerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var shown = lines.prefix(stderrLinesShown).map { line in
            String(line.unicodeScalars.filter { $0 == "\t" || !($0.properties.generalCategory == .control) }.map(Character.init))
        }
        while shown.last?.isEmpty == true { shown.removeLast() }
        let more = lines.count > stderrLinesShown && !lines.dropFirst(stderrLinesShown).allSatisfy(\.isEmpty)
        return shown.joined(separator: "\n") + (more ? "\n…" : "")
    }

    static func parse(_ stdout: [UInt8], expectedAPIVersion: String, label: String) throws(KubeError) -> ExecCredential {
        let document: JSONValue
        do {
            document = try JSONParser.parse(stdout)
        } catch {
            throw .credentials("\(label): output is not a JSON ExecCredential (invalid JSON at byte \(error.offset))")
        }
        guard document["kind"]?.stringValue == "ExecCredential" else {
            throw .credentials("\(label): output kind is \(document["kind"]?.stringValue.map { "\"\($0)\"" } ?? "missing"), expected ExecCredential")
        }
        guard let apiVersion = document["apiVersion"]?.stringValue, apiVersion == expectedAPIVersion else {
            let got = document["apiVersion"]?.stringValue.map { "\"\($0)\"" } ?? "missing"
            throw .credentials("\(label): output apiVersion is \(got), but the kubeconfig asked for \(expectedAPIVersion)")
        }
        guard let status = document["status"], status.objectValue != nil else {
            throw .credentials("\(label): output has no status")
        }
        var credential = ExecCredential()
        if let token = status["token"]?.stringValue, !token.isEmpty { credential.token = token }
        let certificate = status["clientCertificateData"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let key = status["clientKeyData"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        switch (certificate, key) {
        case (let c?, let k?): credential.clientIdentity = ClientIdentity(certificatePEM: Array(c.utf8), keyPEM: Array(k.utf8))
        case (.some, nil): throw .credentials("\(label): output has status.clientCertificateData but no clientKeyData")
        case (nil, .some): throw .credentials("\(label): output has status.clientKeyData but no clientCertificateData")
        case (nil, nil): break
        }
        if credential.token == nil && credential.clientIdentity == nil {
            throw .credentials("\(label): output has neither status.token nor status.clientCertificateData/clientKeyData")
        }
        if let raw = status["expirationTimestamp"], !raw.isNull {
            guard let text = raw.stringValue, let date = parseRFC3339(text) else {
                throw .credentials("\(label): output status.expirationTimestamp is not an RFC 3339 time")
            }
            credential.expiration = date
        }
        return credential
    }

    static func parseRFC3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
