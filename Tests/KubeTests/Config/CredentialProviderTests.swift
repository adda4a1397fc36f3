import Foundation
import Testing
@testable import Kube

@Suite("CredentialProvider: static, file and service-account tokens")
struct TokenCredentialTests {
    let sandbox: FixtureSandbox
    init() throws { sandbox = try FixtureSandbox() }

    @Test func bearerAndBasic() async throws {
        let bearer = try await CredentialProvider(source: .token("abc")).credentials()
        #expect(bearer.authorizationHeader == "Bearer abc")
        let basic = try await CredentialProvider(source: .basic(username: "alice", password: "p:w")).credentials()
        #expect(basic.authorizationHeader == "Basic " + Data("alice:p:w".utf8).base64EncodedString())
        #expect(try await CredentialProvider(source: .none).credentials() == Credentials())
    }

    @Test func credentialsDescriptionIsRedacted() async throws {
        let credentials = try await CredentialProvider(source: .token("fixture-secret-token")).credentials()
        for text in [String(describing: credentials), String(reflecting: credentials)] {
            #expect(!text.contains("fixture-secret"))
            #expect(text.contains("Bearer <redacted>"))
        }
    }

    @Test func tokenFileIsTrimmedAndReReadWhenItChanges() async throws {
        let clock = ManualClock()
        let path = sandbox.path("tokens/token")
        let provider = CredentialProvider(source: .tokenFile(path: path), clock: clock)
        #expect(try await provider.credentials().authorizationHeader == "Bearer fixture-file-token-1")

        try sandbox.write("tokens/token", "rotated-token-22\n")
        // Checked at most once a second.
        #expect(try await provider.credentials().authorizationHeader == "Bearer fixture-file-token-1")
        clock.advance(by: .seconds(1))
        #expect(try await provider.credentials().authorizationHeader == "Bearer rotated-token-22")

        // Same size, new modification time.
        try sandbox.write("tokens/token", "rotated-token-33\n")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 100)], ofItemAtPath: path)
        clock.advance(by: .seconds(1))
        #expect(try await provider.credentials().authorizationHeader == "Bearer rotated-token-33")

        try FileManager.default.removeItem(atPath: path)
        clock.advance(by: .seconds(1))
        #expect(await credentialsError(provider) == "tokenFile \(path): not readable: No such file or directory")
    }

    @Test func tokenFileIsReReadImmediatelyAfterInvalidate() async throws {
        let clock = ManualClock()
        let path = sandbox.path("tokens/token")
        let provider = CredentialProvider(source: .tokenFile(path: path), clock: clock)
        _ = try await provider.credentials()
        try sandbox.write("tokens/token", "after-401")
        await provider.invalidate()
        #expect(try await provider.credentials().authorizationHeader == "Bearer after-401")
    }

    @Test func providerFromConfigurationNamesWhereTheCredentialsCameFrom() async throws {
        let config = try sandbox.load("all-forms.yaml", context: "tokenfile")
        let provider = CredentialProvider(configuration: config)
        #expect(try await provider.credentials().authorizationHeader == "Bearer fixture-file-token-1")
        try FileManager.default.removeItem(atPath: sandbox.path("tokens/token"))
        await provider.invalidate()
        #expect(await credentialsError(provider) == "kubeconfig \(sandbox.path("all-forms.yaml")): context \"tokenfile\": "
            + "user \"tokenfile-user\": tokenFile \(sandbox.path("tokens/token")): not readable: No such file or directory")
    }

    @Test func clientIdentityDescriptionIsRedacted() {
        let identity = ClientIdentity(certificatePEM: Array("CERT-BYTES".utf8), keyPEM: Array("KEY-BYTES".utf8))
        for text in [String(describing: identity), String(reflecting: identity), String(reflecting: Optional(identity))] {
            #expect(!text.contains("KEY-BYTES"))
            #expect(!text.contains("75, 69, 89"))  // "KEY" as bytes
        }
    }

    @Test func emptyTokenFileIsAnError() async throws {
        let path = try sandbox.write("tokens/empty", " \n")
        let message = await credentialsError(CredentialProvider(source: .tokenFile(path: path)))
        #expect(message == "tokenFile \(path): the file is empty")
    }

    @Test func serviceAccountTokenIsReReadEveryMinuteAndAfterInvalidate() async throws {
        let clock = ManualClock()
        let path = try sandbox.write("sa/token", "sa-token-1\n")
        let provider = CredentialProvider(source: .serviceAccount(tokenPath: path), clock: clock)
        #expect(try await provider.credentials().authorizationHeader == "Bearer sa-token-1")
        try sandbox.write("sa/token", "sa-token-2\n")
        clock.advance(by: .seconds(59))
        #expect(try await provider.credentials().authorizationHeader == "Bearer sa-token-1")
        clock.advance(by: .seconds(1))
        #expect(try await provider.credentials().authorizationHeader == "Bearer sa-token-2")
        try sandbox.write("sa/token", "sa-token-3\n")
        await provider.invalidate()
        #expect(try await provider.credentials().authorizationHeader == "Bearer sa-token-3")
    }
}

@Suite("CredentialProvider: exec plugins")
struct ExecCredentialTests {
    let sandbox: FixtureSandbox
    let countFile: String
    init() throws {
        sandbox = try FixtureSandbox()
        countFile = sandbox.root + "/runs"
    }

    var runs: Int {
        ((try? String(contentsOfFile: countFile, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func provider(context: String, extraEnvironment: [String: String] = [:], now: (@Sendable () -> Date)? = nil,
                  timeout: Duration = .seconds(60)) throws -> CredentialProvider {
        let config = try sandbox.load("all-forms.yaml", context: context)
        var environment = ["PATH": "/usr/bin:/bin", "COUNT_FILE": countFile]
        environment.merge(extraEnvironment) { $1 }
        return CredentialProvider(source: config.credentials, clusterInfo: ExecClusterInfo(config),
                                  now: now ?? { Date() }, environment: environment, execTimeout: timeout)
    }

    func plugin(_ script: String, apiVersion: String = ExecConfig.v1, installHint: String? = nil,
                timeout: Duration = .seconds(60)) -> CredentialProvider {
        let exec = ExecConfig(apiVersion: apiVersion, command: "plugins/\(script)", installHint: installHint,
                              interactiveMode: .never, configDirectory: sandbox.path(""))
        return CredentialProvider(source: .exec(exec), environment: ["PATH": "/usr/bin:/bin", "COUNT_FILE": countFile],
                                  execTimeout: timeout)
    }

    @Test func v1PluginRunsOnceCachesAndRunsAgainAfterInvalidate() async throws {
        let provider = try provider(context: "exec-v1")
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-1-hello")
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-1-hello")
        #expect(runs == 1)
        await provider.invalidate()
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-2-hello")
        #expect(runs == 2)
    }

    @Test func pluginGetsArgumentsExecInfoAndNoTerminal() async throws {
        _ = try await provider(context: "exec-v1").credentials()
        let args = try String(contentsOfFile: countFile + ".args", encoding: .utf8)
        #expect(args == "--audience\nfixture\n")
        #expect(try String(contentsOfFile: countFile + ".stdin", encoding: .utf8) == "notty\n")
        let info = try JSONParser.parse(try String(contentsOfFile: countFile + ".info", encoding: .utf8))
        #expect(info["apiVersion"] == "client.authentication.k8s.io/v1")
        #expect(info["kind"] == "ExecCredential")
        #expect(info[path: "spec.interactive"] == false)
        #expect(info[path: "spec.cluster.server"] == "https://prod.example.com:6443")
        #expect(info[path: "spec.cluster.tls-server-name"] == "api.internal")
        let ca = try Data(contentsOf: URL(fileURLWithPath: sandbox.path("certs/ca.pem"))).base64EncodedString()
        #expect(info[path: "spec.cluster.certificate-authority-data"] == .string(ca))
    }

    @Test func v1beta1PluginWithoutClusterInfo() async throws {
        let provider = try provider(context: "exec-v1beta1")
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-1-none")
        let info = try JSONParser.parse(try String(contentsOfFile: countFile + ".info", encoding: .utf8))
        #expect(info["apiVersion"] == "client.authentication.k8s.io/v1beta1")
        #expect(info[path: "spec.cluster"] == nil)
    }

    @Test func concurrentCallersShareOneRun() async throws {
        // The credential is already expired, so every caller that did not join the run in flight
        // would start its own: one run for eight callers proves they shared it.
        let provider = try provider(context: "exec-v1",
                                    extraEnvironment: ["PLUGIN_DELAY": "1", "EXPIRY": "2000-01-01T00:00:00Z"])
        let headers = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.credentials().authorizationHeader } }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(headers == Array(repeating: "Bearer exec-token-1-hello", count: 8))
        #expect(runs == 1)
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-2-hello")
    }

    @Test func cachedUntilShortlyBeforeExpiry() async throws {
        let expiry = Date(timeIntervalSince1970: 1_900_000_000)
        let wall = ManualDate(expiry.addingTimeInterval(-60))
        let provider = try provider(context: "exec-v1", extraEnvironment: ["EXPIRY": "2030-03-17T17:46:40Z"],
                                    now: { wall.now })
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-1-hello")
        wall.set(expiry.addingTimeInterval(-11))
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-1-hello")
        wall.set(expiry.addingTimeInterval(-9))  // inside the 10 s leeway
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-2-hello")
        #expect(runs == 2)
    }

    @Test func expiredCredentialRunsThePluginEveryTime() async throws {
        let provider = plugin("expired.sh")
        #expect(try await provider.credentials().authorizationHeader == "Bearer expired-token")
        #expect(try await provider.credentials().authorizationHeader == "Bearer expired-token")
        #expect(runs == 2)
    }

    @Test func clientCertificateFromPlugin() async throws {
        let credentials = try await plugin("cert.sh").credentials()
        #expect(credentials.authorizationHeader == nil)
        let identity = try #require(credentials.clientIdentity)
        #expect(String(decoding: identity.certificatePEM, as: UTF8.self) == "-----BEGIN CERTIFICATE-----\nRVhFQy1DRVJU\n-----END CERTIFICATE-----\n")
        #expect(String(decoding: identity.keyPEM, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(!String(reflecting: credentials).contains("Zml4dHVyZS1zZWNyZXQtZXhlYy1rZXk"))
    }

    @Test func failingPluginShowsExitCodeAndTenStderrLinesButNeverStdout() async {
        let message = await credentialsError(plugin("failing.sh"))
        #expect(message.hasPrefix("exec plugin plugins/failing.sh exited with status 1; stderr:\nfailing plugin: stderr line 1\n"))
        #expect(message.contains("stderr line 10\n…"))
        #expect(!message.contains("stderr line 11"))
        #expect(!message.contains("fixture-secret"))
    }

    @Test func garbageOutputIsNotQuoted() async {
        let message = await credentialsError(plugin("garbage.sh"))
        #expect(message.contains("output is not a JSON ExecCredential"))
        #expect(!message.contains("fixture-secret"))
    }

    @Test func apiVersionMismatchIsAnError() async {
        let message = await credentialsError(plugin("wrong-version.sh"))
        #expect(message.contains("output apiVersion is \"client.authentication.k8s.io/v1beta1\", but the kubeconfig asked for client.authentication.k8s.io/v1"))
        #expect(!message.contains("fixture-secret"))
    }

    @Test func missingCommandShowsInstallHint() async {
        let exec = ExecConfig(command: "no-such-plugin-\(UUID().uuidString)", installHint: "brew install the-plugin",
                              interactiveMode: .never)
        let provider = CredentialProvider(source: .exec(exec), environment: ["PATH": "/usr/bin:/bin"])
        let message = await credentialsError(provider)
        #expect(message.contains("executable not found on PATH\nbrew install the-plugin"))
        let relative = await credentialsError(plugin("absent.sh", installHint: "see docs"))
        #expect(relative == "exec plugin plugins/absent.sh (resolved to \(sandbox.path("plugins/absent.sh"))): not found\nsee docs")
    }

    @Test func commandWithoutSlashIsFoundOnPATH() async throws {
        let exec = ExecConfig(command: "counting.sh", interactiveMode: .never)
        let provider = CredentialProvider(source: .exec(exec),
                                          environment: ["PATH": "/nonexistent:" + sandbox.path("plugins") + ":/usr/bin:/bin",
                                                        "COUNT_FILE": countFile])
        #expect(try await provider.credentials().authorizationHeader == "Bearer exec-token-1-none")
    }

    @Test func slowPluginAndItsChildrenAreKilledAfterTheTimeout() async throws {
        // slow.sh sleeps 30 s; the provider must give up at its timeout and kill it (the error
        // says so) — asserted on behaviour, not on how long this machine took.
        let message = await credentialsError(plugin("slow.sh", timeout: .milliseconds(500)))
        #expect(message.contains("no answer within"))
        #if os(Linux)
        let child = try #require(Int32(try String(contentsOfFile: countFile + ".child", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        var gone = false
        for _ in 0..<100 where !gone {
            let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)
            gone = stat == nil || stat!.contains(") Z ")
            if !gone { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(gone, "the plugin's child \(child) outlived the timeout")
        #endif
    }

    @Test func interactiveAlwaysIsRefused() async {
        let exec = ExecConfig(command: "anything", interactiveMode: .always)
        let message = await credentialsError(CredentialProvider(source: .exec(exec)))
        #expect(message.contains("interactiveMode Always is not supported"))
    }
}
