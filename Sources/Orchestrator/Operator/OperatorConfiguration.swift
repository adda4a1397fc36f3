import Foundation
import JobFlowAPI
import Kube

/// How an `Operator` runs.
public struct OperatorConfiguration: Sendable {
    /// The namespace watched and reconciled; `nil` = every namespace.
    public var namespace: String?
    /// This replica's name in the Lease and in Events' `reportingInstance`.
    public var identity: String
    /// Leader election on the Lease `leaseName` in `leaseNamespace`; `nil` runs the controllers at
    /// once (a single replica, tests).
    public var leaderElection: LeaderElectionConfiguration?
    /// Concurrent reconciles per controller (never two for the same key).
    public var workers: Int = OperatorConfiguration.defaultWorkers
    /// How DaemonJob Jobs are tied to their node.
    public var pinning: NodePinning = .nodeAffinity
    /// How long a stop waits for in-flight reconciles before cancelling them.
    public var stopGracePeriod: Duration = .seconds(10)
    /// How often a flow whose Job name is taken by a foreign Job is looked at again.
    public var conflictRecheck: Duration = .seconds(30)
    /// A status change that only reports progress is written this long after it was first planned,
    /// and at most once per period per object (Job creates are never held back); zero writes every
    /// change at once.
    public var statusBatchPeriod: Duration = .seconds(1)
    /// While other keys wait in the queue, progress-only status writes are held up to this long.
    public var statusMaxDelay: Duration = .seconds(10)
    /// The task priority of the reconcile workers; above the informers' (default priority), so when
    /// the CPU is scarce a worker resumed by a finished Job's owner does not wait behind watch
    /// decoding (docs/operator.md). `nil`: inherited.
    public var workerPriority: TaskPriority? = .high
    /// A Job seen finishing queues its owner in the work queue's priority lane, ahead of routine
    /// wake-ups (pod and Job progress, held status writes coming due). Off: one FIFO lane.
    public var prioritizeFinishedJobs = true
    /// Job and pod updates that cannot change what the planners read (`ObservedJob`) wake nobody.
    /// Off: every update of the projected object wakes its owner.
    public var skipIrrelevantUpdates = true
    /// The field manager of every write.
    public var fieldManager = "jobflow-operator"

    /// The Lease every replica competes for.
    public static let leaseName = "jobflow-operator"
    /// Reconcile workers per controller unless configured: on a small control plane 2 do as well
    /// as 4 for latency (BENCHMARKS.md); `operator --workers` and `jobflow-bench` start from it.
    public static let defaultWorkers = 2

    /// A configuration with leader election on `jobflow-operator` in `leaseNamespace`.
    public init(namespace: String?, identity: String = OperatorConfiguration.defaultIdentity(),
                leaseNamespace: String? = nil, leaderElection: Bool = true) {
        self.namespace = namespace
        self.identity = identity
        if leaderElection {
            self.leaderElection = LeaderElectionConfiguration(namespace: leaseNamespace ?? namespace ?? "default",
                                                              name: OperatorConfiguration.leaseName, identity: identity)
        }
    }

    /// `hostname_pid`.
    public static func defaultIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)_\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// What the TUI header shows about the operator.
public struct OperatorStatus: Sendable {
    public var identity: String
    /// Whether this replica's controllers are running (it leads, or runs without election, and
    /// its caches have synced).
    public var isLeading: Bool
    /// Whether this replica holds the Lease as of its last election round (true without election).
    public var holdsLease: Bool
    /// The Lease holder last observed (`nil`/empty: nobody).
    public var holderIdentity: String?
    /// `renewTime` as last written by the holder (its clock).
    public var renewTime: String?
    /// Local time since the Lease record was last seen to change.
    public var sinceObservedChange: Duration?
    /// Whether every informer has listed once.
    public var cachesSynced: Bool
    /// Informers whose list/watch is failing right now: name, last error, retry delay.
    public var watchProblems: [WatchProblem]
    /// Reconciles run and failed since start.
    public var reconciles: Int
    public var failures: Int
}

/// An informer whose list/watch is failing (it retries by itself).
public struct WatchProblem: Sendable, Hashable {
    /// `jobflows`, `jobs[jobflow]`, `nodes`, …
    public var informer: String
    public var error: String
    public var retryIn: Duration
}

/// Errors of the operator's I/O.
public enum OperatorError: Error, Sendable, CustomStringConvertible {
    /// An action of a plan failed; the rest of the plan was not performed. The cause is kept as
    /// thrown (usually a `KubeError`).
    case actionFailed(action: String, object: String, cause: any Error & Sendable)

    public var description: String {
        switch self {
        case .actionFailed(let action, let object, let cause): return "\(object): \(action) failed: \(cause)"
        }
    }

    /// The error the action failed with.
    public var cause: any Error & Sendable {
        switch self {
        case .actionFailed(_, _, let cause): return cause
        }
    }

    /// A 409 from the API server: a stale cache lost a precondition; expected now and then and retried.
    public var isConflict: Bool {
        if let kube = cause as? KubeError, case .api(let apiError) = kube { return apiError.isConflict }
        return false
    }
}
