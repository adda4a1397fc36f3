import Kube

/// An Event the reconciler records on the planned object.
public struct EventRecord: Sendable, Hashable {
    public enum EventType: String, Sendable, Hashable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public var type: EventType
    public var reason: String
    public var message: String

    public init(_ type: EventType, _ reason: String, _ message: String) {
        self.type = type
        self.reason = reason
        self.message = message
    }
}

/// Something the reconciler does for a plan. Perform the actions in order and stop at the first
/// that fails (then requeue): the order is part of the exactly-once protocol.
public enum Action: Sendable, Hashable {
    /// Replace `status` through the status subresource, with `resourceVersion` as precondition
    /// (a stale cache then gets 409 Conflict instead of acting twice). Only planned when changed.
    case writeStatus(JSONValue, resourceVersion: String?)
    /// Create this Job. AlreadyExists is not an error (the cache was stale); requeue.
    case createJob(JSONValue)
    /// Delete the Job with `propagationPolicy: Background` and a `uid` precondition. NotFound is
    /// not an error.
    case deleteJob(name: String, uid: String)
    /// Record an Event on the planned object.
    case recordEvent(EventRecord)
    /// Remove annotation `key` only if it still has `expectedValue` (a JSON patch with a `test`
    /// op): a new request written meanwhile is never lost.
    case removeAnnotation(key: String, expectedValue: String)
}

/// What a planner returns: the status it computed and the actions to converge.
public struct Plan: Sendable, Hashable {
    public var status: JSONValue
    public var actions: [Action]

    /// The events in `actions`.
    public var events: [EventRecord] {
        actions.compactMap { if case .recordEvent(let e) = $0 { return e } else { return nil } }
    }
    /// The Jobs to create.
    public var createdJobs: [JSONValue] {
        actions.compactMap { if case .createJob(let j) = $0 { return j } else { return nil } }
    }
    /// The names of the Jobs to delete.
    public var deletedJobs: [String] {
        actions.compactMap { if case .deleteJob(let n, _) = $0 { return n } else { return nil } }
    }
}

/// Event reasons the planners use.
public enum EventReason {
    public static let jobCreated = "JobCreated"
    public static let jobSucceeded = "JobSucceeded"
    public static let jobFailed = "JobFailed"
    public static let jobDeleted = "JobDeleted"
    public static let jobConflict = "JobConflict"
    public static let orphanedJob = "OrphanedJob"
    public static let flowSucceeded = "FlowSucceeded"
    public static let flowFailed = "FlowFailed"
    public static let flowCancelled = "FlowCancelled"
    public static let validationFailed = "ValidationFailed"
    public static let retried = "Retried"
    public static let retryIgnored = "RetryIgnored"
    public static let cancelled = "Cancelled"
    public static let cancelIgnored = "CancelIgnored"
    public static let templateMissing = "TemplateMissing"
    public static let restartPolicyOverridden = "RestartPolicyOverridden"
    public static let nodeLost = "NodeLost"
    public static let noEligibleNodes = "NoEligibleNodes"
    public static let unknownExcludedNode = "UnknownExcludedNode"
}

/// A retry/cancel annotation value: comma-separated names or `*`, whitespace and empty items tolerated.
public struct RequestTargets: Sendable, Hashable {
    public var all: Bool
    public var names: [String]

    public init(parsing value: String) {
        var names: [String] = []
        var all = false
        for raw in value.split(separator: ",") {
            let n = raw.trimmingCharacters(in: " \t\r\n")
            if n == "*" { all = true } else if !n.isEmpty, !names.contains(n) { names.append(n) }
        }
        self.all = all
        self.names = names
    }

    public func includes(_ name: String) -> Bool { all || names.contains(name) }
}

extension Action: CustomStringConvertible {
    /// One line for logs: what is done, never the whole object.
    public var description: String {
        switch self {
        case .writeStatus(let status, let rv):
            return "writeStatus state=\(status["state"]?.stringValue ?? "?") progress=\(status["progress"]?.stringValue ?? "?") rv=\(rv ?? "-")"
        case .createJob(let job): return "createJob \(job[path: "metadata.name"]?.stringValue ?? "?")"
        case .deleteJob(let name, let uid): return "deleteJob \(name) uid=\(uid)"
        case .recordEvent(let e): return "event \(e.type.rawValue) \(e.reason): \(e.message)"
        case .removeAnnotation(let key, let value): return "removeAnnotation \(key)=\(value)"
        }
    }
}
