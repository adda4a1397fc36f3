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
        plan(JobFlow(object: flow), templates: templates, jobs: jobs, pods: pods, now: now)
    }

    /// One reconcile of a typed JobFlow (see `plan(flow:templates:jobs:pods:now:)`).
    public static func plan(_ flow: JobFlow, templates: [String: JSONValue], jobs: [JSONValue], pods: [JSONValue],
                            now: Date) -> Plan {
        let nowString = KubeTimestamp.time(now)
        let owner = Owner(kind: .jobFlow, flow.metadata)
        let storedJSON = flow.storedStatus
        let stored = flow.status
        let generation = flow.metadata.generation
        let annotations = flow.metadata.annotations
        let terminating = flow.metadata.isDeleting

        let spec = flow.spec
        let findings = flow.specFindings + Validator.validate(jobFlowSpec: spec)
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
                                dependencies: e.dependencies, attempts: preObserved[e.name]?.attempts ?? 0)
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

        let context = EntryContext(spec: spec, owner: owner, observed: observed, templates: templates, valid: valid,
                                   terminating: terminating, cancelledFlow: cancelledFlow, failedName: failedName, now: nowString)
        var outcome = Outcome(events: requests.events)
        let entryByName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in order {
            guard let entry = entryByName[name], let unit = units[name] else { continue }
            units[name] = decide(entry, unit, before: storedByName[name], context, &outcome)
        }
        var events = outcome.events

        var status = JobFlowStatus()
        status.jobs = entries.compactMap { units[$0.name] }
        status.handledRequests = requests.records
        status.cancelled = cancelledFlow
        status.orphanedJobs = orphans(of: status.jobs, observed: observed, ownerUID: owner.uid)
        events += orphanEvents(status.orphanedJobs, stored: stored.orphanedJobs)
        finish(&status, stored: stored, valid: valid, errors: errors, terminating: terminating, generation: generation,
               now: nowString, events: &events)
        return PlanSupport.assemble(stored: storedJSON, status: status.json, resourceVersion: flow.metadata.resourceVersion,
                                    deletes: outcome.deletes, creates: outcome.creates, events: events, removals: requests.removals)
    }

    /// Jobs the flow owns whose entry is no longer in the spec (removed or renamed).
    static func orphans(of entries: [EntryStatus], observed: [String: ObservedJob], ownerUID: String) -> [OrphanedJob] {
        let entryJobNames = Set(entries.map(\.jobName))
        return observed.values.filter { $0.controllerUID == ownerUID && !entryJobNames.contains($0.name) }
            .sorted { $0.name < $1.name }
            .map { OrphanedJob(jobName: $0.name, entry: $0.labels[Keys.flowLabel] ?? "", phase: $0.phase) }
    }

    /// One Event per newly orphaned Job.
    static func orphanEvents(_ orphans: [OrphanedJob], stored: [OrphanedJob]) -> [EventRecord] {
        let known = Set(stored.map(\.jobName))
        return orphans.filter { !known.contains($0.jobName) }.map { orphan in
            EventRecord(.normal, .orphanedJob,
                        "Job \(orphan.jobName) belongs to entry \(DNSName.quoted(orphan.entry)), which is no longer in the spec; it is left to finish and is deleted with the JobFlow")
        }
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
