import Foundation
import JobFlowAPI
import Kube

/// The decision for one node of a DaemonJob, in small steps: its Job as observed, or, without
/// one, whether it can (still) start.
extension DaemonJobPlanner {
    /// What every node's decision reads: the same for all nodes of one reconcile.
    struct NodeContext {
        let spec: DaemonJobSpec
        let owner: Owner
        let observed: [String: ObservedJob]
        /// Names of the cluster's nodes now.
        let clusterNodes: Set<String>
        let eligible: Set<String>
        /// Why a node of the cluster is not eligible.
        let skipReasons: [String: SkipReason]
        let valid: Bool
        let terminating: Bool
        let cancelledAll: Bool
        let pinning: NodePinning
        let now: String
    }

    /// What the nodes' decisions add up to.
    struct NodeOutcome {
        var events: [EventRecord]
        var deletes: [Action] = []
        var creates: [Action] = []
        /// One event per distinct render warning, not one per node.
        var renderWarnings = Set<String>()
    }

    /// The node's new status; its events, deletes and creates go into `outcome`.
    static func decide(node name: String, _ unit: EntryStatus, before: EntryStatus?, _ c: NodeContext, _ outcome: inout NodeOutcome) -> EntryStatus {
        var unit = unit
        let present = c.clusterNodes.contains(name)
        if let job = c.observed[unit.jobName] {
            observe(job, node: name, present: present, into: &unit, before: before, c, &outcome)
        } else if unit.phase == .cancelled {
            // Stays cancelled until retried.
        } else if unit.jobUID != nil {
            outcome.events += PlanSupport.vanished(&unit, reason: present ? .jobDeleted : .nodeLost, now: c.now)
            if !present, unit.reason == .nodeLost { unit.message = "node \(name) left the cluster before its Job finished" }
        } else if !present {
            unit.phase = .failed
            unit.reason = .nodeLost
            unit.message = "node \(name) left the cluster before its Job started"
        } else {
            decideUnstarted(node: name, &unit, before: before, c, &outcome)
        }
        return unit
    }

    /// A node whose Job exists: someone else's or an older attempt's (settled there), one to stop
    /// (cancelled, or its node is lost), or ours to read — and to give up on if the node left.
    static func observe(_ job: ObservedJob, node name: String, present: Bool, into unit: inout EntryStatus, before: EntryStatus?,
                        _ c: NodeContext, _ outcome: inout NodeOutcome) {
        if PlanSupport.settleForeignOrOlder(job, into: &unit, ownerUID: c.owner.uid, stored: before,
                                            events: &outcome.events, deletes: &outcome.deletes) {
            return
        }
        if unit.phase == .cancelled || (unit.phase == .failed && unit.reason == .nodeLost) {
            if !job.phase.isFinished, !job.isDeleting { outcome.deletes.append(.deleteJob(name: job.name, uid: job.uid)) }
            return
        }
        outcome.events += PlanSupport.observe(job, into: &unit, stored: before?.phase, now: c.now)
        if !present, !unit.phase.isFinished {
            unit.phase = .running  // so that `vanished` applies
            outcome.events += PlanSupport.vanished(&unit, reason: .nodeLost, now: c.now)
            unit.message = "node \(name) left the cluster before its Job finished"
            if !job.isDeleting { outcome.deletes.append(.deleteJob(name: job.name, uid: job.uid)) }
        }
    }

    /// A node of the cluster without a Job: held back by the object's state, started, or waiting
    /// because it is not eligible now (it was retried after it stopped being eligible).
    static func decideUnstarted(node name: String, _ unit: inout EntryStatus, before: EntryStatus?, _ c: NodeContext, _ outcome: inout NodeOutcome) {
        if !c.valid {
            FlowPlanner.setWaiting(&unit, .flowInvalid, "not started: the spec is invalid")
        } else if c.terminating {
            FlowPlanner.setWaiting(&unit, .flowTerminating, "not started: the DaemonJob is being deleted")
        } else if c.cancelledAll {
            unit.phase = .cancelled
            unit.reason = .flowCancelled
            unit.message = "not started: the DaemonJob was cancelled"
        } else if c.eligible.contains(name) {
            start(node: name, &unit, before: before, c, &outcome)
        } else {
            // Present and not eligible, so the eligibility check gave a reason.
            FlowPlanner.setWaiting(&unit, .nodeNotEligible(c.skipReasons[name] ?? .unknown("")), "not started: node is not eligible now")
        }
    }

    /// Renders and creates the node's Job; the create is reported once per attempt.
    static func start(node name: String, _ unit: inout EntryStatus, before: EntryStatus?, _ c: NodeContext, _ outcome: inout NodeOutcome) {
        let (attempt, firstTime) = PlanSupport.beginAttempt(&unit, before: before)
        let rendered = JobRenderer.render(node: name, of: c.spec, owner: c.owner, attempt: attempt, pinning: c.pinning)
        outcome.creates.append(.createJob(rendered.job))
        if firstTime {
            outcome.events.append(EventRecord(.normal, .jobCreated, "created Job \(unit.jobName) for node \(name) (attempt \(attempt))"))
            outcome.renderWarnings.formUnion(rendered.warnings)
        }
    }
}
