import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Logging
import Orchestrator
import Synchronization
import Testing

/// A sandbox with the project's CRDs, and helpers to run operators against it and wait for state.
struct Harness {
    let sandbox: Sandbox
    let api: RecordingAPI

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let defaultNodes = ["minikube", "node1", "node2", "node3"]

    static func make(nodes: [String] = defaultNodes, speed: Double = 100) async throws -> Harness {
        let sandbox = Sandbox(options: SandboxOptions(speed: speed, nodes: NodeSpec.named(nodes)))
        try await sandbox.start()
        try sandbox.apply(manifestsAt: root + "/deploy/crds")
        return Harness(sandbox: sandbox, api: RecordingAPI(sandbox.client))
    }

    func apply(example name: String) throws { try sandbox.apply(manifestsAt: Harness.root + "/examples/" + name) }

    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        // OPERATOR_TEST_LOG=debug|info|warning… shows the operator's logs.
        logger.logLevel = ProcessInfo.processInfo.environment["OPERATOR_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    /// Fast election timings so takeovers happen within seconds of real time.
    static func fastElection(identity: String) -> OperatorConfiguration {
        var configuration = OperatorConfiguration(namespace: "default", identity: identity)
        configuration.leaderElection?.leaseDuration = .milliseconds(3000)
        configuration.leaderElection?.renewDeadline = .milliseconds(2000)
        configuration.leaderElection?.retryPeriod = .milliseconds(300)
        configuration.stopGracePeriod = .seconds(2)
        return configuration
    }

    /// Starts an operator (no election unless `configuration` has one) on a task the caller cancels.
    func startOperator(api: (any KubeAPI)? = nil, configuration: OperatorConfiguration? = nil) throws -> RunningOperator {
        var config = configuration ?? OperatorConfiguration(namespace: "default", identity: "test", leaderElection: false)
        config.stopGracePeriod = .seconds(2)
        let op = try Operator(api: api ?? self.api, configuration: config, logger: Harness.logger("operator.\(config.identity)"))
        return RunningOperator(op: op, task: Task { await op.run() })
    }

    func stop() async { await sandbox.stop() }

    // MARK: - Reads

    func get(_ resource: Resource, _ name: String) async throws -> JSONValue {
        try await sandbox.client.get(resource, namespace: resource.namespaced ? "default" : nil, name: name)
    }

    func flow(_ name: String) async throws -> JSONValue { try await get(CustomResources.jobFlows, name) }
    func daemonJob(_ name: String) async throws -> JSONValue { try await get(CustomResources.daemonJobs, name) }

    func jobs(selector: String? = nil) async throws -> [JSONValue] {
        try await sandbox.client.list(.jobs, namespace: "default", options: ListOptions(labelSelector: selector)).items
    }
    func pods(selector: String? = nil) async throws -> [JSONValue] {
        try await sandbox.client.list(.pods, namespace: "default", options: ListOptions(labelSelector: selector)).items
    }

    /// Polls `condition` every 20 ms until it holds; fails the test after `timeout` (generous: only a bound).
    func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what)")
        throw HarnessError.timeout(what)
    }

    func waitForState(flow name: String, _ state: String, timeout: Duration = .seconds(60)) async throws -> JSONValue {
        var last: JSONValue = .null
        try await waitFor("\(name) state \(state)", timeout: timeout) {
            last = try await flow(name)
            return last[path: "status.state"]?.stringValue == state
        }
        return last
    }

    func waitForState(daemonJob name: String, _ state: String, timeout: Duration = .seconds(60)) async throws -> JSONValue {
        var last: JSONValue = .null
        try await waitFor("\(name) state \(state)", timeout: timeout) {
            last = try await daemonJob(name)
            return last[path: "status.state"]?.stringValue == state
        }
        return last
    }
}

enum HarnessError: Error { case timeout(String) }

/// An operator and the task running it.
struct RunningOperator {
    let op: Operator
    let task: Task<Void, Never>
    func stop() async {
        task.cancel()
        await task.value
    }
}

/// Entry status by name from a status object.
func entries(_ object: JSONValue) -> [String: JSONValue] {
    Dictionary((object[path: "status.jobs"]?.arrayValue ?? []).compactMap { e in e["name"]?.stringValue.map { ($0, e) } },
               uniquingKeysWith: { a, _ in a })
}

/// Whether a Job succeeded: `Complete`, or `SuccessCriteriaMet` (set first; success is decided then).
func isComplete(_ job: JSONValue) -> Bool {
    (job[path: "status.conditions"]?.arrayValue ?? []).contains {
        ["Complete", "SuccessCriteriaMet"].contains($0["type"]?.stringValue ?? "") && $0["status"]?.stringValue == "True"
    }
}

/// A `KubeAPI` wrapper that records every Job create: which Jobs of the namespace were Complete at
/// that moment (to check dependency order) and which creates succeeded (to check for duplicates).
final class RecordingAPI: KubeAPI, Sendable {
    struct Create: Sendable {
        var name: String
        var completeBefore: Set<String>
        var succeeded: Bool
    }
    let base: any KubeAPI
    let creates = Mutex<[Create]>([])
    /// Every write in order: `verb plural/name[/subresource] ok|failed`.
    let writes = Mutex<[String]>([])
    /// The next this-many status writes fail with 409 Conflict (fault injection).
    let failStatusWrites = Mutex(0)
    /// While true, every Lease write fails with 503 (a partitioned replica).
    let failLeaseWrites = Mutex(false)

    private func logged<T>(_ verb: String, _ resource: Resource, _ name: String, _ subresource: String?,
                           _ body: () async throws -> T) async throws -> T {
        let what = "\(verb) \(resource.plural)/\(name)\(subresource.map { "/" + $0 } ?? "")"
        do {
            let result = try await body()
            writes.withLock { $0.append(what + " ok") }
            return result
        } catch {
            writes.withLock { $0.append(what + " failed") }
            throw error
        }
    }

    init(_ base: any KubeAPI) { self.base = base }

    /// Names of Jobs created successfully more than once.
    var duplicates: [String] {
        var counts: [String: Int] = [:]
        for c in creates.withLock({ $0 }) where c.succeeded { counts[c.name, default: 0] += 1 }
        return counts.filter { $0.value > 1 }.map(\.key).sorted()
    }

    func successfulCreates() -> [Create] { creates.withLock { $0 }.filter(\.succeeded) }

    func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
        try await base.get(resource, namespace: namespace, name: name, subresource: subresource)
    }
    func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try await base.list(resource, namespace: namespace, options: options)
    }
    func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        try await base.watch(resource, namespace: namespace, options: options)
    }
    func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
        guard resource == .jobs else { return try await base.create(resource, namespace: namespace, object: object, options: options) }
        return try await logged("create", resource, object[path: "metadata.name"]?.stringValue ?? "", nil) {
            try await createJob(namespace: namespace, object: object, options: options)
        }
    }

    private func createJob(namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
        let resource = Resource.jobs
        let complete = Set(try await base.list(.jobs, namespace: namespace, options: ListOptions()).items.filter(isComplete)
            .compactMap { $0[path: "metadata.name"]?.stringValue })
        let name = object[path: "metadata.name"]?.stringValue ?? ""
        do {
            let created = try await base.create(resource, namespace: namespace, object: object, options: options)
            creates.withLock { $0.append(Create(name: name, completeBefore: complete, succeeded: true)) }
            return created
        } catch {
            creates.withLock { $0.append(Create(name: name, completeBefore: complete, succeeded: false)) }
            throw error
        }
    }
    func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        try await logged("update", resource, object[path: "metadata.name"]?.stringValue ?? "", subresource) {
            if resource == .leases, failLeaseWrites.withLock({ $0 }) {
                throw KubeError.api(APIError(code: 503, reason: "ServiceUnavailable", message: "injected partition"))
            }
            if subresource == "status", failStatusWrites.withLock({ n in n > 0 ? { n -= 1; return true }() : false }) {
                throw KubeError.api(APIError(code: 409, reason: "Conflict", message: "injected conflict"))
            }
            return try await base.update(resource, namespace: namespace, object: object, subresource: subresource, options: options)
        }
    }
    func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue {
        try await logged("patch", resource, name, subresource) {
            try await base.patch(resource, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options)
        }
    }
    func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        try await logged("delete", resource, name, nil) {
            try await base.delete(resource, namespace: namespace, name: name, options: options)
        }
    }
}
