import Kube

/// A node that gets no Job, and why.
public struct SkippedNode: Sendable, Hashable {
    public var node: String
    public var reason: SkipReason
    public var message: String

    var json: JSONValue { ["node": .string(node), "reason": .string(reason.rawValue), "message": .string(message)] }
}

/// `status` of a DaemonJob.
public struct DaemonJobStatus: Sendable, Hashable {
    public var state: FlowState = .pending
    public var progress: String = "0/0"
    public var message: String = ""
    public var observedGeneration: Int64?
    public var startTime: String?
    public var completionTime: String?
    public var conditions: [StatusCondition] = []
    public var desired = 0
    public var active = 0
    public var succeeded = 0
    public var failed = 0
    /// Per node, sorted by node name; `EntryStatus.name` is the node.
    public var nodes: [EntryStatus] = []
    public var skippedNodes: [SkippedNode] = []
    /// Names in excludeNodeList that are not nodes of the cluster.
    public var unknownExcludedNodes: [String] = []
    public var cancelled = false
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
        state = json["state"]?.stringValue.flatMap(FlowState.init(rawValue:)) ?? .pending
        progress = json["progress"]?.stringValue ?? "0/0"
        message = json["message"]?.stringValue ?? ""
        observedGeneration = json["observedGeneration"]?.intValue
        startTime = json["startTime"]?.stringValue
        completionTime = json["completionTime"]?.stringValue
        conditions = (json["conditions"]?.arrayValue ?? []).compactMap(StatusCondition.init(json:))
        nodes = (json["nodes"]?.arrayValue ?? []).compactMap { EntryStatus(json: $0, key: "node") }
        unknownExcludedNodes = (json["unknownExcludedNodes"]?.arrayValue ?? []).compactMap(\.stringValue)
        cancelled = json["cancelled"]?.boolValue ?? false
        handledRequests = (json["handledRequests"]?.arrayValue ?? []).compactMap(HandledRequest.init(json:))
    }
}
