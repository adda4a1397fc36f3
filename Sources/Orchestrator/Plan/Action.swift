import JobFlowAPI
import Kube

/// An Event the reconciler records on the planned object.
public struct EventRecord: Sendable, Hashable {
    public enum EventType: String, Sendable, Hashable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public var type: EventType
    public var reason: EventReason
    public var message: String

    public init(_ type: EventType, _ reason: EventReason, _ message: String) {
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
