import Foundation
import Logging
import Synchronization

/// Who holds the lease as far as this process knows, for a UI header ("operator: X, renewed 2s ago").
public struct LeaderElectionStatus: Sendable {
    public var identity: String
    /// Whether this process led at the last round.
    public var isLeader: Bool
    /// The holder in the last observed record (`nil` or empty: nobody).
    public var holderIdentity: String?
    /// `spec.renewTime` as written by the holder (remote clock; informational).
    public var renewTime: String?
    /// Local time elapsed since the record was last seen to change.
    public var sinceObservedChange: Duration?
    /// The last API failure of an election round, cleared by a successful one.
    public var lastError: KubeError?
}

/// Leader election on a Lease with client-go semantics, driving a `LeaderElectionStateMachine`.
///
/// `run` blocks: it retries every `retryPeriod` (jittered) until it acquires the lease, calls
/// `onStartedLeading`, renews every `retryPeriod`, and returns after calling `onStoppedLeading`
/// when no renew succeeded within `renewDeadline`, or when its task is cancelled (releasing the
/// lease first if `releaseOnCancel`). After `onStoppedLeading` the owner must stop its controllers
/// at once (controller-runtime exits the process): another replica may already be leading.
public final class LeaderElector: Sendable {
    /// The validated election parameters.
    public let configuration: LeaderElectionConfiguration
    private let api: any KubeAPI
    private let timeline: Timeline
    private let wallClock: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let logger: Logger
    private struct State {
        var machine: LeaderElectionStateMachine
        var lastError: KubeError?
        /// The other holder last reported at info level (so standing by is said once per holder).
        var reportedHolder: String?
    }
    private let state: Mutex<State>

    /// Validates `configuration`; `wallClock` only feeds the timestamps written into the lease.
    public init(api: any KubeAPI, configuration: LeaderElectionConfiguration, clock: any Clock<Duration> = ContinuousClock(),
                wallClock: @escaping @Sendable () -> Date = { Date() },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
                logger: Logger) throws(LeaderElectionError) {
        try configuration.validate()
        self.configuration = configuration
        self.api = api
        self.timeline = Timeline(clock)
        self.wallClock = wallClock
        self.random = random
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.namespace)/\(configuration.name)"
        logger[metadataKey: "lease.identity"] = "\(configuration.identity)"
        self.logger = logger
        self.state = Mutex(State(machine: LeaderElectionStateMachine(configuration: configuration)))
    }

    /// Whether this process currently believes it leads (stale by up to one `retryPeriod`).
    public var isLeader: Bool { state.withLock { $0.machine.isLeader } }

    /// The observed record and our role, for display.
    public var status: LeaderElectionStatus {
        let now = timeline.now()
        return state.withLock { s in
            LeaderElectionStatus(identity: configuration.identity, isLeader: s.machine.isLeader,
                                 holderIdentity: s.machine.observed?.record.holderIdentity,
                                 renewTime: s.machine.observed?.record.renewTime,
                                 sinceObservedChange: s.machine.observed.map { now - $0.observedChangeAt },
                                 lastError: s.lastError)
        }
    }

    /// Campaigns, leads and renews until leadership is lost or the task is cancelled (see the type's summary).
    public func run(onStartedLeading: @Sendable () -> Void, onStoppedLeading: @Sendable () -> Void) async {
        while !(await tryAcquireOrRenew()) {
            let delay = configuration.retryPeriod * (1 + configuration.jitter * random())
            do { try await timeline.sleep(delay) } catch { return }
        }
        logger.info("became leader")
        onStartedLeading()
        while true {
            do {
                try await timeline.sleep(configuration.retryPeriod)
            } catch {
                // The task is cancelled; release from an uncancelled task so the PUT is not aborted.
                if configuration.releaseOnCancel { await Task { await self.release() }.value }
                state.withLock { $0.machine.stepDown() }
                logger.info("stopped leading: cancelled")
                onStoppedLeading()
                return
            }
            if await renewWithinDeadline() { continue }
            if !isLeader {
                logger.warning("stopped leading: no successful renew within renewDeadline")
                onStoppedLeading()
                return
            }
        }
    }

    /// One renew round, cancelled if it is still running when the renew deadline passes (a hung
    /// request must not keep us leading). Returns whether the renew succeeded.
    private func renewWithinDeadline() async -> Bool {
        let now = timeline.now()
        let deadline = state.withLock { s in (s.machine.lastRenew ?? now) + configuration.renewDeadline }
        let timeline = self.timeline
        let renewed = await withTaskGroup(of: Bool?.self) { group -> Bool? in
            group.addTask { await self.tryAcquireOrRenew() }
            group.addTask {
                do { try await timeline.sleep(max(.zero, deadline - now)) } catch { return false }
                return nil  // deadline reached first
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let renewed { return renewed }
        let after = timeline.now()
        state.withLock { s in
            s.lastError = .transport(TransportError(kind: .timedOut, message: "lease renew did not finish within renewDeadline", url: ""))
            _ = s.machine.roundFailed(now: after)
        }
        return false
    }

    /// One election round: GET, then create, take over or renew. Returns whether we hold the lease now.
    @discardableResult
    public func tryAcquireOrRenew() async -> Bool {
        let c = configuration
        let current: JSONValue?
        do {
            current = try await api.get(.leases, namespace: c.namespace, name: c.name)
        } catch {
            let kube = KubeError.wrapping(error)
            if kube.apiError?.isNotFound == true {
                current = nil
            } else {
                return failRound(kube)
            }
        }
        let now = timeline.now()
        let decision = state.withLock { $0.machine.decide(current: current, now: now, wallTime: wallClock()) }
        do {
            let written: JSONValue
            switch decision {
            case .wait(let holder):
                let isNew = state.withLock { s in
                    defer { s.reportedHolder = holder }
                    return s.reportedHolder != holder
                }
                if isNew {
                    logger.info("standing by: the lease is held by another candidate",
                                metadata: ["lease.holder": "\(holder)", "lease": "\(c.namespace)/\(c.name)"])
                } else {
                    logger.trace("lease held by another candidate", metadata: ["lease.holder": "\(holder)"])
                }
                return failRound(nil)
            case .create(let lease):
                written = try await api.create(.leases, namespace: c.namespace, object: lease)
            case .update(let lease):
                written = try await api.update(.leases, namespace: c.namespace, object: lease)
            }
            let after = timeline.now()
            state.withLock {
                $0.machine.writeSucceeded(written, now: after)
                $0.lastError = nil
            }
            return true
        } catch {
            return failRound(.wrapping(error))
        }
    }

    /// Writes `holderIdentity: ""` if we lead, so others can take over without waiting `leaseDuration`.
    public func release() async {
        guard let lease = state.withLock({ $0.machine.releaseObject(wallTime: wallClock()) }) else { return }
        do {
            let written = try await api.update(.leases, namespace: configuration.namespace, object: lease)
            let now = timeline.now()
            state.withLock {
                $0.machine.observe(written, now: now)
                $0.machine.stepDown()
            }
            logger.info("released lease")
        } catch {
            logger.warning("could not release lease", metadata: ["error": "\(KubeError.wrapping(error))"])
        }
    }

    private func failRound(_ error: KubeError?) -> Bool {
        let now = timeline.now()
        let lost = state.withLock { s -> Bool in
            if let error { s.lastError = error }
            return s.machine.roundFailed(now: now)
        }
        if let error { logger.debug("election round failed", metadata: ["error": "\(error)"]) }
        if lost { logger.warning("renew deadline passed without a successful renew") }
        return false
    }
}
