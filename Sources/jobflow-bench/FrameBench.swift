import JobFlowAPI
import Foundation
import Kube
import TUI

/// Terminal UI frame cost: reduce + render into the cell grid + diff against the last frame, per
/// event, at 160×48 — for a 500-job flow and an overview of 10,000 flows.
enum FrameBench {
    static let now: Int64 = 1_795_579_169

    static func stamp(_ secondsAgo: Int64) -> JSONValue { .string(KubeTimestamp.time(Date(timeIntervalSince1970: Double(now - secondsAgo)))) }

    static func entry(_ name: String, _ phase: String, deps: [String] = [], started: Int64? = nil) -> (JSONValue, JSONValue) {
        let spec: JSONValue = ["name": .string(name), "dependencies": .array(deps.map { .string($0) }),
                               "jobTemplate": ["template": ["spec": ["containers": [["name": "c", "image": "busybox"]]]]]]
        var status: JSONValue = ["name": .string(name), "jobName": .string("big-\(name)"), "phase": .string(phase), "attempts": 1]
        if let started { status["startTime"] = stamp(started); status["podName"] = .string("big-\(name)-x1"); status["nodeName"] = "node-1" }
        return (spec, status)
    }

    static func flow(_ name: String, namespace: String, state: String, entries: [(JSONValue, JSONValue)], rv: String) -> JSONValue {
        let ok = entries.filter { $0.1["phase"] == .string(EntryPhase.succeed.rawValue) }.count
        return ["apiVersion": .string(APIGroup.apiVersion), "kind": .string(CustomKind.jobFlow.rawValue),
                "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(namespace)-\(name)"), "creationTimestamp": stamp(300), "resourceVersion": .string(rv)],
                "spec": ["flows": .array(entries.map(\.0))],
                "status": ["state": .string(state), "progress": .string("\(ok)/\(entries.count)"), "startTime": stamp(295),
                           "jobs": .array(entries.map(\.1))]]
    }

    /// p99 and max of reduce + render + diff over `events`.
    static func measure(_ start: AppState, _ events: [AppEvent]) -> (p99: Duration, max: Duration) {
        var state = start
        var shown = ScreenView.render(state, theme: .unicode)
        var samples: [Duration] = []
        let clock = ContinuousClock()
        for event in events {
            samples.append(clock.measure {
                state = reduce(state, event).0
                let grid = ScreenView.render(state, theme: .unicode)
                _ = grid.diff(from: shown)
                shown = grid
            })
        }
        samples.sort()
        return (Measure.percentile(samples, 99), samples.last ?? .zero)
    }

    static func run() -> [Result] {
        // A 500-job flow, opened; key presses, then snapshot updates.
        let entries = (0..<500).map { i in
            entry("job-\(i)", i < 200 ? EntryPhase.succeed.rawValue : (i < 210 ? EntryPhase.running.rawValue : EntryPhase.waiting.rawValue),
                  deps: i == 0 ? [] : ["job-\((i - 1) / 2)", "job-\(i - 1)"], started: i < 210 ? 100 : nil)
        }
        var snapshot = ClusterSnapshot(context: "bench", namespace: nil, jobFlows: [flow("big", namespace: "default", state: FlowState.running.rawValue, entries: entries, rv: "1")],
                                       connection: .connected, takenAt: now)
        var state = AppState(mode: .operator, width: 160, height: 48, now: now, snapshot: snapshot)
        state = reduce(state, .key(.enter)).0
        let keys: [AppEvent] = (0..<300).map { $0 % 3 == 2 ? .key(.up) : .key(.down) }
        let flowKeys = measure(state, keys)
        let flowSnaps = measure(state, (0..<200).map { i in
            var s = snapshot
            s.takenAt += Int64(i)
            // The operator's usual update: one entry moved on (a running one succeeded).
            s.jobFlows[0][path: "metadata.resourceVersion"] = .string("r\(i)")
            var jobs = s.jobFlows[0][path: "status.jobs"]?.arrayValue ?? []
            jobs[200 + i % 10]["phase"] = i % 2 == 0 ? .string(EntryPhase.succeed.rawValue) : .string(EntryPhase.running.rawValue)
            s.jobFlows[0][path: "status.jobs"] = .array(jobs)
            return .snapshotChanged(s)
        })

        // An overview of 10,000 flows in 50 namespaces; each snapshot changes 10 of them.
        snapshot.jobFlows = (0..<10_000).map { i in
            flow("flow-\(i)", namespace: "ns-\(i % 50)", state: i % 10 == 0 ? FlowState.failed.rawValue : FlowState.running.rawValue,
                 entries: [entry("a", EntryPhase.succeed.rawValue, started: 60), entry("b", EntryPhase.running.rawValue, deps: ["a"], started: 30)], rv: "\(i)")
        }
        let overview = AppState(mode: .operator, width: 160, height: 48, now: now, snapshot: snapshot)
        let overviewKeys = measure(overview, (0..<300).map { $0 % 3 == 2 ? .key(.up) : .key(.pageDown) })
        let overviewSnaps = measure(overview, (0..<100).map { i in
            var s = snapshot
            s.takenAt += Int64(i)
            for k in 0..<10 {
                let j = (i * 10 + k) % s.jobFlows.count
                s.jobFlows[j][path: "metadata.resourceVersion"] = .string("v\(i)")
                s.jobFlows[j][path: "status.state"] = i % 2 == 0 ? .string(FlowState.succeed.rawValue) : .string(FlowState.failed.rawValue)
                s.jobFlows[j][path: "status.progress"] = "2/2"
            }
            return .snapshotChanged(s)
        })
        // The same updates with the overview sorted by state: changed rows move in the order.
        let byState = reduce(overview, .key(.char("s"))).0
        let stateSnaps = measure(byState, (0..<100).map { i in
            var s = snapshot
            s.takenAt += Int64(i)
            for k in 0..<10 {
                let j = (i * 10 + k) % s.jobFlows.count
                s.jobFlows[j][path: "metadata.resourceVersion"] = .string("w\(i)")
                s.jobFlows[j][path: "status.state"] = i % 2 == 0 ? .string(FlowState.succeed.rawValue) : .string(FlowState.failed.rawValue)
            }
            return .snapshotChanged(s)
        })
        func row(_ name: String, _ workload: String, _ m: (p99: Duration, max: Duration), _ target: Duration) -> Result {
            print("\(name): p99 \(Measure.format(m.p99)), max \(Measure.format(m.max))")
            return Result(name: name, workload: workload, value: "p99 \(Measure.format(m.p99)) (max \(Measure.format(m.max)))",
                          target: "p99 ≤ \(Measure.format(target))", pass: m.p99 <= target)
        }
        return [
            row("TUI frame, 500-job flow, keys", "300 key presses in the flow view, 160×48", flowKeys, .milliseconds(2)),
            row("TUI frame, 500-job flow, updates", "200 snapshot updates of the flow, each moving one entry on, 160×48", flowSnaps, .milliseconds(2)),
            row("TUI frame, 10,000-flow overview, keys", "300 page/line moves, 160×48", overviewKeys, .milliseconds(16)),
            row("TUI frame, 10,000-flow overview, updates", "100 snapshots each changing the state of 10 flows, 160×48", overviewSnaps, .milliseconds(16)),
            row("TUI frame, 10,000-flow overview by state, updates", "the same, sorted by state (changed rows move)", stateSnaps, .milliseconds(16)),
        ]
    }
}
