import Foundation
import Testing
@testable import KubeSandbox

/// Not a test: serves a sandbox for manual poking when SANDBOX_DEBUG_SERVE=<kubeconfig path>.
@Suite struct ServeForDebugging {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SANDBOX_DEBUG_SERVE"] != nil))
    func serve() async throws {
        let sandbox = Sandbox()
        try await sandbox.start()
        try sandbox.writeKubeconfig(to: ProcessInfo.processInfo.environment["SANDBOX_DEBUG_SERVE"]!)
        try await Task.sleep(for: .seconds(Double(ProcessInfo.processInfo.environment["SANDBOX_DEBUG_SECONDS"] ?? "600") ?? 600))
        await sandbox.stop()
    }
}
