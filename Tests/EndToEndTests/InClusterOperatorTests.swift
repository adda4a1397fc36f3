import Foundation
import Kube
import Testing

/// The operator binary configured "in a pod": KUBERNETES_SERVICE_HOST/PORT, a service-account
/// directory (token, ca.crt, namespace) moved by JOBFLOW_SERVICE_ACCOUNT_DIR, and https with the
/// CA, through a TLS proxy in front of the sandbox that checks the bearer token.
@Suite("operator with in-cluster configuration (binary, TLS proxy, sandbox)", .serialized)
struct InClusterOperatorTests {
    @Test("reconciles over https with the service-account token; keeps working after the token rotates; Lease in the pod's namespace")
    func inClusterWithTokenRotation() async throws {
        let sandbox = try SandboxProcess(arguments: ["--speed", "100"])
        defer { _ = sandbox.stop() }
        let client = try kubeClient(kubeconfig: sandbox.kubeconfig)
        let sandboxPort = try #require(URL(string: client.server)?.port)
        let podNamespace = "jobflow-system"
        _ = try await client.create(Resource(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false),
                                    namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(podNamespace)]])

        let firstToken = "first-\(UUID().uuidString)", secondToken = "second-\(UUID().uuidString)"
        let proxy = try TLSProxy(upstreamPort: sandboxPort, token: firstToken)
        defer { proxy.stop() }
        let accountDir = proxy.directory + "/serviceaccount"
        try FileManager.default.createDirectory(atPath: accountDir, withIntermediateDirectories: true)
        try firstToken.write(toFile: accountDir + "/token", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: proxy.caPath, toPath: accountDir + "/ca.crt")
        try podNamespace.write(toFile: accountDir + "/namespace", atomically: true, encoding: .utf8)

        // Nothing but the pod's environment: no KUBECONFIG, a HOME without ~/.kube.
        let probePort = try freeLocalPort()
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": proxy.directory,
                           "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(proxy.port),
                           "JOBFLOW_SERVICE_ACCOUNT_DIR": accountDir]
        let op = try OperatorProcess(arguments: ["--identity", "in-cluster-e2e", "--log-format", "json",
                                                 "--health-probe-bind-address", "127.0.0.1:\(probePort)"],
                                     environment: environment)
        defer { op.removeFiles() }

        let ready = await HTTPProbe.poll("http://127.0.0.1:\(probePort)/readyz") { $0.status == 200 }
        #expect(ready?.status == 200, "readyz: \(String(describing: ready)); log: \(op.log)")
        #expect(op.log.contains("\"server\":\"https://127.0.0.1:\(proxy.port)\""), "\(op.log)")

        try await createExample("jobflow-example.yaml", client: client)
        #expect(await waitForFlowState("jobflow-example", state: "Succeed", client: client) == "Succeed", "\(op.log)")

        // The Lease lives in the namespace of the service account (the operator watches all namespaces).
        let lease = try await client.get(Resource(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true),
                                         namespace: podNamespace, name: "jobflow-operator")
        #expect(lease[path: "spec.holderIdentity"]?.stringValue == "in-cluster-e2e")

        // Rotate as the kubelet does: the file first, then the API server stops accepting the old token.
        try secondToken.write(toFile: accountDir + "/token", atomically: true, encoding: .utf8)
        try proxy.accept(secondToken)
        try await createExample("jobflow-example.yaml", client: client, rename: "after-rotation")
        #expect(await waitForFlowState("after-rotation", state: "Succeed", client: client) == "Succeed", "\(op.log)")

        let stats = try #require(await HTTPProbe.get("https://127.0.0.1:\(proxy.port)/__proxy/stats", caPath: proxy.caPath))
        let counters = try #require(try JSONSerialization.jsonObject(with: Data(stats.body.utf8)) as? [String: Any])
        let tokens = counters["tokens"] as? [String: Int] ?? [:]
        #expect((counters["unauthorized"] as? Int ?? 0) > 0, "the old token was refused at least once: \(counters)")
        #expect((tokens[String(secondToken.prefix(12))] ?? 0) > 0, "the new token was used: \(counters)")
        #expect(await HTTPProbe.get("http://127.0.0.1:\(probePort)/readyz")?.status == 200)

        #expect(op.stop() == 0)
        let log = op.log
        #expect(!log.contains(firstToken) && !log.contains(secondToken), "tokens never appear in logs")
        #expect(!log.contains("\"level\":\"error\""), "\(log)")
    }
}
