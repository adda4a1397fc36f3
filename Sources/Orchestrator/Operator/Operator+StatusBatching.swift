import Kube

/// Status-write batching: like the Job controller's one-second sync batch, a status change that
/// only reports progress (per-entry phases, progress, message) within `statusBatchPeriod` of the
/// object's last status write is not written at once. While other keys wait in the work queue the
/// hold stretches, up to `statusMaxDelay`: progress reports yield to Job creates when the operator
/// is behind. The plan's Job creates always go ahead; the status is planned again (level-based) and
/// written when the hold is over, or at once when something else changes: state, conditions,
/// observedGeneration, a retry/cancel record, a Job delete or an annotation removal (those keep the
/// status-first order of docs/orchestrator.md).
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
            let (last, held) = state.withLock { ($0.lastStatusWrite[key], $0.statusHeldUntil[key]) }
            var until: Duration?
            if let last {
                let hold = backlog > 0 ? max(period, configuration.statusMaxDelay) : period
                if now - last < hold { until = last + hold }
            }
            if let held {
                if now < held { until = max(until ?? held, held) }
            } else if until == nil, actions.contains(where: \.isJobCreate) {
                // The Jobs being created will change state within moments: report them together,
                // once, instead of "Creating" now and "Running" a moment later. Once per write.
                until = now + period
                state.withLock { $0.statusHeldUntil[key] = now + period }
            }
            defer_ = until.map { $0 - now }
        }
        return state.withLock { s in
            var kept: [Action] = []
            var emitted = s.eventsAheadOfStatus[key] ?? []
            for action in actions {
                switch action {
                case .writeStatus:
                    if defer_ != nil { continue }
                    s.lastStatusWrite[key] = now
                    s.statusHeldUntil[key] = nil
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
            s.statusHeldUntil[key] = nil
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
