import Foundation
import Kube
import Logging
import Testing
@testable import KubeSandbox

/// A control plane over the in-memory API, run while a test body runs.
struct ControlPlaneHarness {
    let api = FakeKubeAPI()
    let logs = PodLogStore()
    let plane: ControlPlane

    init(nodes: [NodeSpec] = NodeSpec.numbered(2), clock: any Clock<Duration> = InstantClock()) {
        plane = ControlPlane(api: api, podLogs: logs, nodes: nodes, speed: 100, clock: clock,
                             now: nil, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Runs the control plane while `body` runs, then stops it.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let task = Task { await plane.run() }
        defer { task.cancel() }
        return try await body()
    }

    /// Yields until `predicate` holds for the API's state; a bounded number of rounds, no clock.
    func eventually(_ what: String, _ predicate: @Sendable (FakeKubeAPI) async -> Bool) async -> Bool {
        for _ in 0..<1_000_000 {
            if await predicate(api) { return true }
            await Task.yield()
        }
        Issue.record("never happened: \(what)")
        return false
    }
}
