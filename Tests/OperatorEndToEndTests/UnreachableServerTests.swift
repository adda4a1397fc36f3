import JobFlowAPI
import Foundation
import Kube
import Orchestrator
import Testing

/// A server that answers every request with 503.
struct UnavailableAPI: KubeAPI {
    static let error = KubeError.api(APIError(code: 503, reason: "ServiceUnavailable", message: "down"))
    func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue { throw Self.error }
    func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList { throw Self.error }
    func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream { throw Self.error }
    func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue { throw Self.error }
    func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue { throw Self.error }
    func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue { throw Self.error }
    func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? { throw Self.error }
}

@Suite("Operator against an unreachable server")
struct UnreachableServerTests {
    @Test("the status names the failing informers, nothing reconciles, and a stop still returns")
    func watchProblems() async throws {
        let op = try Operator(api: UnavailableAPI(), configuration: OperatorConfiguration(namespace: "default", identity: "x", leaderElection: true),
                              logger: Harness.logger("unreachable"))
        let task = Task { await op.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while op.status.watchProblems.count < 8, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let status = op.status
        #expect(Set(status.watchProblems.map(\.informer)).isSuperset(of: ["jobflows", "jobs[jobflow]", "nodes"]))
        #expect(status.watchProblems.allSatisfy { $0.error.contains("ServiceUnavailable") || $0.error.contains("503") })
        #expect(!status.cachesSynced)
        #expect(!status.isLeading)
        #expect(status.reconciles == 0)
        task.cancel()
        await task.value
    }
}
