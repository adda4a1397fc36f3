import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Logging
import Synchronization
import TUI

/// The live UI against a sandbox over HTTP: the same `LiveSession` as `jobflow-tui watch`
/// (ClusterFeed informers through `KubeClient.make`'s libcurl client, the `TUIRunner` on its own
/// thread), drawing into an in-memory terminal instead of ncurses.
enum LiveBench {
    static let jobFlows = CustomResources.jobFlows
    static let daemonJobs = CustomResources.daemonJobs

    /// A sandbox (no control plane: nothing changes unless we change it) holding `count` JobFlows
    /// in 20 namespaces, and a kubeconfig for it.
    static func sandbox(flows count: Int) async throws -> (Sandbox, String) {
        let sandbox = Sandbox(options: SandboxOptions(runsControlPlane: false))
        guard let crds = find("deploy/crds") else { throw BenchError("deploy/crds not found (run from the checkout)") }
        try sandbox.apply(manifestsAt: crds)
        for n in 0..<20 {
            _ = try sandbox.store.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string("ns-\(n)")]])
        }
        for i in 0..<count {
            _ = try sandbox.store.create(jobFlows, namespace: "ns-\(i % 20)", object: flow("flow-\(i)", namespace: "ns-\(i % 20)"))
        }
        try await sandbox.start()
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("jobflow-bench-\(UUID().uuidString).yaml").path
        try sandbox.writeKubeconfig(to: kubeconfig)
        return (sandbox, kubeconfig)
    }

    /// A three-entry flow like the examples (~1 KB of JSON).
    static func flow(_ name: String, namespace: String) -> JSONValue {
        func entry(_ n: String, _ deps: [String]) -> JSONValue {
            ["name": .string(n), "dependencies": .array(deps.map { .string($0) }),
             "jobTemplate": ["template": ["spec": ["restartPolicy": "Never",
                                                   "containers": [["name": "main", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 10s"]]]]]]]
        }
        return ["apiVersion": .string(APIGroup.apiVersion), "kind": .string(CustomKind.jobFlow.rawValue),
                "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": ["team": "data"]],
                "spec": ["flows": [entry("extract", []), entry("transform", ["extract"]), entry("load", ["transform"])]]]
    }

    static func session(kubeconfig: String) throws -> LiveSession {
        let config = try ConfigLoader.load(ConfigSelection(kubeconfigPath: kubeconfig))
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let client = try KubeClient.make(configuration: config, logger: logger)
        let feed = ClusterFeed.Configuration(context: "bench", namespace: nil, jobFlows: jobFlows, daemonJobs: daemonJobs,
                                             leaseNamespace: "default")
        return LiveSession(client: client, feed: feed, mode: .watch, theme: .unicode, logger: logger) { _ in }
    }

    /// Time from starting a live session to the first frame whose title counts every flow.
    static func firstFrame() async throws -> [Result] {
        let count = 10_000
        let (sandbox, kubeconfig) = try await sandbox(flows: count)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        var samples: [Duration] = []
        for _ in 0..<5 {
            let clock = ContinuousClock()
            let start = clock.now
            let terminal = HeadlessTerminal(width: 160, height: 48, quitWhenRow: 1, contains: "(\(count))")
            try await session(kubeconfig: kubeconfig).run(terminal: terminal)
            guard let shown = terminal.matchedAt.withLock({ $0 }) else { throw BenchError("the session ended before showing \(count) flows") }
            samples.append(shown - start)
        }
        await sandbox.stop()
        samples.sort()
        let median = samples[samples.count / 2]
        print("first frame with \(count) flows: median \(Measure.format(median)) of \(samples.map(Measure.format))")
        return [Result(name: "TUI first frame, 10,000 flows", workload: "LiveSession (ClusterFeed informers, libcurl client) → sandbox holding \(count) JobFlows, until a frame shows them; median of 5",
                       value: "\(Measure.format(median)) (runs: \(samples.map(Measure.format).joined(separator: ", ")))",
                       target: "≤ 1 s", pass: median <= .seconds(1))]
    }

    static func find(_ relative: String) -> String? {
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(url.appendingPathComponent(relative).path)
            url.deleteLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A terminal in memory: keeps the screen's text, notes when a row first contains a string, and
/// then (optionally) quits with Ctrl-C; otherwise sleeps in `readInput` like the real one.
final class HeadlessTerminal: TerminalDevice, Sendable {
    let width: Int, height: Int
    let row: Int
    let needle: String
    let quitOnMatch: Bool
    let matchedAt = Mutex<ContinuousClock.Instant?>(nil)
    let frames = Atomic<Int>(0)
    let screen: Mutex<[[Character]]>
    let stopped = Atomic<Bool>(false)
    let wakeUp = Mutex<Bool>(false)
    let condition = NSCondition()

    init(width: Int, height: Int, quitWhenRow row: Int, contains needle: String, quit: Bool = true) {
        self.width = width
        self.height = height
        self.row = row
        self.needle = needle
        self.quitOnMatch = quit
        screen = Mutex(Array(repeating: Array(repeating: " ", count: width), count: height))
    }

    func start() throws -> (width: Int, height: Int) { (width, height) }

    func readInput(timeoutMs: Int) -> TerminalInput? {
        if stopped.load(ordering: .relaxed) { return .key(.ctrl("c")) }
        if quitOnMatch, matchedAt.withLock({ $0 }) != nil { return .key(.ctrl("c")) }
        condition.lock()
        defer { condition.unlock() }
        if !wakeUp.withLock({ w in defer { w = false }; return w }) {
            _ = condition.wait(until: Date().addingTimeInterval(Double(timeoutMs) / 1000))
        }
        wakeUp.withLock { $0 = false }
        return stopped.load(ordering: .relaxed) ? .key(.ctrl("c")) : nil
    }

    func draw(_ runs: [GridRun], full: Bool) {
        frames.add(1, ordering: .relaxed)
        let text: String = screen.withLock { rows in
            for run in runs where run.y < height {
                for (k, cell) in run.cells.enumerated() where run.x + k < width && cell.width != 0 {
                    rows[run.y][run.x + k] = cell.text.first ?? " "
                }
            }
            return String(rows[row])
        }
        if text.contains(needle) {
            matchedAt.withLock { if $0 == nil { $0 = ContinuousClock.now } }
        }
    }

    func restore() {}

    func wake() {
        condition.lock()
        wakeUp.withLock { $0 = true }
        condition.signal()
        condition.unlock()
    }

    /// Ends the session at the next turn of the loop.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        wake()
    }
}

extension LiveBench {
    /// CPU time of the process (user + system), from getrusage.
    static func cpuTime() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Idle CPU: the live UI in a child process (so that the sandbox's own work is not counted)
    /// watching 100 flows that do not change; the child's getrusage over `seconds` after its
    /// first full frame, divided by the wall time.
    static func idleCPU(seconds: Int = 20) async throws -> [Result] {
        [try await idleCPU(flows: 100, seconds: seconds, target: true), try await idleCPU(flows: 10_000, seconds: seconds, target: false)]
    }

    static func idleCPU(flows: Int, seconds: Int, target: Bool) async throws -> Result {
        let (sandbox, kubeconfig) = try await sandbox(flows: flows)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        var runs: [Double] = []
        for _ in 0..<3 {
            let output = Measure.runIsolated(["_idle", kubeconfig, String(seconds), String(flows)])
            let fields = output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            guard fields.count == 2, fields[1] > 0 else { throw BenchError("idle child failed: \(output)") }
            runs.append(fields[0] / fields[1] * 100)
        }
        await sandbox.stop()
        let sorted = runs.sorted()
        let median = sorted[sorted.count / 2]
        let shown = runs.map { String(format: "%.2f %%", $0) }
        print("idle CPU, \(flows) flows: median \(String(format: "%.2f", median)) % of one core (runs: \(shown.joined(separator: ", ")))")
        return Result(name: "TUI idle CPU, \(flows) flows", workload: "LiveSession (headless terminal, 160×48) in a child process watching \(flows) unchanging flows; getrusage over \(seconds) s after the first frame; median of 3",
                      value: String(format: "%.2f %% of a core", median) + " (runs: \(shown.joined(separator: ", ")))",
                      target: target ? "< 1 %" : "(no target)", pass: !target || median < 1)
    }

    /// The child side of `idleCPU`: prints "cpuSeconds wallSeconds".
    static func idleChild(kubeconfig: String, seconds: Int, flows: Int) async {
        do {
            let terminal = HeadlessTerminal(width: 160, height: 48, quitWhenRow: 1, contains: "(\(flows))", quit: false)
            let session = try session(kubeconfig: kubeconfig)
            let measured = Task<(Double, Double), any Error> {
                // Wait for the first full frame, let the informers settle, then measure.
                while terminal.matchedAt.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
                try await Task.sleep(for: .seconds(2))
                let cpu0 = cpuTime(), wall0 = ContinuousClock.now
                try await Task.sleep(for: .seconds(seconds))
                let cpu = cpuTime() - cpu0, wall = (ContinuousClock.now - wall0).seconds
                terminal.stop()
                return (cpu, wall)
            }
            try await session.run(terminal: terminal)
            let (cpu, wall) = try await measured.value
            print(cpu, wall)
        } catch {
            print("error: \(error)")
        }
    }
}
