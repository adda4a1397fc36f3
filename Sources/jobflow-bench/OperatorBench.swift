import Foundation
import Kube
import KubeSandbox
import Logging
import Orchestrator

/// The operator at scale: the sandbox (with its simulated control plane, pods that finish at once)
/// in this process, the operator in a child process talking to it over loopback HTTP through the
/// real libcurl client, so the child's RSS is the operator's alone and the sandbox's audit log holds
/// exactly the operator's requests (the control plane uses the in-process client, never audited).
///
/// Workload: `BENCH_FLOWS` (1,000) JobFlows of 10 entries each (a DAG four levels deep with fan-out
/// and fan-in), created at once. Measured: reaction latency by the operator's own clock (a Job seen
/// finishing → the dependent's create returning), Jobs per second from the first flow created to
/// the last flow Succeed, API writes per Job and GETs from the audit log, and the operator's RSS
/// once everything has finished (every Job and pod still cached).
enum OperatorBench {
    /// The ten entries: name → dependencies.
    static let shape: [(String, [String])] = [
        ("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["a"]), ("e", ["b"]),
        ("f", ["c", "d"]), ("g", ["e", "f"]), ("h", ["g"]), ("i", ["g"]), ("j", ["h", "i"]),
    ]

    static func flow(_ name: String) -> JSONValue {
        let entries: [JSONValue] = shape.map { entry, dependencies in
            let container: JSONValue = ["name": "main", "image": "busybox:1.36", "command": ["true"]]
            return ["name": .string(entry), "dependencies": .array(dependencies.map { .string($0) }),
                    "jobTemplate": ["template": ["spec": ["containers": [container]]]]]
        }
        return ["apiVersion": "api.practice.com/v1alpha1", "kind": "JobFlow",
                "metadata": ["name": .string(name), "namespace": "default"],
                "spec": ["flows": .array(entries)]]
    }

    static func run() async throws -> [Result] {
        let env = ProcessInfo.processInfo.environment
        let flows = Int(env["BENCH_FLOWS"] ?? "") ?? 1000
        let qps = env["BENCH_QPS"] ?? "500", burst = env["BENCH_BURST"] ?? "1000", workers = env["BENCH_WORKERS"] ?? "4"
        let sandbox = Sandbox(options: SandboxOptions(speed: 1000, nodes: NodeSpec.numbered(8), auditCapacity: 1_000_000))
        let url = try await sandbox.start()
        defer { Task { await sandbox.stop() } }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        try sandbox.apply(manifestsAt: root + "/deploy/crds")

        let child = try OperatorChild(arguments: ["_operator", url.absoluteString, qps, burst, workers])
        guard child.readLine() == "ready" else { throw BenchError("the operator child did not start") }
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for i in stride(from: writer, to: flows, by: 8) {
                        _ = try await sandbox.client.create(CustomResources.jobFlows, namespace: "default", object: flow("flow-\(i)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        var done = 0
        while done < flows {
            try await Task.sleep(for: .milliseconds(50))
            let list = try await sandbox.client.list(CustomResources.jobFlows, namespace: "default")
            done = list.items.count { $0[path: "status.state"]?.stringValue == "Succeed" }
            if clock.now - start > .seconds(600) { throw BenchError("only \(done)/\(flows) flows finished in 10 minutes") }
        }
        let elapsed = clock.now - start
        let jobs = flows * shape.count
        let during = sandbox.audit.all
        // Steady state: nothing changes for five seconds; the operator should only keep its watches.
        sandbox.audit.reset()
        try await Task.sleep(for: .seconds(5))
        let steady = sandbox.audit.all.filter { $0.verb != "watch" }
        child.write("report\n")
        guard let line = child.readLine(), let report = try? JSONParser.parse(line) else {
            throw BenchError("no report from the operator child")
        }
        child.wait()

        func route(_ e: AuditLog.Entry) -> String {
            let path = e.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? e.path
            return path.replacingOccurrences(of: "flow-[0-9]+[-a-z]*", with: "NAME", options: .regularExpression)
        }
        if env["BENCH_VERBOSE"] != nil {
            for (label, entries) in [("run", during), ("idle", steady)] {
                let counts = Dictionary(grouping: entries) { "\($0.verb) \(route($0)) \($0.code)" }.mapValues(\.count)
                for (key, n) in counts.sorted(by: { $0.value > $1.value }).prefix(15) { print("  \(label): \(n) × \(key)") }
            }
        }
        let writes = during.filter(\.isWrite)
        let jobCreates = writes.count { $0.verb == "create" && route($0).hasSuffix("/jobs") }
        let statusWrites = writes.count { route($0).hasSuffix("/status") }
        let eventWrites = writes.count { $0.path.contains("/events") }
        let gets = during.count { $0.verb == "get" }
        let perJob = Double(jobCreates + statusWrites) / Double(jobs)
        let allPerJob = Double(writes.count) / Double(jobs)
        let rate = Double(jobs) / elapsed.seconds
        let p50 = report["p50"]?.doubleValue ?? .infinity, p99 = report["p99"]?.doubleValue ?? .infinity
        let samples = Int(report["samples"]?.intValue ?? 0)
        let rss = Int(report["rss"]?.intValue ?? 0)
        print("operator: \(flows) flows × 10 in \(String(format: "%.2f", elapsed.seconds)) s = \(Int(rate)) Jobs/s; "
              + "reaction p50 \(String(format: "%.2f", p50)) ms p99 \(String(format: "%.2f", p99)) ms (\(samples) samples); "
              + "writes: \(jobCreates) Job creates, \(statusWrites) status, \(eventWrites) events, \(writes.count) total; "
              + "GETs during \(gets), steady-state non-watch requests \(steady.count); RSS \(rss / 1_048_576) MiB; "
              + "reconciles \(report["reconciles"]?.intValue ?? 0)")
        let workload = "\(flows) JobFlows × 10 Jobs (4-level DAG), created at once; instant pods; 8 nodes; "
            + "operator in a child process over libcurl (QPS \(qps)/burst \(burst), \(workers) workers)"
        return [
            Result(name: "operator reaction latency", workload: workload,
                   value: String(format: "p50 %.2f ms, p99 %.2f ms (%d samples)", p50, p99, samples),
                   target: "p50 ≤ 5 ms, p99 ≤ 20 ms", pass: p50 <= 5 && p99 <= 20),
            Result(name: "operator throughput", workload: workload,
                   value: "\(Int(rate)) Jobs/s (\(jobs) Jobs in \(String(format: "%.1f", elapsed.seconds)) s)",
                   target: "≥ 200 Jobs/s", pass: rate >= 200),
            Result(name: "operator API cost", workload: workload,
                   value: String(format: "%.2f writes/Job (creates + status); %.2f with %d Events; %d GETs in the run, %d non-watch requests in 5 s idle",
                                 perJob, allPerJob, eventWrites, gets, steady.count),
                   target: "≤ 1.5 writes/Job, no GETs in steady state", pass: perJob <= 1.5 && steady.isEmpty),
            Result(name: "operator memory", workload: workload + "; RSS after every flow finished",
                   value: "\(rss / 1_048_576) MiB RSS with \(jobs) Jobs and \(jobs) pods cached",
                   target: "≤ 60 MB", pass: rss <= 60_000_000),
        ]
    }

    /// The child: an operator against `url` (no leader election, every namespace). Prints `ready`
    /// once its caches have synced; on `report` prints one JSON line and exits.
    static func child(arguments: [String]) async {
        guard arguments.count == 4, let qps = Double(arguments[1]), let burst = Int(arguments[2]), let workers = Int(arguments[3]) else {
            FileHandle.standardError.write(Data("usage: _operator URL QPS BURST WORKERS\n".utf8))
            exit(2)
        }
        do {
            let transport = try CurlTransport(options: TransportOptions(maxConcurrentTransfers: 64, userAgent: "jobflow-operator-bench"))
            let client = KubeClient(server: arguments[0], transport: transport,
                                    pacing: ClientRateLimiter(qps: qps, burst: burst))
            var configuration = OperatorConfiguration(namespace: nil, identity: "bench", leaderElection: false)
            configuration.workers = workers
            var logger = Logger(label: "bench.operator")
            logger.logLevel = .error
            let op = try Operator(api: client, configuration: configuration, logger: logger)
            let task = Task { await op.run() }
            while !op.status.cachesSynced { try await Task.sleep(for: .milliseconds(20)) }
            emit("ready")
            while let line = Swift.readLine(), line != "report" {}
            let latency = op.reactionLatency
            func ms(_ d: Duration?) -> Double { (d ?? .zero).seconds * 1000 }
            let report: JSONValue = ["p50": .double(ms(latency.p50)), "p99": .double(ms(latency.p99)),
                                     "max": .double(ms(latency.maximum)), "samples": .double(Double(latency.count)),
                                     "rss": .double(Double(Measure.residentBytes())),
                                     "reconciles": .double(Double(op.status.reconciles))]
            emit(report.serializedString())
            task.cancel()
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("operator child: \(error)\n".utf8))
            exit(1)
        }
    }
}

/// One line to stdout, unbuffered (the parent waits for it on a pipe).
private func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A child `jobflow-bench` with pipes on stdin and stdout.
final class OperatorChild: @unchecked Sendable {
    // Used from one task at a time by the benchmark.
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer: [UInt8] = []

    init(arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    /// The next line of the child's output (nil at its end).
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { return nil }
            buffer.append(contentsOf: data)
        }
    }

    func write(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }
    func wait() { process.waitUntilExit() }
}
