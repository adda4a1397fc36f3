import JobFlowAPI
import Kube

/// One node of a DaemonJob: its Job and state.
public struct NodeRow: Sendable, Hashable {
    public var node: String
    public var displayNode: String
    public var jobName: String
    public var podName: String
    public var phase: Phase
    /// The phase as the API reads it (for the request rule).
    public var status: EntryPhase
    public var reason: String
    public var message: String
    public var started: Int64?
    public var completed: Int64?
    public var attempts: Int
    public var exitCode: Int?
}

/// A node the DaemonJob does not run on, and why.
public struct SkippedNodeRow: Sendable, Hashable {
    public var node: String
    public var reason: String
}

/// A DaemonJob's per-node view: nodes sorted by name, then skipped nodes.
public struct DaemonJobModel: Sendable {
    public var nodes: [NodeRow]
    public var skipped: [SkippedNodeRow]

    /// The model of a DaemonJob object, read through the API's `DaemonJobStatus`.
    public init(object o: JSONValue) {
        let status = DaemonJobStatus(json: o["status"])
        nodes = status.nodes.map { n in
            NodeRow(
                node: n.name, displayNode: Sanitizer.singleLine(n.name),
                jobName: Sanitizer.singleLine(n.jobName),
                podName: Sanitizer.singleLine(n.podName ?? ""),
                phase: Phase(n.phase), status: n.phase,
                reason: Sanitizer.singleLine(n.reason?.rawValue ?? ""),
                message: Sanitizer.singleLine(n.message ?? ""),
                started: Time.parse(n.startTime),
                completed: Time.parse(n.completionTime),
                attempts: n.attempts,
                exitCode: n.exitCode)
        }.sorted { $0.node < $1.node }
        skipped = status.skippedNodes.map {
            SkippedNodeRow(node: Sanitizer.singleLine($0.node), reason: Sanitizer.singleLine($0.reason.rawValue))
        }.sorted { $0.node < $1.node }
    }

    /// Count of nodes per phase, problems first.
    public func summary() -> [(Phase, Int)] {
        var counts: [Phase: Int] = [:]
        for n in nodes { counts[n.phase, default: 0] += 1 }
        return counts.sorted { $0.key.rank < $1.key.rank }.map { ($0.key, $0.value) }
    }
}
