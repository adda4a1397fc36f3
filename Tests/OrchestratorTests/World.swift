import JobFlowAPI
import Foundation
import Kube
import Testing
@testable import Orchestrator

/// A tiny in-memory cluster that performs planner actions the way the reconciler will.
struct World {
    var object: JSONValue
    var jobs: [String: JSONValue] = [:]
    var pods: [JSONValue] = []
    var templates: [String: JSONValue] = [:]
    var nodes: [JSONValue] = []
    var events: [EventRecord] = []
    var created: [String] = []
    var deleted: [String] = []
    var nextUID = 0
    var clock = Date(timeIntervalSince1970: 1_700_000_000)

    init(_ object: JSONValue) {
        self.object = object
        if self.object[path: "metadata.uid"] == nil { self.object[path: "metadata.uid"] = "owner-uid" }
        if self.object[path: "metadata.namespace"] == nil { self.object[path: "metadata.namespace"] = "default" }
        if self.object[path: "metadata.generation"] == nil { self.object[path: "metadata.generation"] = 1 }
    }

    var isDaemonJob: Bool { object["kind"]?.stringValue == "DaemonJob" }
    var status: JSONValue? { object["status"] }

    /// The plan for the world as it is. Every plan is also made from the objects as the
    /// operator's caches keep them (`OperatorCaches`' projections and transforms) and must be the
    /// same: a field the planners read that the caches drop fails every planner test that uses it.
    func plan() -> Plan {
        let full = plan(jobs: Array(jobs.values), pods: pods, nodes: nodes)
        let cached = plan(jobs: jobs.values.map(OperatorCaches.jobTransform), pods: pods.map(OperatorCaches.podTransform),
                          nodes: nodes.map(OperatorCaches.nodeTransform))
        if cached != full {
            Issue.record("the plan differs when made from the operator's cached (projected) objects:\nfull:   \(full.actions)\ncached: \(cached.actions)")
        }
        return full
    }

    private func plan(jobs: [JSONValue], pods: [JSONValue], nodes: [JSONValue]) -> Plan {
        if isDaemonJob {
            return DaemonJobPlanner.plan(daemonJob: object, nodes: nodes, jobs: jobs, pods: pods, now: clock)
        }
        return FlowPlanner.plan(flow: object, templates: templates, jobs: jobs, pods: pods, now: clock)
    }

    mutating func apply(_ action: Action) {
        switch action {
        case .writeStatus(let s, _): object["status"] = s
        case .createJob(var job):
            let name = job[path: "metadata.name"]!.stringValue!
            guard jobs[name] == nil else { return }  // AlreadyExists
            nextUID += 1
            job[path: "metadata.uid"] = .string("job-uid-\(nextUID)")
            jobs[name] = job
            created.append(name)
        case .deleteJob(let name, let uid):
            guard jobs[name]?[path: "metadata.uid"]?.stringValue == uid else { return }
            jobs[name] = nil
            pods.removeAll { $0[path: "metadata.labels.job-name"]?.stringValue == name }
            deleted.append(name)
        case .recordEvent(let e): events.append(e)
        case .removeAnnotation(let key, let expected):
            if object[path: "metadata.annotations"]?[key]?.stringValue == expected {
                var annotations = object[path: "metadata.annotations"]!
                annotations[key] = nil
                object[path: "metadata.annotations"] = annotations
            }
        }
    }

    /// Plans and performs every action; returns the plan.
    @discardableResult
    mutating func step() -> Plan {
        let p = plan()
        for a in p.actions { apply(a) }
        clock += 1
        return p
    }

    /// Steps until nothing but events is planned (at most `limit` times).
    mutating func settle(limit: Int = 10) {
        for _ in 0..<limit {
            let p = step()
            if p.actions.allSatisfy({ if case .recordEvent = $0 { return true } else { return false } }) { return }
        }
    }

    mutating func annotate(_ key: String, _ value: String) {
        object[path: "metadata.annotations"] = object[path: "metadata.annotations"] ?? .emptyObject
        var annotations = object[path: "metadata.annotations"]!
        annotations[key] = .string(value)
        object[path: "metadata.annotations"] = annotations
    }

    func jobName(_ suffix: String) -> String {
        JobName.make(owner: object[path: "metadata.name"]!.stringValue!, suffix: suffix)
    }

    mutating func run(_ suffix: String, node: String = "node-a") {
        let name = jobName(suffix)
        guard var job = jobs[name] else { return }
        job["status"] = ["active": 1, "startTime": "2023-11-14T22:13:20Z"]
        jobs[name] = job
        pods.removeAll { $0[path: "metadata.labels.job-name"]?.stringValue == name }
        pods.append(["metadata": ["name": .string(name + "-pod"), "labels": ["job-name": .string(name)], "creationTimestamp": "2023-11-14T22:13:20Z"],
                     "spec": ["nodeName": .string(node)], "status": ["phase": "Running"]])
    }

    mutating func finish(_ suffix: String, succeeded: Bool, exitCode: Int64? = nil) {
        let name = jobName(suffix)
        guard var job = jobs[name] else { return }
        let condition: JSONValue = succeeded
            ? ["type": "Complete", "status": "True", "lastTransitionTime": "2023-11-14T22:14:00Z"]
            : ["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit",
               "lastTransitionTime": "2023-11-14T22:14:00Z"]
        var status: JSONValue = ["startTime": "2023-11-14T22:13:20Z", "conditions": [condition]]
        if succeeded { status["completionTime"] = "2023-11-14T22:14:00Z"; status["succeeded"] = 1 } else { status["failed"] = 1 }
        job["status"] = status
        jobs[name] = job
        let code = exitCode ?? (succeeded ? 0 : 1)
        pods.removeAll { $0[path: "metadata.labels.job-name"]?.stringValue == name }
        pods.append(["metadata": ["name": .string(name + "-pod"), "labels": ["job-name": .string(name)], "creationTimestamp": "2023-11-14T22:13:20Z"],
                     "spec": ["nodeName": "node-a"],
                     "status": ["phase": succeeded ? "Succeeded" : "Failed",
                                "containerStatuses": [["name": "main", "state": ["terminated": ["exitCode": .int(code)]]]]]])
    }

    func entry(_ name: String, key: String = "jobs", field: String = "name") -> JSONValue? {
        status?[key]?.arrayValue?.first { $0[field]?.stringValue == name }
    }

    func phase(_ name: String) -> String? {
        isDaemonJob ? entry(name, key: "nodes", field: "node")?["phase"]?.stringValue : entry(name)?["phase"]?.stringValue
    }

    var state: String? { status?["state"]?.stringValue }
}

enum Fixtures {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func example(_ file: String) throws -> [JSONValue] {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("examples/\(file)"), encoding: .utf8)
        return try JSONValue.parseYAMLDocuments(text)
    }

    static func container(_ name: String = "main", env: [JSONValue]? = nil) -> JSONValue {
        var c: JSONValue = ["name": .string(name), "image": "busybox:1.28", "command": ["sh", "-c", "true"]]
        if let env { c["env"] = .array(env) }
        return c
    }

    static func jobSpec(_ podSpec: JSONValue? = nil) -> JSONValue {
        ["template": ["spec": podSpec ?? ["containers": [container()]]]]
    }

    /// A JobFlow with entries (name, dependencies).
    static func flow(_ entries: [(String, [String])], name: String = "flow", policy: String? = nil) -> JSONValue {
        var spec: JSONValue = ["flows": .array(entries.map { e in
            ["name": .string(e.0), "dependencies": .array(e.1.map { .string($0) }), "jobTemplate": jobSpec()]
        })]
        if let policy { spec["failurePolicy"] = .string(policy) }
        return ["apiVersion": "api.practice.com/v1alpha1", "kind": "JobFlow", "metadata": ["name": .string(name)], "spec": spec]
    }

    static func node(_ name: String, ready: Bool = true, unschedulable: Bool = false, labels: [String: String] = [:],
                     taints: [JSONValue] = []) -> JSONValue {
        var n: JSONValue = ["metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })],
                            "status": ["conditions": [["type": "Ready", "status": ready ? "True" : "False"]]]]
        if unschedulable { n[path: "spec.unschedulable"] = true }
        if !taints.isEmpty { n[path: "spec.taints"] = .array(taints) }
        return n
    }
}
