import Foundation
import Testing
@testable import Kube

@Suite("ConfigLoader: one kubeconfig, every form")
struct ConfigLoaderFormsTests {
    let sandbox: FixtureSandbox
    init() throws { sandbox = try FixtureSandbox() }

    func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.path(relative))))
    }

    @Test func currentContextWithTokenCAFileServerNameProxyAndNamespace() throws {
        let config = try sandbox.load("all-forms.yaml")
        #expect(config.server == "https://prod.example.com:6443")
        #expect(config.contextName == "token")
        #expect(config.clusterName == "prod")
        #expect(config.userName == "token-user")
        #expect(config.namespace == "team-a")
        #expect(config.tls.caPEM == (try bytes("certs/ca.pem")))
        #expect(config.tls.serverName == "api.internal")
        #expect(config.tls.insecureSkipVerify == false)
        #expect(config.tls.clientIdentity == nil)
        #expect(config.proxyURL == "http://proxy.example.com:3128")
        #expect(config.credentials == .token("fixture-secret-token"))
        #expect(config.source == "kubeconfig " + sandbox.path("all-forms.yaml"))
    }

    @Test func namespaceFlagOverridesContextNamespace() throws {
        #expect(try sandbox.load("all-forms.yaml", namespace: "override").namespace == "override")
    }

    @Test func namespaceDefaultsToDefault() throws {
        #expect(try sandbox.load("all-forms.yaml", context: "tokenfile").namespace == "default")
    }

    @Test func tokenFileResolvesAgainstTheKubeconfigDirectory() throws {
        let config = try sandbox.load("all-forms.yaml", context: "tokenfile")
        #expect(config.credentials == .tokenFile(path: sandbox.path("tokens/token")))
    }

    @Test func clientCertificateAndKeyFilesAreReadIntoMemory() throws {
        let config = try sandbox.load("all-forms.yaml", context: "cert-files")
        #expect(config.tls.clientIdentity == ClientIdentity(certificatePEM: try bytes("certs/client.pem"),
                                                            keyPEM: try bytes("certs/client-key.pem")))
        #expect(config.credentials == CredentialSource.none)
    }

    @Test func dataFieldsAreBase64Decoded() throws {
        let config = try sandbox.load("all-forms.yaml", context: "cert-data")
        #expect(config.tls.caPEM == (try bytes("certs/ca.pem")))
        #expect(config.tls.clientIdentity == ClientIdentity(certificatePEM: try bytes("certs/client.pem"),
                                                            keyPEM: try bytes("certs/client-key.pem")))
    }

    @Test func basicAuthInsecureAndSchemelessServer() throws {
        let config = try sandbox.load("all-forms.yaml", context: "basic")
        #expect(config.credentials == .basic(username: "alice", password: "fixture-secret-password"))
        #expect(config.tls.insecureSkipVerify)
        #expect(config.tls.caPEM == nil)
        #expect(config.server == "https://10.0.0.1:6443")
    }

    @Test func contextWithoutUserHasNoCredentials() throws {
        let config = try sandbox.load("all-forms.yaml", context: "anonymous")
        #expect(config.userName == nil)
        #expect(config.credentials == CredentialSource.none)
    }

    @Test func execV1() throws {
        let config = try sandbox.load("all-forms.yaml", context: "exec-v1")
        guard case .exec(let exec) = config.credentials else {
            Issue.record("expected exec, got \(config.credentials)")
            return
        }
        #expect(exec.apiVersion == ExecConfig.v1)
        #expect(exec.command == "./plugins/counting.sh")
        #expect(exec.resolvedCommand == sandbox.path("plugins/counting.sh"))
        #expect(exec.args == ["--audience", "fixture"])
        #expect(exec.env == [ExecConfig.EnvVar(name: "PLUGIN_GREETING", value: "hello")])
        #expect(exec.interactiveMode == .never)
        #expect(exec.provideClusterInfo)
        #expect(exec.installHint == "Install the counting plugin from the fixtures.")
        #expect(exec.configDirectory == sandbox.root + "/kubeconfig")
    }

    @Test func execV1beta1DefaultsToIfAvailable() throws {
        let config = try sandbox.load("all-forms.yaml", context: "exec-v1beta1")
        guard case .exec(let exec) = config.credentials else {
            Issue.record("expected exec, got \(config.credentials)")
            return
        }
        #expect(exec.apiVersion == ExecConfig.v1beta1)
        #expect(exec.interactiveMode == .ifAvailable)
        #expect(exec.provideClusterInfo == false)
        #expect(exec.resolvedCommand == sandbox.path("plugins/counting.sh"))
    }

    @Test func descriptionsNeverContainSecrets() throws {
        let secrets = ["fixture-secret", "RklYVFVSRS1TRUNSRVQtS0VZ", "RklYVFVSRS1DTElFTlQtQ0VSVA"]
        for context in ["token", "basic", "cert-data", "cert-files", "exec-v1"] {
            let config = try sandbox.load("all-forms.yaml", context: context)
            let texts = [String(describing: config), String(reflecting: config),
                         String(describing: config.credentials), String(reflecting: config.credentials),
                         String(describing: config.tls), String(reflecting: config.tls), "\(config)"]
            for text in texts {
                for secret in secrets { #expect(!text.contains(secret), "\(context): \(text)") }
            }
        }
        let basic = try sandbox.load("all-forms.yaml", context: "basic")
        #expect(String(describing: basic.credentials).contains("password: <redacted>"))
        #expect(String(describing: try sandbox.load("all-forms.yaml")).contains("token: <redacted>"))
    }

    @Test func proxyCredentialsAreRedacted() {
        #expect(Redaction.url("http://user:pw@proxy:3128/x") == "http://<redacted>@proxy:3128/x")
        #expect(Redaction.url("http://proxy:3128") == "http://proxy:3128")
    }
}

@Suite("ConfigLoader: errors name the file, context and field")
struct ConfigLoaderErrorTests {
    let sandbox: FixtureSandbox
    init() throws { sandbox = try FixtureSandbox() }
    var file: String { sandbox.path("errors/broken.yaml") }

    func error(_ context: String?) -> String { sandbox.configurationError("errors/broken.yaml", context: context) }

    @Test func missingContext() {
        let message = error("nope")
        #expect(message.hasPrefix("kubeconfig \(file): context \"nope\" (from --context) not found"))
        #expect(message.contains("\"gcp\""))
    }

    @Test func missingClusterFromCurrentContext() {
        #expect(error(nil) == "kubeconfig \(file): context \"missing-cluster\": cluster: cluster \"nowhere\" is not defined in \(file)")
    }

    @Test func missingUser() {
        #expect(error("missing-user") == "kubeconfig \(file): context \"missing-user\": user: user \"nobody\" is not defined in \(file)")
    }

    @Test func missingServer() {
        #expect(error("no-server") == "kubeconfig \(file): context \"no-server\": cluster \"no-server\": server: not set")
    }

    @Test func malformedBase64NamesTheFieldButNotTheValue() {
        let message = error("bad-ca-data")
        #expect(message.hasPrefix("kubeconfig \(file): context \"bad-ca-data\": cluster \"bad-ca-data\": certificate-authority-data: not valid base64"))
        #expect(!message.contains("not base64 at all"))
        let key = error("bad-key-data")
        #expect(key.contains("user \"bad-key-data\": client-key-data: not valid base64"))
        #expect(!key.contains("fixture-secret"))
    }

    @Test func authProviderIsRejected() {
        let message = error("gcp")
        #expect(message.hasPrefix("kubeconfig \(file): context \"gcp\": user \"gcp\": auth-provider:"))
        #expect(message.contains("removed in kubectl 1.26"))
        #expect(message.contains("exec"))
        #expect(!message.contains("fixture-secret"))
    }

    @Test func certificateWithoutKey() {
        #expect(error("cert-no-key").contains("user \"cert-no-key\": client-key: client-certificate is set but client-key(-data) is not"))
    }

    @Test func unreadableKeyFileShowsWrittenAndResolvedPath() {
        let resolved = sandbox.path("errors/key.pem")
        #expect(error("missing-key-file") == "kubeconfig \(file): context \"missing-key-file\": user \"missing-key-file\": "
            + "client-key: file ./key.pem (resolved to \(resolved)) not readable: No such file or directory")
    }

    @Test func unreadableTokenFileIsAConfigurationError() throws {
        try FileManager.default.removeItem(atPath: sandbox.path("tokens/token"))
        let message = sandbox.configurationError("all-forms.yaml", context: "tokenfile")
        #expect(message == "kubeconfig \(sandbox.path("all-forms.yaml")): context \"tokenfile\": user \"tokenfile-user\": "
            + "tokenFile: file ./tokens/token (resolved to \(sandbox.path("tokens/token"))) not readable: No such file or directory")
    }

    @Test func clusterFieldConflictsAndBadProxy() throws {
        let file = try sandbox.write("inline.yaml", """
            clusters:
            - name: both
              cluster: {server: https://a.example.com, certificate-authority: certs/ca.pem, insecure-skip-tls-verify: true}
            - name: ftp
              cluster: {server: https://a.example.com, proxy-url: "ftp://user:hunter2@proxy"}
            - name: not-http
              cluster: {server: "ftp://a.example.com"}
            contexts:
            - {name: both, context: {cluster: both}}
            - {name: ftp, context: {cluster: ftp}}
            - {name: not-http, context: {cluster: not-http}}
            """)
        #expect(sandbox.configurationError("inline.yaml", context: "both")
            .hasPrefix("kubeconfig \(file): context \"both\": cluster \"both\": insecure-skip-tls-verify: cannot be combined"))
        let proxy = sandbox.configurationError("inline.yaml", context: "ftp")
        #expect(proxy.contains("proxy-url: ftp://<redacted>@proxy: scheme must be http, https or socks5"))
        #expect(!proxy.contains("hunter2"))
        #expect(sandbox.configurationError("inline.yaml", context: "not-http").contains("server: ftp://a.example.com is not an http(s) URL"))
    }

    @Test func execV1alpha1IsRejected() {
        let message = error("alpha")
        #expect(message.contains("user \"alpha\": exec: apiVersion: client.authentication.k8s.io/v1alpha1 is no longer supported"))
    }

    @Test func execInteractiveAlwaysIsRejected() {
        #expect(error("always").contains("exec: interactiveMode: Always: interactive credential plugins are not supported"))
    }

    @Test func execV1NeedsInteractiveMode() {
        #expect(error("v1-no-mode").contains("exec: interactiveMode: required for client.authentication.k8s.io/v1"))
    }

    @Test func twoAuthenticationMethods() {
        let message = error("two-methods")
        #expect(message.contains("more than one authentication method set (token, username/password)"))
        #expect(!message.contains("fixture-secret"))
    }

    @Test func unparsableYAMLGivesLineAndColumn() {
        let path = sandbox.path("errors/unparsable.yaml")
        let message = sandbox.configurationError("errors/unparsable.yaml", context: nil)
        #expect(message.hasPrefix("kubeconfig \(path): not valid YAML: line "))
        #expect(message.contains("column"))
    }

    @Test func explicitKubeconfigMustExist() {
        let message = sandbox.configurationError("does-not-exist.yaml", context: nil)
        #expect(message == "kubeconfig \(sandbox.path("does-not-exist.yaml")) (from --kubeconfig): No such file or directory")
    }

    @Test func nothingFoundSaysWhatWasTried() {
        let message = sandbox.configurationError(sandbox.selection())
        #expect(message.contains("no Kubernetes configuration found"))
        #expect(message.contains(sandbox.root + "/home/.kube/config"))
        #expect(message.contains("in-cluster (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set)"))
    }
}
