import Foundation
import Testing
@testable import Kube

@Suite("ConfigLoader: KUBECONFIG merging and the home file")
struct ConfigMergeTests {
    let sandbox: FixtureSandbox
    init() throws { sandbox = try FixtureSandbox() }

    var kubeconfigVariable: String {
        [sandbox.path("merge/first.yaml"), sandbox.path("merge/missing.yaml"), sandbox.path("merge/sub/second.yaml"),
         sandbox.path("merge/first.yaml"), ""].joined(separator: ":")
    }

    func load(context: String? = nil) throws -> ClientConfiguration {
        try ConfigLoader.load(sandbox.selection(context: context, environment: ["KUBECONFIG": kubeconfigVariable]))
    }

    @Test func firstFileWinsForEachNameAndCurrentContext() throws {
        let config = try load()
        #expect(config.contextName == "shared")
        #expect(config.namespace == "from-first")
        #expect(config.server == "https://first.example.com")
        #expect(config.credentials == .token("first-token"))
        #expect(config.source == "kubeconfig \(sandbox.path("merge/first.yaml")):\(sandbox.path("merge/sub/second.yaml"))")
    }

    @Test func entriesMergeWholeNotFieldByField() throws {
        // only-second (from the second file) points at cluster "shared", which the first file defines
        // without tls-server-name: the second file's tls-server-name must not leak in.
        let config = try load(context: "only-second")
        #expect(config.server == "https://first.example.com")
        #expect(config.tls.serverName == nil)
        // Its user comes from the second file, and its relative tokenFile resolves against that file's directory.
        #expect(config.credentials == .tokenFile(path: sandbox.path("merge/sub/token")))
    }

    @Test func currentContextComesFromTheFirstFileThatSetsIt() throws {
        let noContext = try sandbox.write("merge/no-current.yaml", "clusters:\n- name: x\n  cluster: {server: https://x.example.com}\n")
        let variable = noContext + ":" + sandbox.path("merge/sub/second.yaml") + ":" + sandbox.path("merge/first.yaml")
        let config = try ConfigLoader.load(sandbox.selection(environment: ["KUBECONFIG": variable]))
        #expect(config.contextName == "only-second")
        // "shared" is defined by second.yaml before first.yaml.
        #expect(config.server == "https://second.example.com")
        #expect(config.tls.serverName == "second-only-field")
    }

    @Test func unparsableFileInKUBECONFIGIsAnError() {
        let variable = sandbox.path("merge/first.yaml") + ":" + sandbox.path("errors/unparsable.yaml")
        let message = sandbox.configurationError(sandbox.selection(environment: ["KUBECONFIG": variable]))
        #expect(message.hasPrefix("kubeconfig \(sandbox.path("errors/unparsable.yaml")): not valid YAML"))
    }

    @Test func homeKubeconfigIsUsedWithoutKUBECONFIG() throws {
        let text = try String(contentsOfFile: sandbox.path("merge/first.yaml"), encoding: .utf8)
        try FileManager.default.createDirectory(atPath: sandbox.root + "/home/.kube", withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: sandbox.root + "/home/.kube/config"))
        let config = try ConfigLoader.load(sandbox.selection())
        #expect(config.server == "https://first.example.com")
        #expect(config.source == "kubeconfig \(sandbox.root)/home/.kube/config")
    }

    @Test func kubeconfigFlagIgnoresKUBECONFIG() throws {
        var selection = sandbox.selection(kubeconfig: "merge/sub/second.yaml", environment: ["KUBECONFIG": kubeconfigVariable])
        selection.context = "shared"
        let config = try ConfigLoader.load(selection)
        #expect(config.namespace == "from-second")
        #expect(config.server == "https://second-cluster.example.com")
    }

    @Test func emptyKUBECONFIGEntriesAndOnlyMissingFilesFallThrough() {
        let selection = sandbox.selection(environment: ["KUBECONFIG": sandbox.path("nope.yaml")])
        let message = sandbox.configurationError(selection)
        #expect(message.contains("KUBECONFIG=\(sandbox.path("nope.yaml")) (no file exists)"))
    }
}

@Suite("ConfigLoader: in-cluster")
struct InClusterTests {
    let sandbox: FixtureSandbox
    let directory: String
    init() throws {
        sandbox = try FixtureSandbox()
        directory = sandbox.root + "/serviceaccount"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("  sa-token-1\n".utf8).write(to: URL(fileURLWithPath: directory + "/token"))
        try Data("-----BEGIN CERTIFICATE-----\nSU4tQ0xVU1RFUg==\n-----END CERTIFICATE-----\n".utf8)
            .write(to: URL(fileURLWithPath: directory + "/ca.crt"))
        try Data("jobs\n".utf8).write(to: URL(fileURLWithPath: directory + "/namespace"))
    }

    let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    @Test func readsEnvironmentTokenCAAndNamespace() throws {
        let config = try ConfigLoader.inCluster(environment: env, serviceAccountDirectory: directory)
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "jobs")
        #expect(config.contextName == nil)
        #expect(config.source == "in-cluster")
        #expect(config.credentials == .serviceAccount(tokenPath: directory + "/token"))
        #expect(config.tls.caPEM.map { String(decoding: $0, as: UTF8.self) }?.contains("SU4tQ0xVU1RFUg==") == true)
    }

    @Test func podNamespaceWinsAndIPv6IsBracketed() throws {
        let config = try ConfigLoader.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443", "POD_NAMESPACE": "from-env"],
            serviceAccountDirectory: directory)
        #expect(config.server == "https://[fd00::1]:6443")
        #expect(config.namespace == "from-env")
    }

    @Test func namespaceDefaultsWithoutFile() throws {
        try FileManager.default.removeItem(atPath: directory + "/namespace")
        #expect(try ConfigLoader.inCluster(environment: env, serviceAccountDirectory: directory).namespace == "default")
    }

    @Test func loadFallsBackToInClusterWhenNoKubeconfigExists() throws {
        var selection = sandbox.selection(namespace: "override", environment: env)
        selection.serviceAccountDirectory = directory
        let config = try ConfigLoader.load(selection)
        #expect(config.source == "in-cluster")
        #expect(config.namespace == "override")
    }

    @Test func emptyKubeconfigFallsBackToInCluster() throws {
        let empty = try sandbox.write("empty.yaml", "# nothing here\n")
        var selection = sandbox.selection(environment: env.merging(["KUBECONFIG": empty]) { $1 })
        selection.serviceAccountDirectory = directory
        #expect(try ConfigLoader.load(selection).source == "in-cluster")
    }

    @Test func contextFlagDisablesInClusterFallback() {
        var selection = sandbox.selection(context: "x", environment: env)
        selection.serviceAccountDirectory = directory
        #expect(sandbox.configurationError(selection).contains("in-cluster (not used with --context)"))
    }

    @Test func missingEnvironmentOrTokenIsAnError() throws {
        do {
            _ = try ConfigLoader.inCluster(environment: [:], serviceAccountDirectory: directory)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set"))
        }
        try FileManager.default.removeItem(atPath: directory + "/token")
        do {
            _ = try ConfigLoader.inCluster(environment: env, serviceAccountDirectory: directory)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "in-cluster: service account token \(directory)/token not readable: No such file or directory")
        }
    }
}
