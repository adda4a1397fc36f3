import JobFlowAPI
import Kube
import Metrics
import Synchronization

/// The operator's own swift-metrics instruments (a no-op until the process bootstraps a backend).
///
/// - `jobflow_jobflows{state}`, `jobflow_daemonjobs{state}`: cached objects by `status.state`
///   (every replica reports them, a standby too: they come from its informer caches).
/// - `jobflow_reaction_latency_seconds`: a Job finishing → the create of the Job it unblocked
///   returning (the same samples as `Operator.reactionLatency`), a histogram.
/// - `leader_election_master_status{name="jobflow-operator"}`: 1 while this replica's
///   controllers run (it leads and its caches synced), else 0.
///
/// Every handle is created once, here; the hot paths only increment, record or set.
final class OperatorMetrics: Sendable {
    let reactionLatency = Metrics.Timer(label: "jobflow_reaction_latency_seconds")
    let leader = Gauge(label: "leader_election_master_status", dimensions: [("name", OperatorConfiguration.leaseName)])
    private let flows: StateGauges
    private let daemonJobs: StateGauges

    init() {
        flows = StateGauges(label: "jobflow_jobflows")
        daemonJobs = StateGauges(label: "jobflow_daemonjobs")
        leader.record(0)
    }

    /// Keeps the by-state gauges current from the two informers' events.
    func observe(flows flowInformer: Informer, daemonJobs daemonInformer: Informer) {
        for (informer, gauges) in [(flowInformer, flows), (daemonInformer, daemonJobs)] {
            informer.onAdd { object in gauges.update { $0.added(object) } }
            informer.onUpdate { old, new in gauges.update { $0.updated(from: old, to: new) } }
            informer.onDelete { object in gauges.update { $0.deleted(object) } }
        }
    }

    /// A `StateTally` and one gauge per state.
    final class StateGauges: Sendable {
        private let tally = Mutex(StateTally())
        private let gauges: [String: Gauge]

        init(label: String) {
            gauges = Dictionary(uniqueKeysWithValues: StateTally.states.map { ($0, Gauge(label: label, dimensions: [("state", $0)])) })
            for gauge in gauges.values { gauge.record(0) }
        }

        /// Changes the tally and publishes the states it reports as changed (under the lock, so
        /// two updates can never publish out of order).
        func update(_ change: (inout StateTally) -> [String]) {
            tally.withLock { tally in
                for state in change(&tally) { gauges[state]?.record(tally.counts[state] ?? 0) }
            }
        }
    }
}
