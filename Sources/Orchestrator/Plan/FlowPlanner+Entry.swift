import Foundation
import JobFlowAPI
import Kube

/// The decision for one flow entry, in small steps: its Job as observed, or, without one, its
/// readiness and then its start.
extension FlowPlanner {
    /// What every entry's decision reads: the same for all entries of one reconcile.
    struct EntryContext {
        let spec: JobFlowSpec
        let owner: Owner
        let observed: [String: ObservedJob]
        let templates: [String: JSONValue]
        let valid: Bool
        let terminating: Bool
        let cancelledFlow: Bool
        /// The first Failed entry (spec order), for FailFast.
        let failedName: String?
        let now: String
    }

    /// What the entries' decisions add up to, in topological order: later entries read the phases
    /// and skip causes of earlier ones.
    struct Outcome {
        var events: [EventRecord]
        var deletes: [Action] = []
        var creates: [Action] = []
        var phases: [String: EntryPhase] = [:]
        var skipRoots: [String: (name: String, phase: EntryPhase)] = [:]
    }

    /// The entry's new status; its events, deletes, creates and phase go into `outcome`.
    static func decide(_ entry: FlowEntry, _ unit: EntryStatus, before: EntryStatus?, _ c: EntryContext, _ outcome: inout Outcome) -> EntryStatus {
        var unit = unit
        if let job = c.observed[unit.jobName] {
            observe(job, into: &unit, before: before, c, &outcome)
        } else if unit.phase == .cancelled {
            // Stays cancelled until retried.
        } else if unit.jobUID != nil {
            outcome.events += PlanSupport.vanished(&unit, reason: .jobDeleted, now: c.now)
        } else if !c.valid {
            // Nothing starts in an invalid flow, so "waiting for job1" would promise what never comes.
            setWaiting(&unit, .flowInvalid, "not started: the spec is invalid")
        } else {
            decideUnstarted(entry, &unit, before: before, c, &outcome)
        }
        outcome.phases[entry.name] = unit.phase
        return unit
    }

    /// An entry whose Job exists: someone else's or an older attempt's (settled there), one to stop
    /// (cancelled), or ours to read.
    static func observe(_ job: ObservedJob, into unit: inout EntryStatus, before: EntryStatus?, _ c: EntryContext, _ outcome: inout Outcome) {
        if PlanSupport.settleForeignOrOlder(job, into: &unit, ownerUID: c.owner.uid, stored: before,
                                            events: &outcome.events, deletes: &outcome.deletes) {
            return
        }
        if unit.phase == .cancelled {
            if !job.phase.isFinished, !job.isDeleting { outcome.deletes.append(.deleteJob(name: job.name, uid: job.uid)) }
        } else {
            outcome.events += PlanSupport.observe(job, into: &unit, stored: before?.phase, now: c.now)
        }
    }

    /// An entry without a Job in a valid flow: skipped, waiting, or ready to start.
    static func decideUnstarted(_ entry: FlowEntry, _ unit: inout EntryStatus, before: EntryStatus?, _ c: EntryContext, _ outcome: inout Outcome) {
        switch Readiness.of(dependencies: entry.dependencies, phases: outcome.phases, skipRoots: outcome.skipRoots) {
        case .skipped(let upstream, let upstreamPhase, let via):
            unit.phase = .skipped
            unit.reason = upstreamPhase == .cancelled ? .upstreamCancelled : .upstreamFailed
            let what = upstreamPhase == .cancelled ? "was cancelled" : (upstreamPhase == .skipped ? "was skipped" : "failed")
            unit.message = "\(upstream) \(what)" + (via.map { " (via \($0))" } ?? "")
            outcome.skipRoots[entry.name] = (upstream, upstreamPhase)
        case .waiting(let on):
            unit.phase = .waiting
            unit.reason = .waitingForDependencies
            unit.message = "waiting for " + on.joined(separator: ", ")
        case .ready:
            decideReady(entry, &unit, before: before, c, &outcome)
        }
    }

    /// An entry whose dependencies all succeeded: held back by the object's state or FailFast, or started.
    static func decideReady(_ entry: FlowEntry, _ unit: inout EntryStatus, before: EntryStatus?, _ c: EntryContext, _ outcome: inout Outcome) {
        if c.terminating {
            setWaiting(&unit, .flowTerminating, "not started: the JobFlow is being deleted")
        } else if c.cancelledFlow {
            unit.phase = .cancelled
            unit.reason = .flowCancelled
            unit.message = "not started: the flow was cancelled"
        } else if c.spec.failurePolicy == .failFast, let failed = c.failedName {
            unit.phase = .skipped
            unit.reason = .failFast
            unit.message = "not started: \(failed) failed and failurePolicy is FailFast"
            outcome.skipRoots[entry.name] = (failed, .failed)
        } else {
            start(entry, &unit, before: before, c, &outcome)
        }
    }

    /// Renders and creates the entry's Job, or waits for a template that is missing or unusable.
    /// Events are for transitions: a template problem is reported when the reason changes, a
    /// create once per attempt.
    static func start(_ entry: FlowEntry, _ unit: inout EntryStatus, before: EntryStatus?, _ c: EntryContext, _ outcome: inout Outcome) {
        switch resolveTemplate(entry, templates: c.templates) {
        case .failure(let reason, let message):
            setWaiting(&unit, reason, message)
            if before?.reason != reason {
                outcome.events.append(EventRecord(.warning, reason == .templateNotFound ? .templateMissing : .invalidTemplate, "\(entry.name): \(message)"))
            }
        case .success(let jobSpec):
            let (attempt, firstTime) = PlanSupport.beginAttempt(&unit, before: before)
            let rendered = JobRenderer.render(flowEntry: entry, of: c.spec, owner: c.owner, jobSpec: jobSpec, attempt: attempt)
            outcome.creates.append(.createJob(rendered.job))
            if firstTime {
                outcome.events.append(EventRecord(.normal, .jobCreated, "created Job \(unit.jobName) for \(entry.name) (attempt \(attempt))"))
                outcome.events += rendered.warnings.map { EventRecord(.warning, .restartPolicyOverridden, "\(entry.name): \($0)") }
            }
        }
    }
}
