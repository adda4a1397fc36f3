import JobFlowAPI
import Kube
@testable import TUI

/// Fixed objects and times for deterministic tests.
enum Fixtures {
    static let now: Int64 = Time.parse("2026-11-25T04:00:00Z")!

    static func ts(_ secondsAgo: Int64) -> JSONValue {
        let t = now - secondsAgo
        let days = t / 86400, rem = t % 86400
        // Only used for times on 2026-11-25.
        _ = days
        let h = rem / 3600, m = (rem % 3600) / 60, s = rem % 60
        func p(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return .string("2026-11-25T\(p(h)):\(p(m)):\(p(s))Z")
    }

    static func job(_ name: String, _ phase: String, deps: [String] = [], started: Int64? = nil, done: Int64? = nil,
                    pod: String = "", node: String = "", reason: String = "", message: String = "") -> (JSONValue, JSONValue) {
        var spec: JSONValue = ["name": .string(name)]
        if !deps.isEmpty { spec["dependencies"] = .array(deps.map { .string($0) }) }
        var st: JSONValue = ["name": .string(name), "jobName": .string("flow-\(name)"), "phase": .string(phase), "attempts": 1]
        if let started { st["startTime"] = ts(started) }
        if let done { st["completionTime"] = ts(done) }
        if !pod.isEmpty { st["podName"] = .string(pod) }
        if !node.isEmpty { st["nodeName"] = .string(node) }
        if !reason.isEmpty { st["reason"] = .string(reason) }
        if !message.isEmpty { st["message"] = .string(message) }
        return (spec, st)
    }

    static func flow(_ name: String, ns: String = "default", state: String, created: Int64 = 300,
                     jobs: [(JSONValue, JSONValue)], annotations: JSONValue? = nil) -> JSONValue {
        let ok = jobs.filter { $0.1["phase"]?.stringValue == "Succeed" }.count
        var o: JSONValue = [
            "apiVersion": "api.practice.com/v1alpha1", "kind": "JobFlow",
            "metadata": ["name": .string(name), "namespace": .string(ns), "creationTimestamp": ts(created)],
            "spec": ["flows": .array(jobs.map(\.0))],
            "status": ["state": .string(state), "progress": .string("\(ok)/\(jobs.count)"), "startTime": ts(created - 5),
                       "jobs": .array(jobs.map(\.1))],
        ]
        if let annotations { o[path: "metadata.annotations"] = annotations }
        return o
    }

    /// The DESIGN.md example flow.
    static let example = flow("jobflow-example", state: "Running", created: 151, jobs: [
        job("job1", "Succeed", started: 150, done: 138, pod: "jobflow-example-job1-4zq22", node: "node-a"),
        job("job2", "Succeed", deps: ["job1"], started: 138, done: 36, pod: "jobflow-example-job2-8x7k1", node: "node-a"),
        job("job3", "Running", deps: ["job1", "job2"], started: 48, pod: "jobflow-example-job3-pq9zz", node: "node-b"),
        job("job4", "Succeed", started: 150, done: 138, pod: "jobflow-example-job4-aaaaa", node: "node-b"),
        job("job5", "Waiting", deps: ["job2", "job3", "job4"]),
    ])

    static let failing = flow("etl-nightly", ns: "batch", state: "Failed", created: 4000, jobs: [
        job("extract", "Succeed", started: 3990, done: 3900, pod: "etl-extract-1", node: "node-c"),
        job("transform", "Failed", deps: ["extract"], started: 3900, done: 3800, pod: "etl-transform-1", node: "node-c",
            reason: "BackoffLimitExceeded", message: "exit code 3"),
        job("load", "Skipped", deps: ["transform"], reason: "UpstreamFailed", message: "upstream transform failed"),
        job("report", "Skipped", deps: ["load"], reason: "UpstreamFailed", message: "upstream load skipped"),
        job("cleanup", "Succeed", deps: ["extract"], started: 3900, done: 3890, pod: "etl-cleanup-1", node: "node-a"),
    ])

    static let hostileName = "evil\u{1b}[2J\u{1b}]52;c;cHduZWQ=\u{7}\u{202E}gnp\u{200B}-日本語-🚀"
    static let hostile = flow(hostileName, ns: "x\u{1b}]8;;http://e\u{1b}\\ns", state: "Running", created: 60, jobs: [
        job("a\u{9b}31mred", "Running", started: 30, pod: "pod\u{7}\u{1b}[1;1H", node: "n\u{202E}ode",
            message: "line1\nline2\u{1b}]0;title\u{7}"),
        job("データ処理", "Waiting", deps: ["a\u{9b}31mred"], reason: "TemplateNotFound", message: "JobTemplate \u{200D}tmpl not found"),
    ])

    static let daemon: JSONValue = [
        "apiVersion": "api.practice.com/v1alpha1", "kind": "DaemonJob",
        "metadata": ["name": "node-audit", "namespace": "default", "creationTimestamp": ts(200)],
        "status": [
            "state": "Running", "progress": "2/4", "desired": 4, "succeeded": 2,
            "nodes": [
                ["node": "node-a", "jobName": "node-audit-node-a", "phase": "Succeed", "startTime": ts(190), "completionTime": ts(170), "podName": "node-audit-node-a-x1", "exitCode": 0],
                ["node": "node-b", "jobName": "node-audit-node-b", "phase": "Succeed", "startTime": ts(190), "completionTime": ts(160), "podName": "node-audit-node-b-x2", "exitCode": 0],
                ["node": "node-c", "jobName": "node-audit-node-c", "phase": "Failed", "startTime": ts(190), "completionTime": ts(100), "podName": "node-audit-node-c-x3", "reason": "Error", "message": "exit code 2", "exitCode": 2],
                ["node": "node-d", "jobName": "node-audit-node-d", "phase": "Running", "startTime": ts(50), "podName": "node-audit-node-d-x4"],
            ],
            "skippedNodes": [["node": "node-e", "reason": "Excluded"], ["node": "node-f", "reason": "NotReady"]],
        ],
    ]

    static func snapshot(lease: Bool = true, connection: ConnectionStatus = .connected) -> ClusterSnapshot {
        ClusterSnapshot(
            context: "kind-dev", namespace: nil, jobFlows: [example, failing, hostile], daemonJobs: [daemon],
            jobs: ["default/flow-job3": [
                "metadata": ["name": "flow-job3", "namespace": "default"],
                "spec": ["backoffLimit": 0],
                "status": ["active": 1, "conditions": []],
            ]],
            pods: ["default/jobflow-example-job3-pq9zz": [
                "metadata": ["name": "jobflow-example-job3-pq9zz", "namespace": "default"],
                "spec": ["nodeName": "node-b"],
                "status": ["phase": "Running", "containerStatuses": [
                    ["name": "main", "restartCount": 0, "state": ["running": ["startedAt": ts(47)]]],
                ]],
            ]],
            events: [
                ["type": "Normal", "reason": "Scheduled", "lastTimestamp": ts(48),
                 "involvedObject": ["kind": "Pod", "name": "jobflow-example-job3-pq9zz"],
                 "message": "Successfully assigned default/jobflow-example-job3-pq9zz to node-b"],
                ["type": "Warning", "reason": "BackOff", "lastTimestamp": ts(20),
                 "involvedObject": ["kind": "Job", "name": "flow-job3"],
                 "message": "evil \u{1b}]52;c;cHduZWQ=\u{7}message\u{202E} with\nnewline"],
            ],
            lease: lease ? LeaseInfo(holder: "jobflow-operator-7c9", renewTime: now - 2) : nil,
            connection: connection, takenAt: now)
    }

    static func state(mode: Mode = .operator, width: Int = 80, height: Int = 24, lease: Bool = true) -> AppState {
        AppState(mode: mode, width: width, height: height, now: now, snapshot: snapshot(lease: lease))
    }
}

/// Feeds events through the reducer, collecting effects.
func run(_ state: AppState, _ events: [AppEvent]) -> (AppState, [Effect]) {
    var s = state
    var all: [Effect] = []
    for e in events {
        let (n, fx) = reduce(s, e)
        s = n
        all += fx
    }
    return (s, all)
}

func keys(_ text: String) -> [AppEvent] { text.map { .key(.char($0)) } }
