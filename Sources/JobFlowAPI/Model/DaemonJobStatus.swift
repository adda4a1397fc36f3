import Kube

/// A node that gets no Job, and why.
public struct SkippedNode: Sendable, Hashable {
    /// The name of the node.
    public var node: String
    /// Why the node gets no Job, checked in this order: Excluded (listed in excludeNodeList),
    /// NotReady (its Ready condition is not True), Unschedulable (cordoned), NodeSelectorMismatch
    /// (the template's nodeSelector or required node affinity does not match it) or
    /// TaintNotTolerated (it has a NoSchedule or NoExecute taint the template does not tolerate).
    public var reason: SkipReason
    /// Details for people, such as the taint or the selector that does not match.
    public var message: String

    public init(node: String, reason: SkipReason, message: String) {
        self.node = node
        self.reason = reason
        self.message = message
    }

    public var json: JSONValue { ["node": .string(node), "reason": .string(reason.rawValue), "message": .string(message)] }

    public init?(json: JSONValue) {
        guard let node = json["node"]?.stringValue else { return nil }
        self.init(node: node, reason: SkipReason(rawValue: json["reason"]?.stringValue ?? ""), message: json["message"]?.stringValue ?? "")
    }
}

/// `status` of a DaemonJob.
public struct DaemonJobStatus: Sendable, Hashable {
    /// The DaemonJob's overall state, shown in the Status column: Pending (no node's Job has
    /// started yet, also while no node is eligible), Running (a node's Job was started and not
    /// every node has finished), Succeed (every desired node succeeded), Failed (a node failed and
    /// nothing is left running, or the spec is invalid), Terminating (the DaemonJob is being
    /// deleted) or Cancelled (stopped by a cancel request).
    public var state: FlowState = .pending
    /// Succeeded nodes out of desired nodes, as "2/3"; shown in the Progress column.
    public var progress: String = "0/0"
    /// A one-line summary of the state for people: how many nodes run, succeeded or failed, which
    /// nodes failed, why no node is eligible, or why the spec is invalid.
    public var message: String = ""
    /// The metadata.generation of the spec this status was computed from. Lower than the object's
    /// generation: the operator has not acted on the latest edit yet.
    public var observedGeneration: Int64?
    /// When the operator started the first node's Job (RFC 3339); absent before.
    public var startTime: String?
    /// When the DaemonJob reached Succeed, Failed or Cancelled with a valid spec (RFC 3339); absent
    /// while it is not finished, and removed when a retry or a new node makes it run again.
    public var completionTime: String?
    /// Standard conditions: Valid (False when the spec is invalid, with the first error's reason
    /// and every error in the message), Progressing (True until the state is Succeed, Failed or
    /// Cancelled; False with reason NoEligibleNodes while no node is eligible) and Complete (True
    /// once every desired node succeeded).
    public var conditions: [StatusCondition] = []
    /// How many nodes should run a Job (the rows of status.nodes): the eligible nodes plus the
    /// nodes that already got a Job or were cancelled.
    public var desired = 0
    /// How many nodes have a Job that is Pending or Running.
    public var active = 0
    /// How many nodes' Jobs succeeded.
    public var succeeded = 0
    /// How many nodes' Jobs failed.
    public var failed = 0
    /// One row per desired node, sorted by node name: its Job, its phase, and how its current
    /// attempt is going. A node that got a Job keeps its row when it later becomes ineligible.
    public var nodes: [EntryStatus] = []
    /// The nodes of the cluster that get no Job, each with the reason.
    public var skippedNodes: [SkippedNode] = []
    /// Names in excludeNodeList that are not nodes of the cluster (a typo, or a node that left);
    /// absent when there are none.
    public var unknownExcludedNodes: [String] = []
    /// True after a request to cancel everything (cancel "*"): the state becomes Cancelled once
    /// nothing runs. A retry that is carried out clears it. Absent when false.
    public var cancelled = false
    /// The retry and cancel requests (the api.practice.com/retry and api.practice.com/cancel
    /// annotations) that were carried out, each kept until its annotation is removed, so that every
    /// request takes effect exactly once.
    public var handledRequests: [HandledRequest] = []

    public init() {}

    public var json: JSONValue {
        var o: JSONValue = [
            "state": .string(state.rawValue), "progress": .string(progress), "message": .string(message),
            "conditions": .array(conditions.map(\.json)), "desired": .int(Int64(desired)), "active": .int(Int64(active)),
            "succeeded": .int(Int64(succeeded)), "failed": .int(Int64(failed)),
            "nodes": .array(nodes.map { n in
                var j = n.json
                j["node"] = .string(n.name)
                j["name"] = nil
                return j
            }),
            "skippedNodes": .array(skippedNodes.map(\.json)),
        ]
        if let g = observedGeneration { o["observedGeneration"] = .int(g) }
        o.set("startTime", startTime)
        o.set("completionTime", completionTime)
        if !unknownExcludedNodes.isEmpty { o["unknownExcludedNodes"] = .array(unknownExcludedNodes.map { .string($0) }) }
        if cancelled { o["cancelled"] = true }
        if !handledRequests.isEmpty { o["handledRequests"] = .array(handledRequests.map(\.json)) }
        return o
    }

    public init(json: JSONValue?) {
        guard let json, json.objectValue != nil else { return }
        state = json["state"]?.stringValue.map(FlowState.init(rawValue:)) ?? .pending
        progress = json["progress"]?.stringValue ?? "0/0"
        message = json["message"]?.stringValue ?? ""
        observedGeneration = json["observedGeneration"]?.intValue
        startTime = json["startTime"]?.stringValue
        completionTime = json["completionTime"]?.stringValue
        conditions = (json["conditions"]?.arrayValue ?? []).compactMap(StatusCondition.init(json:))
        desired = Int(clamping: json["desired"]?.intValue ?? 0)
        active = Int(clamping: json["active"]?.intValue ?? 0)
        succeeded = Int(clamping: json["succeeded"]?.intValue ?? 0)
        failed = Int(clamping: json["failed"]?.intValue ?? 0)
        nodes = (json["nodes"]?.arrayValue ?? []).compactMap { EntryStatus(json: $0, key: "node") }
        skippedNodes = (json["skippedNodes"]?.arrayValue ?? []).compactMap(SkippedNode.init(json:))
        unknownExcludedNodes = (json["unknownExcludedNodes"]?.arrayValue ?? []).compactMap(\.stringValue)
        cancelled = json["cancelled"]?.boolValue ?? false
        handledRequests = (json["handledRequests"]?.arrayValue ?? []).compactMap(HandledRequest.init(json:))
    }
}
