import JobFlowAPI
import Kube

/// Steps the JobFlow and DaemonJob planners share: requests, observing a Job, conditions.
enum PlanSupport {
    /// The outcome of reading the retry and cancel annotations against the handled-request records.
    struct Requests {
        var records: [HandledRequest] = []
        var removals: [Action] = []
        var events: [EventRecord] = []
        var cancelAll = false
        var retried = false
    }

    /// Carries out new retry/cancel requests on `units` (entries or nodes) exactly once, by the
    /// shared rule (`RequestPreview`): the same effect the CLI printed and the UI confirmed.
    ///
    /// A request is new when its annotation is present and no record holds the same kind and value.
    /// A new request changes `units` and adds a record; the caller writes the record in the same
    /// status write that carries the changes, before anything else happens. A request whose record
    /// exists is done: only its annotation is removed. A record whose annotation is gone is dropped.
    /// `subject` gives each unit's phase as observed now (and its dependencies); a named target the
    /// rule refuses gets an Event saying why, so a request written by hand is never silently lost.
    static func handleRequests(annotations: [String: String], stored: [HandledRequest], units: inout [String: EntryStatus],
                               subject: RequestSubject, now: String) -> Requests {
        var out = Requests()
        for kind in [RequestKind.cancel, .retry] {
            guard let value = annotations[kind.annotation] else { continue }
            let record = HandledRequest(kind: kind, value: value)
            out.records.append(record)
            out.removals.append(.removeAnnotation(key: kind.annotation, expectedValue: value))
            if stored.contains(record) { continue }
            let targets = RequestTargets(parsing: value)
            let preview = RequestPreview(kind, targets: targets, on: subject)
            for refusal in preview.refusals {
                out.events.append(EventRecord(units[refusal.name] == nil ? .warning : .normal, kind.ignoredEvent, "\(kind.rawValue) \(DNSName.quoted(refusal.name)) not carried out: \(refusal.why) (\(refusal.rule))"))
            }
            for name in preview.applied {
                guard var unit = units[name] else { continue }
                if kind == .cancel {
                    unit.phase = .cancelled
                    unit.reason = .cancelRequested
                    unit.message = "cancelled by request"
                    unit.completionTime = now
                } else {
                    var previous = unit.outcome
                    previous.phase = subject.units.first { $0.name == name }?.phase ?? unit.phase
                    let next = EntryStatus(name: unit.name, jobName: unit.jobName, phase: .waiting,
                                           attempts: unit.attempts > 0 ? unit.attempts + 1 : 0)
                    unit = next
                    if previous.attempt > 0 { unit.previous = previous }
                    unit.reason = .retryRequested
                }
                units[name] = unit
            }
            let changed = preview.applied
            if kind == .cancel {
                if targets.all { out.cancelAll = true }
                if !changed.isEmpty {
                    out.events.append(EventRecord(.normal, kind.doneEvent, "cancelled " + changed.joined(separator: ", ")))
                } else if targets.all {
                    out.events.append(EventRecord(.normal, kind.doneEvent, "cancelled; nothing was running"))
                }
            } else if !changed.isEmpty {
                out.retried = true
                let attempts = changed.map { n in "\(n) (attempt \(max(units[n]?.attempts ?? 1, 1)))" }
                var message = "retrying " + attempts.joined(separator: ", ")
                let via = preview.rootCauses.map { "\($0.skipped) was skipped because of \($0.causes.joined(separator: ", "))" }
                if !via.isEmpty { message += " (" + via.joined(separator: "; ") + ")" }
                out.events.append(EventRecord(.normal, kind.doneEvent, message))
            } else if targets.all {
                out.events.append(EventRecord(.normal, kind.ignoredEvent, "retry *: nothing is Failed or Cancelled"))
            }
        }
        return out
    }

    /// Fills `unit` from its observed Job; returns the events of a transition.
    /// The units with their current Job read in (units not cancelled whose Job is ours and of
    /// their current attempt): the world requests act on. Events of this reading are dropped;
    /// the plan's own observation emits them.
    static func withCurrentJobs(_ units: [String: EntryStatus], observed: [String: ObservedJob], ownerUID: String,
                                now: String) -> [String: EntryStatus] {
        var current = units
        for (name, unit) in units where unit.phase != .cancelled {
            if let job = observed[unit.jobName], job.controllerUID == ownerUID, job.attempt >= unit.attempts {
                var u = unit
                _ = observe(job, into: &u, stored: u.phase, now: now)
                current[name] = u
            }
        }
        return current
    }

    static func observe(_ job: ObservedJob, into unit: inout EntryStatus, stored: EntryPhase?, now: String) -> [EventRecord] {
        if job.attempt > unit.attempts { unit.attempts = job.attempt }
        if unit.attempts == 0 { unit.attempts = 1 }
        unit.phase = job.phase
        unit.reason = job.reason
        unit.message = job.message
        unit.jobUID = job.uid
        unit.podName = job.podName ?? unit.podName
        unit.nodeName = job.nodeName ?? unit.nodeName
        unit.exitCode = job.exitCode ?? unit.exitCode
        if job.phase != .pending || job.startTime != nil {
            unit.startTime = job.startTime ?? unit.startTime ?? now
        }
        unit.completionTime = job.phase.isFinished ? (job.completionTime ?? unit.completionTime ?? now) : nil
        guard stored != job.phase else { return [] }
        switch job.phase {
        case .succeed: return [EventRecord(.normal, EventReason.jobSucceeded, "Job \(job.name) succeeded")]
        case .failed:
            var m = "Job \(job.name) failed"
            if let r = job.reason { m += ": \(r)" }
            if let c = job.exitCode { m += " (exit code \(c))" }
            return [EventRecord(.warning, EventReason.jobFailed, m)]
        default: return []
        }
    }

    /// A Job that is not ours under the name we need.
    /// Handles the two cases where a unit's Job must not be planned on as its current attempt, and
    /// says whether it did: a Job that is not ours (a conflict, unless the unit is cancelled — we
    /// never touch it), or one of an older attempt (delete it and wait for it to go).
    static func settleForeignOrOlder(_ job: ObservedJob, into unit: inout EntryStatus, ownerUID: String, stored: EntryStatus?,
                                     events: inout [EventRecord], deletes: inout [Action]) -> Bool {
        if job.controllerUID != ownerUID {
            if unit.phase != .cancelled { events += conflict(job, into: &unit, stored: stored) }
            return true
        }
        guard job.attempt < unit.attempts else { return false }
        if !job.isDeleting { deletes.append(.deleteJob(name: job.name, uid: job.uid)) }
        if unit.phase != .cancelled {
            unit.phase = .pending
            unit.reason = .deletingPreviousAttempt
            unit.message = "waiting for Job \(job.name) of attempt \(job.attempt) to be deleted"
        }
        return true
    }

    static func conflict(_ job: ObservedJob, into unit: inout EntryStatus, stored: EntryStatus?) -> [EventRecord] {
        unit.phase = .waiting
        unit.reason = .jobConflict
        let owner = job.controllerKind.map { "\($0) \(job.controllerName ?? "?")" } ?? "nothing"
        unit.message = "Job \(job.name) exists and is controlled by \(owner), not by this object; delete or rename it"
        guard stored?.reason != .jobConflict else { return [] }
        return [EventRecord(.warning, EventReason.jobConflict, unit.message!)]
    }

    /// A Job seen for this attempt is gone. Finished outcomes are kept (TTL cleanup deletes finished
    /// Jobs); an unfinished one becomes Failed/JobDeleted and is not recreated by itself.
    static func vanished(_ unit: inout EntryStatus, reason: EntryReason, now: String) -> [EventRecord] {
        guard unit.phase.isActive else { return [] }
        unit.phase = .failed
        unit.reason = reason
        unit.message = reason == .jobDeleted
            ? "Job \(unit.jobName) was deleted before it finished; retry to run it again"
            : unit.message
        unit.completionTime = now
        return [EventRecord(.warning, reason == .jobDeleted ? EventReason.jobDeleted : EventReason.nodeLost,
                            unit.message ?? "\(unit.name): \(reason)")]
    }

    /// Marks `unit` as creating the Job of its current attempt (1 for a first run). `isNew` is
    /// true unless the stored status already said Creating for this attempt: a create that is
    /// planned again (the cache has not shown the Job yet) is reported once, on the transition.
    static func beginAttempt(_ unit: inout EntryStatus, before: EntryStatus?) -> (attempt: Int, isNew: Bool) {
        let attempt = max(unit.attempts, 1)
        let isNew = !(before?.reason == .creating && before?.attempts == attempt)
        unit.attempts = attempt
        unit.phase = .pending
        unit.reason = .creating
        unit.message = nil
        return (attempt, isNew)
    }

    /// The Valid, Progressing and Complete conditions for `state`.
    static func conditions(state: FlowState, invalid: [Finding], stored: [StatusCondition], generation: Int64?, now: String) -> [StatusCondition] {
        let valid = invalid.isEmpty
            ? StatusCondition(type: .valid, status: true, reason: .valid, message: "spec is valid", lastTransitionTime: now, observedGeneration: generation)
            : StatusCondition(type: .valid, status: false, reason: ConditionReason(invalid[0].reason), message: invalid.combinedMessage, lastTransitionTime: now, observedGeneration: generation)
        let terminal = state.isTerminal
        let progressing = StatusCondition(type: .progressing, status: !terminal, reason: ConditionReason(state),
                                          message: terminal ? "nothing left to run" : "jobs are pending or running", lastTransitionTime: now, observedGeneration: generation)
        let complete = StatusCondition(type: .complete, status: state == .succeed, reason: state == .succeed ? .succeeded : ConditionReason(state),
                                       message: state == .succeed ? "every job succeeded" : "not every job has succeeded", lastTransitionTime: now, observedGeneration: generation)
        return [valid, progressing, complete].map { $0.keepingTransitionTime(from: stored) }
    }

    /// Writes first, then deletes, creates, events, and annotation removals last.
    static func assemble(stored: JSONValue?, status: JSONValue, resourceVersion: String?, deletes: [Action], creates: [Action],
                         events: [EventRecord], removals: [Action]) -> Plan {
        var actions: [Action] = []
        if StatusDiff.needsWrite(stored: stored, computed: status) {
            actions.append(.writeStatus(status, resourceVersion: resourceVersion))
        }
        actions += deletes
        actions += creates
        actions += events.map(Action.recordEvent)
        actions += removals
        return Plan(status: status, actions: actions)
    }
}
