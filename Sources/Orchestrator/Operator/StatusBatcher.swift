import JobFlowAPI
import Kube

/// Status-write batching and the Event memory that goes with it, as a value: given a plan's
/// actions, the stored status, the time and the queue's backlog, it says which actions to
/// perform now and when to come back for a status write it held. No clock, no lock, no I/O: the
/// operator keeps one in its locked state for the current leadership term and performs what it
/// returns (the swift-nio state-machine pattern `WatcherStateMachine` follows).
///
/// The rules (docs/operator.md, "Status-write batching"), like the Job controller's batched sync:
/// a status change that only reports progress (per-entry phases, progress, message) is written
/// `period` after it was first planned, and at most once per period per object, so a Job's pod
/// finishing, the Job finishing, the dependents' creates and their pods starting go out as one
/// write. While other keys wait in the work queue the hold stretches, up to `maxDelay` after the
/// last write: progress reports yield to Job creates when the operator is behind. The plan's Job
/// creates always go ahead; the status is planned again (level-based) and written when the hold
/// is over, or at once when something else changes: state, conditions, observedGeneration, a
/// retry/cancel record, a Job delete or an annotation removal (those keep the status-first order
/// of docs/orchestrator.md).
///
/// Events are planned on transitions against the stored status, so a held status would plan them
/// again: each is passed the first time and remembered until the status is written.
///
/// Memory is per object key and bounded by the objects that exist: `forget(_:)` drops a deleted
/// object's.
struct StatusBatcher: Sendable {
    /// Status keys that only report progress; any other difference is written at once.
    static let progressOnlyStatusKeys: Set<String> = ["progress", "message", "jobs", "nodes", "active", "succeeded", "failed"]

    /// How long a progress-only change is held (zero: never).
    var period: Duration
    /// How far a backlog stretches the hold after the last write.
    var maxDelay: Duration

    private(set) var lastWrite: [String: Duration] = [:]
    private(set) var pendingSince: [String: Duration] = [:]
    private(set) var eventsAhead: [String: Set<EventRecord>] = [:]

    init(period: Duration, maxDelay: Duration) {
        self.period = period
        self.maxDelay = maxDelay
    }

    /// Whether `new` differs from `old` only in progress-reporting keys (a missing old status never does).
    static func isProgressOnly(old: JSONValue?, new: JSONValue) -> Bool {
        guard let old = old?.objectValue, let new = new.objectValue else { return false }
        let keys = Set(old.keys).union(new.keys).subtracting(progressOnlyStatusKeys)
        return keys.allSatisfy { old[$0] == new[$0] }
    }

    /// The actions to perform now for `key`, and when to come back for a status write held back.
    /// - Parameters:
    ///   - stored: the object's status as cached (what the plan was made against).
    ///   - now: the operator's monotonic time.
    ///   - backlog: keys waiting in this controller's queue.
    mutating func filter(_ actions: [Action], stored: JSONValue?, key: String, now: Duration,
                         backlog: Int) -> (actions: [Action], retryAfter: Duration?) {
        var hold: Duration?
        if period > .zero, stored != nil,
           case .writeStatus(let status, _)? = actions.first(where: \.isStatusWrite),
           !actions.contains(where: \.mustFollowStatusWrite),
           StatusBatcher.isProgressOnly(old: stored, new: status) {
            // Due one period after the change was first planned…
            let pending = pendingSince[key] ?? now
            pendingSince[key] = pending
            var until = pending + period
            if let last = lastWrite[key] {
                // …and at most one write per period; while other keys wait, the hold stretches.
                until = max(until, last + (backlog > 0 ? max(period, maxDelay) : period))
            }
            if until > now { hold = until - now }
        }
        // Nothing to write any more (the change was undone): nothing is pending.
        if !actions.contains(where: \.isStatusWrite) { pendingSince[key] = nil }
        var kept: [Action] = []
        var emitted = eventsAhead[key] ?? []
        for action in actions {
            switch action {
            case .writeStatus:
                if hold != nil { continue }
                lastWrite[key] = now
                pendingSince[key] = nil
            case .recordEvent(let event):
                if emitted.contains(event) { continue }
                if hold != nil { emitted.insert(event) }
            default: break
            }
            kept.append(action)
        }
        // Once the status is written, the planner compares with it again: forget what was sent.
        eventsAhead[key] = hold == nil || emitted.isEmpty ? nil : emitted
        return (kept, hold)
    }

    /// Forgets the memory of a deleted object.
    mutating func forget(_ key: String) {
        lastWrite[key] = nil
        pendingSince[key] = nil
        eventsAhead[key] = nil
    }

    /// True when nothing is remembered for any object.
    var isEmpty: Bool { lastWrite.isEmpty && pendingSince.isEmpty && eventsAhead.isEmpty }
}

extension Action {
    var isStatusWrite: Bool {
        if case .writeStatus = self { return true }
        return false
    }

    var isJobCreate: Bool {
        if case .createJob = self { return true }
        return false
    }

    /// Actions whose safety depends on the status write before them (docs/orchestrator.md).
    var mustFollowStatusWrite: Bool {
        switch self {
        case .deleteJob, .removeAnnotation: return true
        default: return false
        }
    }
}
