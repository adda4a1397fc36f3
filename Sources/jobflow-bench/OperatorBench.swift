import CHeapStats
import JobFlowAPI
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
/// once everything has finished (every Job and pod still cached). Environment: BENCH_FLOWS,
/// BENCH_OPERATOR_ONLY=instant|paced, BENCH_QPS, BENCH_BURST, BENCH_WORKERS, BENCH_POD_SECONDS=MIN-MAX,
/// BENCH_STATUS_BATCH_MS, and the A/B switches BENCH_PRIORITY=0 and BENCH_SKIP=0.
enum OperatorBench {
    /// Reconcile workers unless `BENCH_WORKERS` says otherwise: the operator's own default, so
    /// the numbers are those of `jobflow-tui operator` as shipped.
    static let defaultWorkers = String(OperatorConfiguration.defaultWorkers)

    /// The ten entries: name → dependencies.
    static let shape: [(String, [String])] = [
        ("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["a"]), ("e", ["b"]),
        ("f", ["c", "d"]), ("g", ["e", "f"]), ("h", ["g"]), ("i", ["g"]), ("j", ["h", "i"]),
    ]

    /// A flow of the ten entries; `command(entry)` is each container's command.
    static func flow(_ name: String, command: (String) -> [String]) -> JSONValue {
        let entries: [JSONValue] = shape.map { entry, dependencies in
            let container: JSONValue = ["name": "main", "image": "busybox:1.36", "command": .array(command(entry).map { .string($0) })]
            return ["name": .string(entry), "dependencies": .array(dependencies.map { .string($0) }),
                    "jobTemplate": ["template": ["spec": ["containers": [container]]]]]
        }
        return ["apiVersion": .string(APIGroup.apiVersion), "kind": .string(CustomKind.jobFlow.rawValue),
                "metadata": ["name": .string(name), "namespace": "default"],
                "spec": ["flows": .array(entries)]]
    }

    /// Pod run time of the paced workload, as `sleep`'s operand: `BENCH_POD_SECONDS` = "MIN-MAX"
    /// (default 5–20), spread over flows and entries deterministically, in milliseconds. Pods in
    /// whole seconds (`BENCH_POD_WHOLE_SECONDS=1`, the workload before 2026-12-02 evening) make the
    /// ~60 first-level Jobs that share a duration finish in the same instant, every second.
    static func pacedSeconds(_ flow: Int, _ entry: String) -> String {
        let env = ProcessInfo.processInfo.environment
        let range = (env["BENCH_POD_SECONDS"] ?? "5-20").split(separator: "-").compactMap { Int($0) }
        let low = range.first ?? 5, high = max(low, range.last ?? 20)
        let spread = flow &* 31 &+ Int(entry.unicodeScalars.first!.value) &* 7
        if env["BENCH_POD_WHOLE_SECONDS"] == "1" { return String(low + spread % (high - low + 1)) }
        let ms = low * 1000 + (spread &* 7_919) % ((high - low) * 1000 + 1)
        return String(format: "%d.%03d", ms / 1000, ms % 1000)
    }

    /// What one run measured.
    struct Outcome {
        var flows: Int
        var elapsed: Duration
        var during: [AuditLog.Entry]
        var idle: [AuditLog.Entry]
        var report: JSONValue
        var jobs: Int { flows * OperatorBench.shape.count }
        var jobsPerSecond: Double { Double(jobs) / elapsed.seconds }
        func ms(_ key: String) -> Double { report[key]?.doubleValue ?? .infinity }
        func int(_ key: String) -> Int { Int(report[key]?.intValue ?? 0) }
        var writes: [AuditLog.Entry] { during.filter(\.isWrite) }
        var jobCreates: Int { writes.count { $0.verb == "create" && OperatorBench.route($0).hasSuffix("/jobs") } }
        var statusWrites: Int { writes.count { OperatorBench.route($0).hasSuffix("/status") } }
        var eventWrites: Int { writes.count { OperatorBench.route($0).contains("/events") } }
        var reads: Int { during.count { $0.verb == "get" || $0.verb == "list" } }
        var idleReads: Int { idle.count { $0.verb == "get" || $0.verb == "list" } }
        var writesPerJob: Double { Double(jobCreates + statusWrites) / Double(jobs) }
        var summary: String {
            String(format: "%d flows × 10 in %.1f s = %.0f Jobs/s; reaction p50 %.2f ms p99 %.2f ms max %.0f ms (%d samples); ",
                   flows, elapsed.seconds, jobsPerSecond, ms("p50"), ms("p99"), ms("max"), int("samples"))
                + "writes \(jobCreates) Job creates + \(statusWrites) status + \(eventWrites) events = \(writes.count); "
                + "reads during \(reads) (list+watch at start), idle 5 s: \(idleReads) reads, \(idle.count { $0.isWrite }) writes; "
                + String(format: "RSS %.1f MiB = %.1f MB ", Double(int("rss")) / 1_048_576, Double(int("rss")) / 1e6)
                + "(\(int("untrimmedRSS") / 1_048_576) before malloc_trim; "
                + "\(int("readyRSS") / 1_048_576) at start; anonymous \(int("rssAnon") / 1_048_576), file-backed \(int("rssFile") / 1_048_576)), heap in use \(int("heap") / 1_048_576) MiB; "
                + "reconciles \(int("reconciles")), events dropped \(int("eventsDropped")); "
                + String(format: "client pacing waited %.1f s in all; ", report["pacingWaited"]?.doubleValue ?? 0)
                + String(format: "reaction parts p50/p99: queued %.2f/%.2f ms, planned %.2f/%.2f ms, create %.2f/%.2f ms",
                         ms("queuedP50"), ms("queuedP99"), ms("plannedP50"), ms("plannedP99"), ms("createdP50"), ms("createdP99"))
        }
    }

    /// Anonymous and file-backed resident bytes (RssAnon / RssFile of /proc/self/status).
    static func residentSplit() -> (anon: Int, file: Int) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func kB(_ field: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return (kB("RssAnon"), kB("RssFile"))
    }

    static func route(_ e: AuditLog.Entry) -> String {
        let path = e.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? e.path
        return path.replacingOccurrences(of: "flow-[0-9]+[-a-z]*", with: "NAME", options: .regularExpression)
    }

    /// Runs `flows` flows at `speed` against a fresh sandbox and an operator child.
    static func measure(flows: Int, speed: Double, command: @escaping @Sendable (Int, String) -> [String]) async throws -> Outcome {
        let env = ProcessInfo.processInfo.environment
        let qps = env["BENCH_QPS"] ?? "500", burst = env["BENCH_BURST"] ?? "1000", workers = env["BENCH_WORKERS"] ?? defaultWorkers
        let sandbox = Sandbox(options: SandboxOptions(speed: speed, nodes: NodeSpec.numbered(8), auditCapacity: 1_000_000))
        let url = try await sandbox.start()
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
                        let object = flow("flow-\(i)") { command(i, $0) }
                        _ = try await sandbox.client.create(CustomResources.jobFlows, namespace: "default", object: object)
                    }
                }
            }
            try await group.waitForAll()
        }
        var done = 0
        // Listing every flow costs the sandbox CPU the operator competes for: the paced run
        // (minutes long) looks once a second, the instant run (throughput) every 100 ms.
        let poll: Duration = speed > 1 ? .milliseconds(100) : .seconds(1)
        while done < flows {
            try await Task.sleep(for: poll)
            let list = try await sandbox.client.list(CustomResources.jobFlows, namespace: "default")
            done = list.items.count { $0[path: "status.state"]?.stringValue == FlowState.succeed.rawValue }
            if clock.now - start > .seconds(600) { throw BenchError("only \(done)/\(flows) flows finished in 10 minutes") }
        }
        let elapsed = clock.now - start
        let during = sandbox.audit.all
        // Steady state: nothing changes; the operator should only keep its watches (queued Events
        // may still be written).
        sandbox.audit.reset()
        try await Task.sleep(for: .seconds(5))
        let idle = sandbox.audit.all.filter { $0.verb != "watch" }
        child.write("report\n")
        guard let line = child.readLine(), let report = try? JSONParser.parse(line) else {
            throw BenchError("no report from the operator child")
        }
        child.wait()
        await sandbox.stop()
        return Outcome(flows: flows, elapsed: elapsed, during: during, idle: idle, report: report)
    }

    static func run() async throws -> [Result] {
        let env = ProcessInfo.processInfo.environment
        let flows = Int(env["BENCH_FLOWS"] ?? "") ?? 1000
        let setup = "8 nodes; operator in a child process over libcurl (QPS \(env["BENCH_QPS"] ?? "500"), "
            + "\(env["BENCH_WORKERS"] ?? defaultWorkers) workers)"
        // Throughput, API cost and memory: pods that finish at once (the operator is the bottleneck).
        let only = env["BENCH_OPERATOR_ONLY"]
        if only == "paced" {
            print("operator, paced pods: " + (try await measure(flows: flows, speed: 1) { i, entry in
                ["sleep", "\(OperatorBench.pacedSeconds(i, entry))"]
            }).summary)
            return []
        }
        let instant = try await measure(flows: flows, speed: 1000) { _, _ in ["true"] }
        print("operator, instant pods: " + instant.summary)
        if only == "instant" { return [] }
        // Reaction latency: 1,000 flows in flight, each pod running 5–20 s of real time.
        let paced = try await measure(flows: flows, speed: 1) { i, entry in
            ["sleep", "\(OperatorBench.pacedSeconds(i, entry))"]
        }
        print("operator, paced pods: " + paced.summary)
        let instantWorkload = "\(flows) JobFlows × 10 Jobs (4-level DAG), created at once; instant pods; " + setup
        let pacedWorkload = "\(flows) JobFlows × 10 Jobs in flight at once, pods of \(env["BENCH_POD_SECONDS"] ?? "5-20") s; " + setup
        return [
            Result(name: "operator reaction latency", workload: pacedWorkload,
                   value: String(format: "p50 %.2f ms, p99 %.2f ms (%d samples)", paced.ms("p50"), paced.ms("p99"), paced.int("samples")),
                   target: "p50 ≤ 5 ms, p99 ≤ 20 ms", pass: paced.ms("p50") <= 5 && paced.ms("p99") <= 20),
            Result(name: "operator reaction latency, saturated", workload: instantWorkload + " (queueing: no target)",
                   value: String(format: "p50 %.0f ms, p99 %.0f ms", instant.ms("p50"), instant.ms("p99")),
                   target: "—", pass: true),
            Result(name: "operator throughput", workload: instantWorkload,
                   value: String(format: "%.0f Jobs/s (%d Jobs in %.1f s)", instant.jobsPerSecond, instant.jobs, instant.elapsed.seconds),
                   target: "≥ 200 Jobs/s", pass: instant.jobsPerSecond >= 200),
            Result(name: "operator API cost", workload: instantWorkload,
                   value: String(format: "%.2f writes/Job (creates + status), %d Events; %d reads in 5 s idle", instant.writesPerJob,
                                 instant.eventWrites, instant.idleReads),
                   target: "≤ 1.5 writes/Job, no GETs in steady state", pass: instant.writesPerJob <= 1.5 && instant.idleReads == 0),
            Result(name: "operator API cost, paced pods", workload: pacedWorkload,
                   value: String(format: "%.2f writes/Job (creates + status), %d Events; %d reads in 5 s idle", paced.writesPerJob,
                                 paced.eventWrites, paced.idleReads),
                   // The writes/Job target is the throughput run's (docs/operator.md, "What a Job
                   // costs in writes"); here one status write per moment a flow's Job finishes is the floor.
                   target: "no GETs in steady state (writes/Job: context)", pass: paced.idleReads == 0),
            Result(name: "operator memory", workload: instantWorkload + "; RSS once every flow has finished",
                   value: "\(instant.int("rss") / 1_048_576) MiB RSS with \(instant.jobs) Jobs and \(instant.jobs) pods cached",
                   target: "≤ 60 MB", pass: instant.int("rss") <= 60_000_000),
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
            let pacing = ClientRateLimiter(qps: qps, burst: burst)
            let client = KubeClient(server: arguments[0], transport: transport, pacing: pacing)
            var configuration = OperatorConfiguration(namespace: nil, identity: "bench", leaderElection: false)
            configuration.workers = workers
            if let ms = ProcessInfo.processInfo.environment["BENCH_STATUS_BATCH_MS"].flatMap(Int.init) {
                configuration.statusBatchPeriod = .milliseconds(ms)
            }
            // A/B switches: BENCH_PRIORITY=0 (one FIFO lane), BENCH_SKIP=0 (every projected update wakes).
            configuration.prioritizeFinishedJobs = ProcessInfo.processInfo.environment["BENCH_PRIORITY"] != "0"
            configuration.skipIrrelevantUpdates = ProcessInfo.processInfo.environment["BENCH_SKIP"] != "0"
            if ProcessInfo.processInfo.environment["BENCH_WORKER_PRIORITY"] == "0" { configuration.workerPriority = nil }
            var logger = Logger(label: "bench.operator")
            logger.logLevel = .error
            let op = try Operator(api: client, configuration: configuration, logger: logger)
            let task = Task { await op.run() }
            while !op.status.cachesSynced { try await Task.sleep(for: .milliseconds(20)) }
            let readyRSS = Measure.residentBytes(), readyHeap = Measure.heapInUse()
            emit("ready")
            while let line = Swift.readLine(), line != "report" {}
            let rssBeforeTrim = Measure.residentBytes()
            let split = OperatorBench.residentSplit()
            _ = jf_heap_trim()
            let latency = op.reactionLatency
            func ms(_ d: Duration?) -> Double { (d ?? .zero).seconds * 1000 }
            let report: JSONValue = ["p50": .double(ms(latency.p50)), "p99": .double(ms(latency.p99)),
                                     "max": .double(ms(latency.maximum)), "samples": .double(Double(latency.count)),
                                     "rss": .double(Double(Measure.residentBytes())),
                                     "heap": .double(Double(Measure.heapInUse())),
                                     "readyRSS": .double(Double(readyRSS)), "untrimmedRSS": .double(Double(rssBeforeTrim)),
                                     "rssAnon": .double(Double(split.anon)), "rssFile": .double(Double(split.file)), "readyHeap": .double(Double(readyHeap)),
                                     "reconciles": .double(Double(op.status.reconciles)),
                                     "eventsDropped": .double(Double(op.eventsDropped)),
                                     "pacingWaited": .double(pacing.totalWaited.seconds),
                                     "queuedP50": .double(ms(op.reactionParts.queued.p50)), "queuedP99": .double(ms(op.reactionParts.queued.p99)),
                                     "plannedP50": .double(ms(op.reactionParts.planned.p50)), "plannedP99": .double(ms(op.reactionParts.planned.p99)),
                                     "createdP50": .double(ms(op.reactionParts.created.p50)), "createdP99": .double(ms(op.reactionParts.created.p99))]
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
