import JobFlowAPI
import Kube

/// Status-write batching, like the Job controller's one-second batched sync: a status change that
/// only reports progress (per-entry phases, progress, message) is written `statusBatchPeriod`
/// after it was first planned, and at most once per period per object, so a Job's pod finishing,
/// the Job finishing, the dependents' creates and their pods starting go out as one write. While
/// other keys wait in the work queue the hold stretches, up to `statusMaxDelay`: progress reports
/// yield to Job creates when the operator is behind. The plan's Job creates always go ahead; the
/// status is planned again (level-based) and written when the hold is over, or at once when
/// something else changes: state, conditions, observedGeneration, a retry/cancel record, a Job
/// delete or an annotation removal (those keep the status-first order of docs/orchestrator.md).
///
/// Events are planned on transitions against the stored status, so a deferred status would plan
/// them again: each is recorded the first time and remembered until the status is written.
extension Operator {
    /// Status keys that only report progress; any other difference is written at once.
    static let progressOnlyStatusKeys: Set<String> = ["progress", "message", "jobs", "nodes", "active", "succeeded", "failed"]

    /// Whether `new` differs from `old` only in progress-reporting keys (a missing old status never does).
    static func isProgressOnly(old: JSONValue?, new: JSONValue) -> Bool {
        guard let old = old?.objectValue, let new = new.objectValue else { return false }
        let keys = Set(old.keys).union(new.keys).subtracting(progressOnlyStatusKeys)
        return keys.allSatisfy { old[$0] == new[$0] }
    }

    /// The actions to perform now for `key` (`kind/namespace/name`), and when to come back for a
    /// status write held back.
    /// `backlog`: keys waiting in this controller's queue.
    func batched(_ actions: [Action], on object: JSONValue, key: String, backlog: Int) -> (actions: [Action], retryAfter: Duration?) {
        let now = ticks.now()
        let period = configuration.statusBatchPeriod
        var defer_: Duration?
        if period > .zero,
           case .writeStatus(let status, _)? = actions.first(where: \.isStatusWrite),
           !actions.contains(where: \.mustFollowStatusWrite),
           Operator.isProgressOnly(old: object["status"], new: status),
           object["status"] != nil {
            // Due one period after the change was first planned (see the type's comment).
            let (last, pending) = state.withLock { s in
                if s.statusPendingSince[key] == nil { s.statusPendingSince[key] = now }
                return (s.lastStatusWrite[key], s.statusPendingSince[key] ?? now)
            }
            var until = pending + period
            if let last {
                // And at most one write per period; while other keys wait, the hold stretches.
                until = max(until, last + (backlog > 0 ? max(period, configuration.statusMaxDelay) : period))
            }
            if until > now { defer_ = until - now }
        }
        let writesStatus = actions.contains(where: \.isStatusWrite)
        return state.withLock { s in
            // Nothing to write any more (the change was undone): nothing is pending.
            if !writesStatus { s.statusPendingSince[key] = nil }
            var kept: [Action] = []
            var emitted = s.eventsAheadOfStatus[key] ?? []
            for action in actions {
                switch action {
                case .writeStatus:
                    if defer_ != nil { continue }
                    s.lastStatusWrite[key] = now
                    s.statusPendingSince[key] = nil
                case .recordEvent(let event):
                    if emitted.contains(event) { continue }
                    if defer_ != nil { emitted.insert(event) }
                default: break
                }
                kept.append(action)
            }
            // Once the status is written, the planner compares with it again: forget what was sent.
            s.eventsAheadOfStatus[key] = defer_ == nil || emitted.isEmpty ? nil : emitted
            return (kept, defer_)
        }
    }

    /// Forgets batching state of a deleted object.
    func forgetBatching(key: String) {
        state.withLock { s in
            s.lastStatusWrite[key] = nil
            s.statusPendingSince[key] = nil
            s.eventsAheadOfStatus[key] = nil
        }
    }
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
