import Foundation
import Kube
import Testing
@testable import KubeSandbox

@Suite struct FaultInjectionTests {
    @Test func decisionsRepeatForTheSameSeed() {
        let config = FaultInjection(seed: 42, errorRates: ["*": 0.5], conflictRate: 0.5)
        func run() -> [Int] {
            let injector = FaultInjector(config)
            return (0..<50).map { i in injector.decide(verb: i % 2 == 0 ? "get" : "patch", resource: "pods", name: "p").error?.code ?? 0 }
        }
        let first = run()
        #expect(first == run())
        #expect(first.contains(0) && first.contains { $0 != 0 })
    }

    @Test func tooManyRequestsCarriesRetryAfter() {
        let e = FaultInjector.error(code: 429, retryAfter: 3)
        #expect(e.retryAfter == 3)
        #expect(e.details?["retryAfterSeconds"] == 3)
    }

    @Test(.enabled(if: Kubectl.path != nil, "kubectl is not installed"))
    func kubectlSeesInjectedErrors() async throws {
        let sandbox = Sandbox(options: SandboxOptions(faults: FaultInjection(seed: 7, errorRates: ["list": 1], errorCodes: [500]), runsControlPlane: false))
        try await sandbox.start()
        defer { Task { await sandbox.stop() } }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let kubeconfig = dir.appendingPathComponent("kubeconfig").path
        try sandbox.writeKubeconfig(to: kubeconfig)
        let r = try await Kubectl.run(Kubectl.path!, ["get", "configmaps"], kubeconfig: kubeconfig, cacheDir: dir.appendingPathComponent("cache").path)
        #expect(r.err == "Error from server (InternalError): Internal error occurred: injected fault\n", "\(r.err)")
        // The in-process client is not affected.
        #expect(try await sandbox.client.list(.configMaps, namespace: "default").items.isEmpty)
    }
}
