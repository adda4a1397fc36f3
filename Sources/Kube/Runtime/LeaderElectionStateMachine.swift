import Foundation

/// Parameters of leader election on a `coordination.k8s.io/v1` Lease; defaults are client-go's.
public struct LeaderElectionConfiguration: Sendable {
    /// Namespace of the Lease object.
    public var namespace: String
    /// Name of the Lease object.
    public var name: String
    /// This candidate's identity, written to `holderIdentity` (pod name, host name + uuid…).
    public var identity: String
    /// How long a non-leader waits, from the last observed change of the record, before taking over.
    public var leaseDuration: Duration = .seconds(15)
    /// How long a leader keeps leading without a successful renew before it steps down.
    public var renewDeadline: Duration = .seconds(10)
    /// Time between attempts, for candidates and for the leader's renewals.
    public var retryPeriod: Duration = .seconds(2)
    /// Candidates wait `retryPeriod × (1 + jitter × random)` between attempts.
    public var jitter: Double = 1.2
    /// On cancellation, a leader writes `holderIdentity: ""` so another candidate need not wait.
    public var releaseOnCancel = true

    public init(namespace: String, name: String, identity: String) {
        self.namespace = namespace
        self.name = name
        self.identity = identity
    }

    /// Checks `leaseDuration > renewDeadline > jitter × retryPeriod` and a non-empty identity.
    public func validate() throws(LeaderElectionError) {
        guard !identity.isEmpty else { throw .invalidConfiguration("identity must not be empty") }
        guard leaseDuration > renewDeadline else {
            throw .invalidConfiguration("leaseDuration (\(leaseDuration)) must be greater than renewDeadline (\(renewDeadline))")
        }
        guard renewDeadline > retryPeriod * jitter else {
            throw .invalidConfiguration("renewDeadline (\(renewDeadline)) must be greater than jitter × retryPeriod (\(retryPeriod * jitter))")
        }
        guard retryPeriod > .zero else { throw .invalidConfiguration("retryPeriod must be positive") }
    }
}

/// Why leader election could not start.
public enum LeaderElectionError: Error, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)
    public var description: String {
        switch self { case .invalidConfiguration(let m): return "invalid leader election configuration: \(m)" }
    }
}

/// The fields of a Lease's `spec` that election reads and writes.
public struct LeaseRecord: Sendable, Hashable {
    /// The current holder; empty or `nil` means nobody.
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int?
    /// MicroTime strings as written by the holder; informational only (clocks may be skewed).
    public var acquireTime: String?
    public var renewTime: String?
    /// How many times the holder changed.
    public var leaseTransitions: Int

    public init(lease: JSONValue) {
        let spec = lease["spec"] ?? .emptyObject
        holderIdentity = spec["holderIdentity"]?.stringValue
        leaseDurationSeconds = spec["leaseDurationSeconds"]?.intValue.map { Int($0) }
        acquireTime = spec["acquireTime"]?.stringValue
        renewTime = spec["renewTime"]?.stringValue
        leaseTransitions = Int(spec["leaseTransitions"]?.intValue ?? 0)
    }
}

/// The lease record as last seen, and when (local clock) it was last seen to change.
public struct ObservedLease: Sendable {
    public var record: LeaseRecord
    public var resourceVersion: String?
    /// Local-clock time of the last observed change; remote timestamps are never trusted.
    public var observedChangeAt: Duration
    /// The whole Lease object, for the next optimistic-concurrency write.
    public var object: JSONValue
}

/// client-go's tryAcquireOrRenew as a plain value: feed it the GET result and the outcome of writes.
///
/// No I/O and no clock: `now` is local monotonic time, `wallTime` only goes into timestamps.
public struct LeaderElectionStateMachine: Sendable {
    /// What the driver must do after a GET.
    public enum Decision: Sendable, Equatable {
        /// No lease: POST this object.
        case create(JSONValue)
        /// PUT this object (carries the fetched resourceVersion).
        case update(JSONValue)
        /// Another holder's lease is still valid: this round fails.
        case wait(holder: String)
    }

    public let configuration: LeaderElectionConfiguration
    /// The record from the last GET or write.
    public private(set) var observed: ObservedLease?
    /// Whether we lead; cleared by `roundFailed` past the renew deadline or `stepDown`.
    public private(set) var isLeader = false
    /// Local time of the last successful acquire or renew.
    public private(set) var lastRenew: Duration?

    public init(configuration: LeaderElectionConfiguration) {
        self.configuration = configuration
    }

    /// Decides the write for this round from the fetched lease (`nil` = NotFound).
    public mutating func decide(current: JSONValue?, now: Duration, wallTime: Date) -> Decision {
        let stamp = JSONValue.string(KubeTimestamp.microTime(wallTime))
        let seconds = JSONValue.int(Int64(configuration.leaseDuration.components.seconds))
        guard let current else {
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": ["name": .string(configuration.name), "namespace": .string(configuration.namespace)],
                "spec": [
                    "holderIdentity": .string(configuration.identity),
                    "leaseDurationSeconds": seconds,
                    "acquireTime": stamp,
                    "renewTime": stamp,
                    "leaseTransitions": 0,
                ],
            ]
            return .create(lease)
        }
        observe(current, now: now)
        let record = observed!.record
        let holder = record.holderIdentity ?? ""
        if !holder.isEmpty && holder != configuration.identity
            && now < observed!.observedChangeAt + configuration.leaseDuration {
            return .wait(holder: holder)
        }
        var lease = current
        lease[path: "spec.leaseDurationSeconds"] = seconds
        lease[path: "spec.renewTime"] = stamp
        if holder != configuration.identity {
            lease[path: "spec.holderIdentity"] = .string(configuration.identity)
            lease[path: "spec.acquireTime"] = stamp
            lease[path: "spec.leaseTransitions"] = .int(Int64(record.leaseTransitions + 1))
        }
        return .update(lease)
    }

    /// Records a GET result: a record or resourceVersion that differs from the last one seen restarts the clock.
    public mutating func observe(_ lease: JSONValue, now: Duration) {
        let record = LeaseRecord(lease: lease)
        let rv = lease[path: "metadata.resourceVersion"]?.stringValue
        if let observed, observed.record == record, observed.resourceVersion == rv {
            self.observed?.object = lease
            return
        }
        observed = ObservedLease(record: record, resourceVersion: rv, observedChangeAt: now, object: lease)
    }

    /// The create or update was accepted: we lead until `renewDeadline` passes without another success.
    public mutating func writeSucceeded(_ lease: JSONValue, now: Duration) {
        observed = ObservedLease(record: LeaseRecord(lease: lease),
                                 resourceVersion: lease[path: "metadata.resourceVersion"]?.stringValue,
                                 observedChangeAt: now, object: lease)
        isLeader = true
        lastRenew = now
    }

    /// A round failed (wait, conflict, API error). Returns `true` when this ends our leadership:
    /// we led and `renewDeadline` has passed since the last successful renew.
    public mutating func roundFailed(now: Duration) -> Bool {
        guard isLeader, let lastRenew else { return false }
        if now - lastRenew >= configuration.renewDeadline {
            isLeader = false
            return true
        }
        return false
    }

    /// Leadership ends without a write (cancellation without release).
    public mutating func stepDown() { isLeader = false }

    /// The PUT that releases the lease (holder emptied, object kept), if we lead.
    public func releaseObject(wallTime: Date) -> JSONValue? {
        guard isLeader, var lease = observed?.object else { return nil }
        lease[path: "spec.holderIdentity"] = ""
        lease[path: "spec.renewTime"] = .string(KubeTimestamp.microTime(wallTime))
        return lease
    }
}
