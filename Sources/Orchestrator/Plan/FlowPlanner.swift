import Foundation
import JobFlowAPI
import Kube

/// Plans one reconcile of a JobFlow: reads the flow, its templates, Jobs and pods, and returns the
/// status and the actions that converge the world. Pure: no I/O, no clock but `now`.
public enum FlowPlanner {
    /// The Job names the flow's entries use: the reconciler should include any Job with one of
    /// these names in `jobs`, whoever owns it, so that conflicts are seen.
    public static func expectedJobNames(flow: JSONValue) -> [String] {
        let name = flow[path: "metadata.name"]?.stringValue ?? ""
        return JobFlowSpec.decode(flow["spec"]).spec.flows.map { JobName.make(owner: name, suffix: $0.name) }
    }

    /// One reconcile.
    /// - Parameters:
    ///   - flow: the JobFlow as cached (metadata, spec, status).
    ///   - templates: JobTemplates of the flow's namespace by name (whole objects).
    ///   - jobs: the flow's Jobs (label or owner selected) plus any Job named in `expectedJobNames`.
    ///   - pods: the pods of those Jobs.
    ///   - now: the time stamped on transitions.
    public static func plan(flow: JSONValue, templates: [String: JSONValue], jobs: [JSONValue], pods: [JSONValue],
                            now: Date) -> Plan {
        let nowString = KubeTimestamp.time(now)
        let owner = Owner(object: flow)
        let storedJSON = flow["status"]
        let stored = JobFlowStatus(json: storedJSON)
        let generation = flow[path: "metadata.generation"]?.intValue
        let annotations = (flow[path: "metadata.annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let terminating = flow[path: "metadata.deletionTimestamp"] != nil

        let (spec, decodeFindings) = JobFlowSpec.decode(flow["spec"])
        let findings = decodeFindings + Validator.validate(jobFlowSpec: spec)
        let errors = findings.errors
        let valid = errors.isEmpty

        var seen = Set<String>()
        let entries = spec.flows.filter { seen.insert($0.name).inserted }
        let storedByName = Dictionary(stored.jobs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let observed = PodIndex.observe(jobs, pods: pods)

        var units: [String: EntryStatus] = [:]
        for entry in entries {
            var unit = storedByName[entry.name] ?? EntryStatus(name: entry.name, jobName: "")
            unit.jobName = JobName.make(owner: owner.name, suffix: entry.name)
            units[entry.name] = unit
        }

        // Requests act on the world as observed now: each unit with its current Job read in.
        let preObserved = PlanSupport.withCurrentJobs(units, observed: observed, ownerUID: owner.uid, now: nowString)
        var requestUnits = preObserved
        let subject = RequestSubject(kind: .jobFlow, units: entries.map { e in
            RequestSubject.Unit(name: e.name, phase: preObserved[e.name]?.phase ?? .waiting, reason: preObserved[e.name]?.reason,
                                dependencies: e.dependencies)
        }, failurePolicy: spec.failurePolicy)
        let requests = PlanSupport.handleRequests(annotations: annotations, stored: stored.handledRequests, units: &requestUnits,
                                                  subject: subject, now: nowString)
        for (name, unit) in requestUnits where unit != preObserved[name] { units[name] = unit }
        var cancelledFlow = stored.cancelled
        if requests.retried { cancelledFlow = false }
        if requests.cancelAll { cancelledFlow = true }

        let order = valid ? FlowGraph(entries).topologicalOrder() : entries.map(\.name)
        // FailFast looks at the whole flow, not only at entries earlier in the order.
        let failedName = entries.first { requestUnits[$0.name]?.phase == .failed }?.name

        var events = requests.events
        var deletes: [Action] = []
        var creates: [Action] = []
        var phases: [String: EntryPhase] = [:]
        var skipRoots: [String: (name: String, phase: EntryPhase)] = [:]
        let entryByName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        for name in order {
            guard let entry = entryByName[name], var unit = units[name] else { continue }
            let before = storedByName[name]
            if let job = observed[unit.jobName],
               PlanSupport.settleForeignOrOlder(job, into: &unit, ownerUID: owner.uid, stored: before, events: &events, deletes: &deletes) {
                // A Job that is not ours, or one of an older attempt: settled there.
            } else if let job = observed[unit.jobName] {
                if unit.phase == .cancelled {
                    if !job.phase.isFinished, !job.isDeleting { deletes.append(.deleteJob(name: job.name, uid: job.uid)) }
                } else {
                    events += PlanSupport.observe(job, into: &unit, stored: before?.phase, now: nowString)
                }
            } else if unit.phase == .cancelled {
                // Stays cancelled until retried.
            } else if unit.jobUID != nil {
                events += PlanSupport.vanished(&unit, reason: .jobDeleted, now: nowString)
            } else if !valid {
                // Nothing starts in an invalid flow, so "waiting for job1" would promise what never comes.
                setWaiting(&unit, .flowInvalid, "not started: the spec is invalid")
            } else {
                let readiness = Readiness.of(dependencies: entry.dependencies, phases: phases, skipRoots: skipRoots)
                switch readiness {
                case .skipped(let upstream, let upstreamPhase, let via):
                    unit.phase = .skipped
                    unit.reason = upstreamPhase == .cancelled ? .upstreamCancelled : .upstreamFailed
                    let what = upstreamPhase == .cancelled ? "was cancelled" : (upstreamPhase == .skipped ? "was skipped" : "failed")
                    unit.message = "\(upstream) \(what)" + (via.map { " (via \($0))" } ?? "")
                    skipRoots[name] = (upstream, upstreamPhase)
                case .waiting(let on):
                    unit.phase = .waiting
                    unit.reason = .waitingForDependencies
                    unit.message = "waiting for " + on.joined(separator: ", ")
                case .ready:
                    if terminating {
                        setWaiting(&unit, .flowTerminating, "not started: the JobFlow is being deleted")
                    } else if cancelledFlow {
                        unit.phase = .cancelled
                        unit.reason = .flowCancelled
                        unit.message = "not started: the flow was cancelled"
                    } else if spec.failurePolicy == .failFast, let failed = failedName {
                        unit.phase = .skipped
                        unit.reason = .failFast
                        unit.message = "not started: \(failed) failed and failurePolicy is FailFast"
                        skipRoots[name] = (failed, .failed)
                    } else {
                        switch resolveTemplate(entry, templates: templates) {
                        case .failure(let reason, let message):
                            setWaiting(&unit, reason, message)
                            if before?.reason != reason {
                                events.append(EventRecord(.warning, reason == .templateNotFound ? .templateMissing : .invalidTemplate, "\(name): \(message)"))
                            }
                        case .success(let jobSpec):
                            let attempt = max(unit.attempts, 1)
                            let rendered = JobRenderer.render(flowEntry: entry, of: spec, owner: owner, jobSpec: jobSpec, attempt: attempt)
                            creates.append(.createJob(rendered.job))
                            let firstTime = !(before?.reason == .creating && before?.attempts == attempt)
                            unit.attempts = attempt
                            unit.phase = .pending
                            unit.reason = .creating
                            unit.message = nil
                            if firstTime {
                                events.append(EventRecord(.normal, EventReason.jobCreated, "created Job \(unit.jobName) for \(name) (attempt \(attempt))"))
                                events += rendered.warnings.map { EventRecord(.warning, EventReason.restartPolicyOverridden, "\(name): \($0)") }
                            }
                        }
                    }
                }
            }
            phases[name] = unit.phase
            units[name] = unit
        }

        var status = JobFlowStatus()
        status.jobs = entries.compactMap { units[$0.name] }
        status.handledRequests = requests.records
        status.cancelled = cancelledFlow
        let entryJobNames = Set(status.jobs.map(\.jobName))
        status.orphanedJobs = observed.values.filter { $0.controllerUID == owner.uid && !entryJobNames.contains($0.name) }
            .sorted { $0.name < $1.name }
            .map { OrphanedJob(jobName: $0.name, entry: $0.labels[Keys.flowLabel] ?? "", phase: $0.phase) }
        let storedOrphans = Set(stored.orphanedJobs.map(\.jobName))
        for orphan in status.orphanedJobs where !storedOrphans.contains(orphan.jobName) {
            events.append(EventRecord(.normal, EventReason.orphanedJob,
                                      "Job \(orphan.jobName) belongs to entry \(DNSName.quoted(orphan.entry)), which is no longer in the spec; it is left to finish and is deleted with the JobFlow"))
        }
        finish(&status, stored: stored, valid: valid, errors: errors, terminating: terminating, generation: generation,
               now: nowString, events: &events)
        return PlanSupport.assemble(stored: storedJSON, status: status.json, resourceVersion: flow[path: "metadata.resourceVersion"]?.stringValue,
                                    deletes: deletes, creates: creates, events: events, removals: requests.removals)
    }

    static func setWaiting(_ unit: inout EntryStatus, _ reason: EntryReason, _ message: String) {
        unit.phase = .waiting
        unit.reason = reason
        unit.message = message
    }

    enum TemplateResolution {
        case success(JSONValue)
        case failure(reason: EntryReason, message: String)
    }

    /// The JobSpec of an entry: inline, or its JobTemplate's `spec.jobTemplate` read now (a
    /// template edited later does not change Jobs already created).
    static func resolveTemplate(_ entry: FlowEntry, templates: [String: JSONValue]) -> TemplateResolution {
        if let inline = entry.jobTemplate { return .success(inline) }
        guard let ref = entry.jobTemplateRef else { return .failure(reason: .invalidTemplate, message: "no jobTemplate or jobTemplateRef") }
        guard let template = templates[ref] else {
            return .failure(reason: .templateNotFound, message: "JobTemplate \(DNSName.quoted(ref)) not found; waiting for it")
        }
        let (decoded, findings) = JobTemplateSpec.decode(template["spec"])
        guard let decoded else {
            return .failure(reason: .invalidTemplate, message: "JobTemplate \(DNSName.quoted(ref)): " + findings.combinedMessage)
        }
        let problems = PodTemplateCheck.check(decoded.jobTemplate, path: "spec.jobTemplate").errors
        guard problems.isEmpty else {
            return .failure(reason: .invalidTemplate, message: "JobTemplate \(DNSName.quoted(ref)): " + problems.combinedMessage)
        }
        return .success(decoded.jobTemplate)
    }
}
