import Foundation
import JobFlowAPI
import Kube

/// Plans one reconcile of a DaemonJob: one Job per eligible node. Pure, like `FlowPlanner`.
///
/// A node that got a Job stays in `status.nodes` whatever happens to its eligibility later
/// (cordoning a node does not cancel work already running there); a node that leaves the cluster
/// while its Job is unfinished is reported `Failed`/`NodeLost` and its Job deleted (it could never
/// finish). Nodes that join later get a Job, even after the DaemonJob finished.
public enum DaemonJobPlanner {
    /// The Job names the DaemonJob uses on `nodes`: include any Job with one of these names in
    /// `jobs`, whoever owns it, so that conflicts are seen.
    public static func expectedJobNames(daemonJob: JSONValue, nodes: [JSONValue]) -> [String] {
        let name = daemonJob[path: "metadata.name"]?.stringValue ?? ""
        return nodes.compactMap { $0[path: "metadata.name"]?.stringValue }.sorted().map { JobName.make(owner: name, suffix: $0) }
    }

    /// One reconcile.
    /// - Parameters:
    ///   - daemonJob: the DaemonJob as cached.
    ///   - nodes: every Node of the cluster.
    ///   - jobs: the DaemonJob's Jobs plus any Job with one of its deterministic names.
    ///   - pods: the pods of those Jobs.
    ///   - pinning: how Jobs are tied to their node.
    public static func plan(daemonJob: JSONValue, nodes: [JSONValue], jobs: [JSONValue], pods: [JSONValue], now: Date,
                            pinning: NodePinning = .nodeAffinity) -> Plan {
        plan(DaemonJob(object: daemonJob), nodes: nodes, jobs: jobs, pods: pods, now: now, pinning: pinning)
    }

    /// One reconcile of a typed DaemonJob (see `plan(daemonJob:nodes:jobs:pods:now:pinning:)`).
    public static func plan(_ daemonJob: DaemonJob, nodes: [JSONValue], jobs: [JSONValue], pods: [JSONValue], now: Date,
                            pinning: NodePinning = .nodeAffinity) -> Plan {
        let nowString = KubeTimestamp.time(now)
        let owner = Owner(kind: .daemonJob, daemonJob.metadata)
        let storedJSON = daemonJob.storedStatus
        let stored = daemonJob.status
        let generation = daemonJob.metadata.generation
        let annotations = daemonJob.metadata.annotations
        let terminating = daemonJob.metadata.isDeleting

        let (decoded, findings) = (daemonJob.spec, daemonJob.specFindings)
        let errors = findings.errors
        let spec = decoded ?? DaemonJobSpec(jobSpec: .emptyObject)
        let valid = errors.isEmpty && decoded != nil
        let podSpec = spec.jobSpec[path: "template.spec"]

        var clusterNodes: [String: JSONValue] = [:]
        for node in nodes {
            if let name = node[path: "metadata.name"]?.stringValue, clusterNodes[name] == nil { clusterNodes[name] = node }
        }
        var skipped: [SkippedNode] = []
        var eligible: [String] = []
        for name in clusterNodes.keys.sorted() {
            if let skip = NodeEligibility.skipReason(node: clusterNodes[name]!, podSpec: podSpec, excluded: spec.excludeNodeList) {
                skipped.append(SkippedNode(node: name, reason: skip.reason, message: skip.message))
            } else {
                eligible.append(name)
            }
        }
        let storedByNode = Dictionary(stored.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // Desired: eligible now, or already given a Job (attempts > 0) or a decision (cancelled).
        let eligibleSet = Set(eligible)
        var desired = eligibleSet
        for unit in stored.nodes where unit.attempts > 0 || unit.phase == .cancelled || unit.jobUID != nil { desired.insert(unit.name) }
        let order = desired.sorted()
        let skipReasons = Dictionary(skipped.map { ($0.node, $0.reason) }, uniquingKeysWith: { first, _ in first })
        skipped.removeAll { desired.contains($0.node) }

        let observed = PodIndex.observe(jobs, pods: pods)
        var units: [String: EntryStatus] = [:]
        for name in order {
            var unit = storedByNode[name] ?? EntryStatus(name: name, jobName: "")
            unit.jobName = JobName.make(owner: owner.name, suffix: name)
            units[name] = unit
        }
        let preObserved = PlanSupport.withCurrentJobs(units, observed: observed, ownerUID: owner.uid, now: nowString)
        var requestUnits = preObserved
        let subject = RequestSubject(kind: .daemonJob, units: order.map { n in
            RequestSubject.Unit(name: n, phase: preObserved[n]?.phase ?? .waiting, reason: preObserved[n]?.reason,
                                attempts: preObserved[n]?.attempts ?? 0)
        })
        let requests = PlanSupport.handleRequests(annotations: annotations, stored: stored.handledRequests, units: &requestUnits,
                                                  subject: subject, now: nowString)
        for (name, unit) in requestUnits where unit != preObserved[name] { units[name] = unit }
        var cancelledAll = stored.cancelled
        if requests.retried { cancelledAll = false }
        if requests.cancelAll { cancelledAll = true }

        let context = NodeContext(spec: spec, owner: owner, observed: observed, clusterNodes: Set(clusterNodes.keys), eligible: eligibleSet,
                                  skipReasons: skipReasons, valid: valid, terminating: terminating, cancelledAll: cancelledAll,
                                  pinning: pinning, now: nowString)
        var outcome = NodeOutcome(events: requests.events)
        for name in order {
            guard let unit = units[name] else { continue }
            units[name] = decide(node: name, unit, before: storedByNode[name], context, &outcome)
        }
        var events = outcome.events
        let (deletes, creates, renderWarnings) = (outcome.deletes, outcome.creates, outcome.renderWarnings)

        events += renderWarnings.sorted().map { EventRecord(.warning, EventReason.restartPolicyOverridden, "template: \($0)") }
        var status = DaemonJobStatus()
        status.nodes = order.compactMap { units[$0] }
        status.skippedNodes = skipped
        status.unknownExcludedNodes = spec.excludeNodeList.names.filter { clusterNodes[$0] == nil }
        for name in status.unknownExcludedNodes where !stored.unknownExcludedNodes.contains(name) {
            events.append(EventRecord(.warning, EventReason.unknownExcludedNode, "excludeNodeList names \(DNSName.quoted(name)), which is not a node of the cluster"))
        }
        status.cancelled = cancelledAll
        status.handledRequests = requests.records
        finish(&status, stored: stored, valid: valid, errors: errors, terminating: terminating, generation: generation,
               now: nowString, events: &events)
        return PlanSupport.assemble(stored: storedJSON, status: status.json, resourceVersion: daemonJob.metadata.resourceVersion,
                                    deletes: deletes, creates: creates, events: events, removals: requests.removals)
    }

    static func finish(_ status: inout DaemonJobStatus, stored: DaemonJobStatus, valid: Bool, errors: [Finding], terminating: Bool,
                       generation: Int64?, now: String, events: inout [EventRecord]) {
        let nodes = status.nodes
        status.desired = nodes.count
        status.active = nodes.filter { $0.phase.isActive }.count
        status.succeeded = nodes.filter { $0.phase == .succeed }.count
        status.failed = nodes.filter { $0.phase == .failed }.count
        status.progress = "\(status.succeeded)/\(status.desired)"
        status.observedGeneration = generation
        let unfinished = nodes.contains { !$0.phase.isFinished }
        let cancelledCount = nodes.filter { $0.phase == .cancelled }.count
        let state: FlowState
        if terminating { state = .terminating }
        else if !valid { state = .failed }
        else if nodes.isEmpty { state = .pending }
        else if status.succeeded == nodes.count { state = .succeed }
        else if status.cancelled, status.active == 0 { state = .cancelled }
        else if unfinished { state = nodes.contains { $0.attempts > 0 } ? .running : .pending }
        else { state = status.failed > 0 ? .failed : (cancelledCount > 0 ? .cancelled : .failed) }
        status.state = state

        func list(_ phase: EntryPhase) -> String { nodes.filter { $0.phase == phase }.map(\.name).joined(separator: ", ") }
        switch state {
        case .failed where !valid: status.message = "invalid spec: " + errors.combinedMessage
        case .pending where nodes.isEmpty:
            let reasons = status.skippedNodes.map { "\($0.node): \($0.reason.rawValue)" }.joined(separator: ", ")
            status.message = "no eligible nodes" + (reasons.isEmpty ? " (the cluster has no nodes)" : " (\(reasons))")
        case .failed: status.message = "failed on: " + list(.failed)
        case .succeed: status.message = "succeeded on all \(nodes.count) nodes"
        case .cancelled: status.message = "cancelled"
        case .terminating: status.message = "the DaemonJob is being deleted"
        default: status.message = "\(status.active) running, \(status.succeeded) succeeded, \(status.failed) failed of \(nodes.count)"
        }
        let started = nodes.contains { $0.attempts > 0 }
        if started { status.startTime = stored.startTime ?? now }
        let terminal = state.isTerminal
        status.completionTime = terminal && valid ? (stored.state == state ? stored.completionTime ?? now : now) : nil

        var conditions = PlanSupport.conditions(state: state, invalid: errors, stored: stored.conditions, generation: generation, now: now)
        if nodes.isEmpty, valid {
            conditions[1] = StatusCondition(type: .progressing, status: false, reason: .noEligibleNodes, message: status.message,
                                            lastTransitionTime: now, observedGeneration: generation).keepingTransitionTime(from: stored.conditions)
            if stored.state != .pending || !stored.nodes.isEmpty || stored.conditions.isEmpty || stored.message != status.message {
                events.append(EventRecord(.warning, EventReason.noEligibleNodes, status.message))
            }
        }
        status.conditions = conditions
        let storedValidMessage = stored.conditions.first { $0.type == .valid && $0.status == .false }?.message
        if !valid, storedValidMessage != errors.combinedMessage {
            events.append(EventRecord(.warning, EventReason.validationFailed, errors.combinedMessage))
        }
        guard state != stored.state || stored.conditions.isEmpty else { return }
        switch state {
        case .succeed: events.append(EventRecord(.normal, EventReason.flowSucceeded, status.message))
        case .failed where valid: events.append(EventRecord(.warning, EventReason.flowFailed, status.message))
        case .cancelled: events.append(EventRecord(.normal, EventReason.flowCancelled, status.message))
        default: break
        }
    }
}
