import Kube

/// A `metav1.Condition` as the status stores it.
public struct StatusCondition: Sendable, Hashable {
    /// Which condition this is: Valid, Progressing or Complete.
    public var type: ConditionType
    /// Whether the condition holds: True, False or Unknown.
    public var status: ConditionStatus
    /// One CamelCase word for why: Valid or Succeeded, NoEligibleNodes (a DaemonJob without nodes),
    /// the state (Running, Failed, …), or the first validation error's reason (DependencyCycle,
    /// UnknownDependency, …).
    public var reason: ConditionReason
    /// Details for people; when Valid is False, every validation error.
    public var message: String
    /// When status last changed from one value to another (RFC 3339).
    public var lastTransitionTime: String
    /// The metadata.generation of the spec the condition was computed from.
    public var observedGeneration: Int64?

    public init(type: ConditionType, status: Bool, reason: ConditionReason, message: String, lastTransitionTime: String, observedGeneration: Int64? = nil) {
        self.type = type
        self.status = ConditionStatus(status)
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
        self.observedGeneration = observedGeneration
    }

    public var json: JSONValue {
        var o: JSONValue = ["type": .string(type.rawValue), "status": .string(status.rawValue), "reason": .string(reason.rawValue),
                            "message": .string(message), "lastTransitionTime": .string(lastTransitionTime)]
        if let g = observedGeneration { o["observedGeneration"] = .int(g) }
        return o
    }

    public init?(json: JSONValue) {
        guard let type = json["type"]?.stringValue, let status = json["status"]?.stringValue else { return nil }
        self.type = ConditionType(rawValue: type)
        self.status = ConditionStatus(rawValue: status)
        reason = ConditionReason(rawValue: json["reason"]?.stringValue ?? "")
        message = json["message"]?.stringValue ?? ""
        lastTransitionTime = json["lastTransitionTime"]?.stringValue ?? ""
        observedGeneration = json["observedGeneration"]?.intValue
    }

    /// This condition, keeping the stored transition time when the status did not change.
    public func keepingTransitionTime(from stored: [StatusCondition]) -> StatusCondition {
        var c = self
        if let old = stored.first(where: { $0.type == type }), old.status == status, !old.lastTransitionTime.isEmpty {
            c.lastTransitionTime = old.lastTransitionTime
        }
        return c
    }
}

/// How an earlier attempt of an entry (or node) ended; kept in status when it is retried.
public struct AttemptOutcome: Sendable, Hashable {
    /// The number of that attempt (1 for the first).
    public var attempt: Int
    /// The phase that attempt ended in: Failed or Cancelled, the phases a retry applies to.
    public var phase: EntryPhase
    /// The reason that attempt ended with.
    public var reason: EntryReason?
    /// The message that attempt ended with.
    public var message: String?
    /// The exit code of that attempt's pod, when a container terminated.
    public var exitCode: Int?
    /// When that attempt's Job started (RFC 3339).
    public var startTime: String?
    /// When that attempt finished (RFC 3339).
    public var completionTime: String?

    public var json: JSONValue {
        var o: JSONValue = ["attempt": .int(Int64(attempt)), "phase": .string(phase.rawValue)]
        o.set("reason", reason?.rawValue)
        o.set("message", message)
        o.set("exitCode", exitCode)
        o.set("startTime", startTime)
        o.set("completionTime", completionTime)
        return o
    }

    public init(attempt: Int, phase: EntryPhase, reason: EntryReason?, message: String?, exitCode: Int?, startTime: String?, completionTime: String?) {
        self.attempt = attempt
        self.phase = phase
        self.reason = reason
        self.message = message
        self.exitCode = exitCode
        self.startTime = startTime
        self.completionTime = completionTime
    }

    public init?(json: JSONValue?) {
        guard let json, let phase = json["phase"]?.stringValue.map(EntryPhase.init(rawValue:)) else { return nil }
        attempt = Int(clamping: json["attempt"]?.intValue ?? 0)
        self.phase = phase
        reason = json["reason"]?.stringValue.map(EntryReason.init(rawValue:))
        message = json["message"]?.stringValue
        exitCode = json["exitCode"]?.intValue.map { Int(clamping: $0) }
        startTime = json["startTime"]?.stringValue
        completionTime = json["completionTime"]?.stringValue
    }
}

/// A retry or cancel request the planner has carried out, kept in status until its annotation is
/// gone: the record that makes each request happen exactly once (see docs/orchestrator.md).
public struct HandledRequest: Sendable, Hashable {
    /// Which request it was: retry or cancel.
    public var kind: RequestKind
    /// The annotation's value exactly as it was read: comma-separated entry or node names, or *.
    public var value: String

    public init(kind: RequestKind, value: String) {
        self.kind = kind
        self.value = value
    }

    public var json: JSONValue { ["kind": .string(kind.rawValue), "value": .string(value)] }

    public init?(json: JSONValue) {
        guard let kind = json["kind"]?.stringValue.flatMap(RequestKind.init(rawValue:)), let value = json["value"]?.stringValue else { return nil }
        self.kind = kind
        self.value = value
    }
}

extension JSONValue {
    /// Sets `key` to `value` when it is non-nil (omitempty).
    mutating func set(_ key: String, _ value: String?) {
        if let value { self[key] = .string(value) }
    }

    mutating func set(_ key: String, _ value: Int?) {
        if let value { self[key] = .int(Int64(value)) }
    }
}
