import Kube

/// A node that gets no Job, and why.
public struct SkippedNode: Sendable, Hashable {
    public var node: String
    public var reason: SkipReason
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
