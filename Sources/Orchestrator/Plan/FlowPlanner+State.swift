import JobFlowAPI
import Kube

extension FlowPlanner {
    /// Rolls the entries up into state, progress, message, times and conditions; adds the
    /// flow-level events of a state transition.
    static func finish(_ status: inout JobFlowStatus, stored: JobFlowStatus, valid: Bool, errors: [Finding], terminating: Bool,
                       generation: Int64?, now: String, events: inout [EventRecord]) {
        let jobs = status.jobs
        let total = jobs.count
        let succeeded = jobs.filter { $0.phase == .succeed }.count
        let active = jobs.filter { $0.phase.isActive }
        let unfinished = jobs.contains { !$0.phase.isFinished }
        let failed = jobs.filter { $0.phase == .failed }
        let cancelled = jobs.filter { $0.phase == .cancelled }
        let started = jobs.contains { $0.attempts > 0 || $0.phase.isActive }

        let state: FlowState
        if terminating {
            state = .terminating
        } else if !valid {
            state = .failed
        } else if total > 0, succeeded == total {
            state = .succeed
        } else if status.cancelled, active.isEmpty {
            state = .cancelled
        } else if !unfinished {
            state = !failed.isEmpty ? .failed : (!cancelled.isEmpty ? .cancelled : .failed)
        } else if started {
            state = .running
        } else {
            state = .pending
        }
        status.state = state
        status.progress = "\(succeeded)/\(total)"
        status.observedGeneration = generation

        func names(_ list: [EntryStatus]) -> String { list.map(\.name).joined(separator: ", ") }
        switch state {
        case .failed where !valid: status.message = "invalid spec: " + errors.combinedMessage
        case .failed: status.message = "failed: " + names(failed) + (cancelled.isEmpty ? "" : "; cancelled: " + names(cancelled))
        case .succeed: status.message = "all \(total) jobs succeeded"
        case .cancelled: status.message = "cancelled" + (cancelled.isEmpty ? "" : ": " + names(cancelled))
        case .terminating: status.message = "the JobFlow is being deleted"
        case .running:
            var parts: [String] = []
            if !active.isEmpty { parts.append("running: " + names(active)) }
            let waiting = jobs.filter { $0.phase == .waiting }
            if !waiting.isEmpty { parts.append("waiting: " + names(waiting)) }
            if !failed.isEmpty { parts.append("failed: " + names(failed)) }
            status.message = parts.joined(separator: "; ")
        case .pending:
            let blocked = jobs.filter { $0.reason?.blocksStart == true }
            status.message = blocked.isEmpty ? "starting" : blocked.map { "\($0.name): \($0.message ?? "")" }.joined(separator: "; ")
        case .unknown:
            break  // never computed: the planner only produces known states
        }

        if started || state == .running || state == .succeed { status.startTime = stored.startTime ?? now }
        let terminal = state.isTerminal
        status.completionTime = terminal ? (stored.state == state ? stored.completionTime ?? now : now) : nil
        if !valid, stored.startTime == nil, !started { status.startTime = nil }

        status.conditions = PlanSupport.conditions(state: state, invalid: errors, stored: stored.conditions,
                                                   generation: generation, now: now)
        let storedValidMessage = stored.conditions.first { $0.type == .valid && $0.status == .false }?.message
        if !valid, storedValidMessage != errors.combinedMessage {
            events.append(EventRecord(.warning, EventReason.validationFailed, errors.combinedMessage))
        }
        guard state != stored.state || stored.conditions.isEmpty else { return }
        switch state {
        case .succeed: events.append(EventRecord(.normal, EventReason.flowSucceeded, "all \(total) jobs succeeded"))
        case .failed where valid: events.append(EventRecord(.warning, EventReason.flowFailed, status.message))
        case .cancelled: events.append(EventRecord(.normal, EventReason.flowCancelled, status.message))
        default: break
        }
    }
}
