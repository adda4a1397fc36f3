import Kube

/// One node of a DaemonJob: its Job and state.
public struct NodeRow: Sendable, Hashable {
    public var node: String
    public var displayNode: String
    public var jobName: String
    public var podName: String
    public var phase: Phase
    public var reason: String
    public var message: String
    public var started: Int64?
    public var completed: Int64?
    public var attempts: Int
    public var exitCode: Int?
}

/// A node the DaemonJob does not run on, and why.
public struct SkippedNode: Sendable, Hashable {
    public var node: String
    public var reason: String
}

/// A DaemonJob's per-node view: nodes sorted by name, then skipped nodes.
public struct DaemonJobModel: Sendable {
    public var nodes: [NodeRow]
    public var skipped: [SkippedNode]

    public init(object o: JSONValue) {
        nodes = (o[path: "status.nodes"]?.arrayValue ?? []).map { n in
            let node = n["node"]?.stringValue ?? ""
            return NodeRow(
                node: node, displayNode: Sanitizer.singleLine(node),
                jobName: Sanitizer.singleLine(n["jobName"]?.stringValue ?? ""),
                podName: Sanitizer.singleLine(n["podName"]?.stringValue ?? ""),
                phase: Phase(status: n["phase"]?.stringValue),
                reason: Sanitizer.singleLine(n["reason"]?.stringValue ?? ""),
                message: Sanitizer.singleLine(n["message"]?.stringValue ?? ""),
                started: Time.parse(n["startTime"]?.stringValue),
                completed: Time.parse(n["completionTime"]?.stringValue),
                attempts: Int(n["attempts"]?.intValue ?? 0),
                exitCode: n["exitCode"]?.intValue.map { Int($0) })
        }.sorted { $0.node < $1.node }
        skipped = (o[path: "status.skippedNodes"]?.arrayValue ?? []).map {
            SkippedNode(node: Sanitizer.singleLine($0["node"]?.stringValue ?? ""),
                        reason: Sanitizer.singleLine($0["reason"]?.stringValue ?? ""))
        }.sorted { $0.node < $1.node }
    }

    /// Count of nodes per phase, problems first.
    public func summary() -> [(Phase, Int)] {
        var counts: [Phase: Int] = [:]
        for n in nodes { counts[n.phase, default: 0] += 1 }
        return counts.sorted { $0.key.rank < $1.key.rank }.map { ($0.key, $0.value) }
    }
}
