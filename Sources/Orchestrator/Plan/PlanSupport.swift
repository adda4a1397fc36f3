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

    /// Carries out new retry/cancel requests on `units` (entries or nodes) exactly once.
    ///
    /// A request is new when its annotation is present and no record holds the same kind and value.
    /// A new request changes `units` and adds a record; the caller writes the record in the same
    /// status write that carries the changes, before anything else happens. A request whose record
    /// exists is done: only its annotation is removed. A record whose annotation is gone is dropped.
    /// `current` gives each unit's phase as observed now; `noun` names a unit in messages.
    static func handleRequests(annotations: [String: String], stored: [HandledRequest], units: inout [String: EntryStatus],
                               order: [String], current: (String) -> EntryPhase, noun: String, now: String) -> Requests {
        var out = Requests()
        for (kind, key) in [("cancel", Keys.cancelAnnotation), ("retry", Keys.retryAnnotation)] {
            guard let value = annotations[key] else { continue }
            let record = HandledRequest(kind: kind, value: value)
            out.records.append(record)
            out.removals.append(.removeAnnotation(key: key, expectedValue: value))
            if stored.contains(record) { continue }
            let targets = RequestTargets(parsing: value)
            for name in targets.names where units[name] == nil {
                out.events.append(EventRecord(.warning, kind == "retry" ? EventReason.retryIgnored : EventReason.cancelIgnored,
                                              "\(kind) \(DNSName.quoted(name)): no \(noun) with that name"))
            }
            var changed: [String] = []
            for name in order where targets.includes(name) {
                guard var unit = units[name] else { continue }
                let phase = current(name)
                if kind == "cancel" {
                    guard !phase.isFinished else {
                        if !targets.all {
                            out.events.append(EventRecord(.normal, EventReason.cancelIgnored, "\(name) is \(phase.rawValue); nothing to cancel"))
                        }
                        continue
                    }
                    unit.phase = .cancelled
                    unit.reason = "CancelRequested"
                    unit.message = "cancelled by request"
                    unit.completionTime = now
                } else {
                    guard phase.isRetryable else {
                        if !targets.all {
                            out.events.append(EventRecord(.normal, EventReason.retryIgnored,
                                                          "\(name) is \(phase.rawValue); only Failed or Cancelled \(noun)s are retried"))
                        }
                        continue
                    }
                    var previous = unit.outcome
                    previous.phase = phase
                    let next = EntryStatus(name: unit.name, jobName: unit.jobName, phase: .waiting,
                                           attempts: unit.attempts > 0 ? unit.attempts + 1 : 0)
                    unit = next
                    if previous.attempt > 0 { unit.previous = previous }
                    unit.reason = "RetryRequested"
                }
                units[name] = unit
                changed.append(name)
            }
            if kind == "cancel" {
                if targets.all { out.cancelAll = true }
                if !changed.isEmpty {
                    out.events.append(EventRecord(.normal, EventReason.cancelled, "cancelled " + changed.joined(separator: ", ")))
                } else if targets.all {
                    out.events.append(EventRecord(.normal, EventReason.cancelled, "cancelled; nothing was running"))
                }
            } else if !changed.isEmpty {
                out.retried = true
                let attempts = changed.map { n in "\(n) (attempt \(max(units[n]?.attempts ?? 1, 1)))" }
                out.events.append(EventRecord(.normal, EventReason.retried, "retrying " + attempts.joined(separator: ", ")))
            } else if targets.all {
                out.events.append(EventRecord(.normal, EventReason.retryIgnored, "retry *: nothing is Failed or Cancelled"))
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
            unit.reason = "DeletingPreviousAttempt"
            unit.message = "waiting for Job \(job.name) of attempt \(job.attempt) to be deleted"
        }
        return true
    }

    static func conflict(_ job: ObservedJob, into unit: inout EntryStatus, stored: EntryStatus?) -> [EventRecord] {
        unit.phase = .waiting
        unit.reason = "JobConflict"
        let owner = job.controllerKind.map { "\($0) \(job.controllerName ?? "?")" } ?? "nothing"
        unit.message = "Job \(job.name) exists and is controlled by \(owner), not by this object; delete or rename it"
        guard stored?.reason != "JobConflict" else { return [] }
        return [EventRecord(.warning, EventReason.jobConflict, unit.message!)]
    }

    /// A Job seen for this attempt is gone. Finished outcomes are kept (TTL cleanup deletes finished
    /// Jobs); an unfinished one becomes Failed/JobDeleted and is not recreated by itself.
    static func vanished(_ unit: inout EntryStatus, reason: String, now: String) -> [EventRecord] {
        guard unit.phase.isActive else { return [] }
        unit.phase = .failed
        unit.reason = reason
        unit.message = reason == "JobDeleted"
            ? "Job \(unit.jobName) was deleted before it finished; retry to run it again"
            : unit.message
        unit.completionTime = now
        return [EventRecord(.warning, reason == "JobDeleted" ? EventReason.jobDeleted : EventReason.nodeLost,
                            unit.message ?? "\(unit.name): \(reason)")]
    }

    /// The Valid, Progressing and Complete conditions for `state`.
    static func conditions(state: FlowState, invalid: [Finding], stored: [StatusCondition], generation: Int64?, now: String) -> [StatusCondition] {
        let valid = invalid.isEmpty
            ? StatusCondition(type: "Valid", status: true, reason: "Valid", message: "spec is valid", lastTransitionTime: now, observedGeneration: generation)
            : StatusCondition(type: "Valid", status: false, reason: invalid[0].reason, message: invalid.combinedMessage, lastTransitionTime: now, observedGeneration: generation)
        let terminal = state == .succeed || state == .failed || state == .cancelled
        let progressing = StatusCondition(type: "Progressing", status: !terminal, reason: terminal ? state.rawValue : (state == .terminating ? "Terminating" : state.rawValue),
                                          message: terminal ? "nothing left to run" : "jobs are pending or running", lastTransitionTime: now, observedGeneration: generation)
        let complete = StatusCondition(type: "Complete", status: state == .succeed, reason: state == .succeed ? "Succeeded" : state.rawValue,
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
