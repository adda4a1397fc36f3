import Foundation
import JobFlowAPI
import Kube
import Logging
import Synchronization

/// The JobFlow/DaemonJob operator: informers, two controllers, leader election, an event recorder.
///
/// `run()` starts the informers at once (a standby keeps warm caches), campaigns for the Lease
/// and runs the controllers only while it leads. Losing the Lease stops the controllers at once;
/// the operator then campaigns again. Cancelling `run()`'s task stops gracefully: controllers
/// first (in-flight reconciles get `stopGracePeriod`), then the Lease is released, then the
/// informers stop.
///
/// Reconciles are level-based: the key (`namespace/name`) is the only input; the cache snapshot
/// is read, a planner called with `now`, and its actions performed in order, stopping at the
/// first failure (retried with the work queue's backoff).
public final class Operator: Sendable {
    public let configuration: OperatorConfiguration
    /// Reaction latency: from the watch event showing a Job finished to the create of a Job of
    /// the same owner returning (the dependent it unblocked), on the operator's clock.
    public let reactionLatency = LatencyRecorder()
    /// The same samples split in three: the Job seen finished → its owner's reconcile starting
    /// (`queued`), → the create sent (`planned`), → the create returning (`created`).
    public let reactionParts = (queued: LatencyRecorder(), planned: LatencyRecorder(), created: LatencyRecorder())

    let api: any KubeAPI
    let caches: OperatorCaches
    let recorder: EventRecorder
    /// Events dropped because the recorder's buffer was full (the API could not keep up).
    public var eventsDropped: Int { recorder.droppedCount }
    let logger: Logger
    let clock: any Clock<Duration>
    let wallClock: @Sendable () -> Date
    let ticks: Ticks
    let metrics = OperatorMetrics()

    struct Queues: Sendable {
        var flows: WorkQueue
        var daemonJobs: WorkQueue
    }
    struct State {
        var queues: Queues?
        var elector: LeaderElector?
        var reconciles = 0
        var failures = 0
        /// What the controllers remember per object during one leadership term.
        var term: TermMemory
    }

    /// Memory kept per object key between reconciles, valid for one leadership term only: a new
    /// term starts with a fresh one (docs/operator.md, "Leadership terms"). Another replica may
    /// have led in between: its writes made every remembered expectation, batch hold and Event
    /// record stale, and only the cluster's state (level-based) is trusted at the start of a term.
    struct TermMemory {
        /// Owner key → when a Job of it was seen finishing (on `ticks`), for `reactionLatency`;
        /// the owner's next reconcile takes it.
        var finishedAt: [String: Duration] = [:]
        /// Jobs with our deterministic names that belong to someone else, by `namespace/name`.
        var foreignJobs: [String: JSONValue] = [:]
        /// Jobs this replica created that its cache has not shown yet (`namespace/name` → the
        /// created Job, projected, and when), so a reconcile in between does not create them again.
        var createdJobs: [String: (job: JSONValue, at: Duration)] = [:]
        /// Status-write batching and the Events sent ahead of a held status.
        var batcher: StatusBatcher

        init(configuration: OperatorConfiguration) {
            batcher = StatusBatcher(period: configuration.statusBatchPeriod, maxDelay: configuration.statusMaxDelay)
        }

        /// True when nothing is remembered.
        var isEmpty: Bool { finishedAt.isEmpty && foreignJobs.isEmpty && createdJobs.isEmpty && batcher.isEmpty }
    }
    let state: Mutex<State>
    /// The two kinds this operator reconciles, each over its own caches.
    let owners: (flows: OwnerKind, daemonJobs: OwnerKind)

    /// An operator over `api`; `clock` drives queues, backoff and election, `wallClock` gives the
    /// planners' `now` and the timestamps written. Events go through `eventAPI`, by default
    /// `api.pacedSeparately()` (for a `KubeClient`: its own client-side rate limit over the same
    /// connections), so best-effort Events never hold back creates and status writes. Throws if
    /// the election parameters are invalid.
    public init(api: any KubeAPI, eventAPI: (any KubeAPI)? = nil, configuration: OperatorConfiguration,
                clock: any Clock<Duration> = ContinuousClock(),
                wallClock: @escaping @Sendable () -> Date = { Date() }, logger: Logger) throws {
        if let election = configuration.leaderElection { try election.validate() }
        self.api = api
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        self.ticks = Ticks(clock)
        self.state = Mutex(State(term: TermMemory(configuration: configuration)))
        var logger = logger
        logger[metadataKey: "operator.identity"] = "\(configuration.identity)"
        self.logger = logger
        self.caches = OperatorCaches(api: api, namespace: configuration.namespace, clock: clock, logger: logger)
        self.owners = (OwnerKind.jobFlows(caches), OwnerKind.daemonJobs(caches, pinning: configuration.pinning))
        self.recorder = EventRecorder(api: eventAPI ?? api.pacedSeparately(), configuration: .init(component: "jobflow-operator", instance: configuration.identity),
                                      clock: clock, wallClock: wallClock, logger: logger)
        registerHandlers()
        metrics.observe(flows: caches.flows, daemonJobs: caches.daemonJobs)
    }

    /// Leading, Lease holder and last renew as observed, cache sync, counters (a copy; stale at once).
    public var status: OperatorStatus {
        let (queues, elector, reconciles, failures) = state.withLock { ($0.queues, $0.elector, $0.reconciles, $0.failures) }
        let election = elector?.status
        return OperatorStatus(identity: configuration.identity, isLeading: queues != nil,
                              holdsLease: configuration.leaderElection == nil || election?.isLeader == true,
                              holderIdentity: election?.holderIdentity ?? (configuration.leaderElection == nil ? configuration.identity : nil),
                              renewTime: election?.renewTime, sinceObservedChange: election?.sinceObservedChange,
                              cachesSynced: caches.hasSynced, watchProblems: watchProblems, reconciles: reconciles, failures: failures)
    }

    /// Whether every informer has listed once.
    public var hasSynced: Bool { caches.hasSynced }

    /// The informers whose first list has not completed yet (`jobflows`, `jobs[jobflow]`, `nodes`, …), for `/readyz`.
    public var unsyncedInformers: [String] { caches.named.filter { !$0.informer.hasSynced }.map(\.name) }

    private var watchProblems: [WatchProblem] {
        caches.named.compactMap { name, informer in
            let status = informer.status
            guard case .failing(let retryIn) = status.connection else { return nil }
            return WatchProblem(informer: name, error: status.lastError.map { "\($0)" } ?? "unknown error", retryIn: retryIn)
        }
    }

    /// Runs until the calling task is cancelled, then stops gracefully (see the type's summary).
    /// Call it once per `Operator`.
    public func run() async {
        logger.info("operator starting", metadata: ["namespace": "\(configuration.namespace ?? "*")"])
        await withTaskGroup(of: Void.self) { group in
            for informer in caches.all { group.addTask { await informer.run() } }
            group.addTask { await self.recorder.run() }
            await self.campaign()
            group.cancelAll()
        }
        // Write the Events still buffered, from an uncancelled task, for at most two seconds.
        await Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.recorder.processPending() }
                group.addTask { do { try await self.ticks.sleep(.seconds(2)) } catch {} }
                await group.next()
                group.cancelAll()
            }
        }.value
        logger.info("operator stopped")
    }

    // MARK: - Leadership

    private func campaign() async {
        guard let election = configuration.leaderElection else {
            let running = startControllers()
            await Operator.waitForCancellation()
            await Task { await running.stop() }.value
            return
        }
        while !Task.isCancelled {
            let elector: LeaderElector
            do {
                elector = try LeaderElector(api: api, configuration: election, clock: clock, wallClock: wallClock, logger: logger)
            } catch {
                logger.error("invalid leader election configuration", metadata: ["error": "\(error)"])
                return
            }
            state.withLock { $0.elector = elector }
            let (changes, continuation) = AsyncStream<Bool>.makeStream()
            // Not a child task: our cancellation must reach the elector only after the
            // controllers stopped, so the Lease is released last.
            let electorTask = Task {
                await elector.run(onStartedLeading: { continuation.yield(true) },
                                  onStoppedLeading: { continuation.yield(false) })
                continuation.finish()
            }
            var running: RunningControllers?
            for await leading in changes {
                if leading, running == nil {
                    logger.info("started leading; starting controllers")
                    running = startControllers()
                } else if !leading, let current = running {
                    // Another replica may lead from leaseDuration after our last renew: no grace
                    // period, in-flight reconciles are cancelled at once.
                    logger.warning("stopped leading; stopping controllers at once")
                    await Task { await current.stop(grace: .zero) }.value
                    running = nil
                }
            }
            if let current = running { await Task { await current.stop() }.value }
            if Task.isCancelled { electorTask.cancel() }
            await electorTask.value
            if Task.isCancelled { return }
            // Lost the Lease: campaign again after a pause (the elector returned).
            do { try await ticks.sleep(election.retryPeriod) } catch { return }
        }
    }

    static func waitForCancellation() async {
        let (stream, _) = AsyncStream<Never>.makeStream()
        for await _ in stream {}
    }

    /// The controllers of one leadership term.
    final class RunningControllers: Sendable {
        let flows: Controller
        let daemonJobs: Controller
        let task: Task<Void, Never>
        let grace: Duration
        let onStop: @Sendable () -> Void

        init(flows: Controller, daemonJobs: Controller, task: Task<Void, Never>, grace: Duration, onStop: @escaping @Sendable () -> Void) {
            self.flows = flows
            self.daemonJobs = daemonJobs
            self.task = task
            self.grace = grace
            self.onStop = onStop
        }

        /// Stops handing out keys, waits up to `grace` (default: the configured grace period) for
        /// in-flight reconciles, then cancels them.
        func stop(grace: Duration? = nil) async {
            onStop()
            let grace = grace ?? self.grace
            async let a = flows.shutDown(gracePeriod: grace)
            async let b = daemonJobs.shutDown(gracePeriod: grace)
            _ = await (a, b)
            // In-flight reconciles had their grace period; whatever remains (a wait for the first
            // sync, an overrun reconcile) is cancelled.
            task.cancel()
            await task.value
            onStop()
        }
    }

    private func startControllers() -> RunningControllers {
        let flowQueue = WorkQueue(clock: clock, name: "jobflow", logger: logger)
        let daemonQueue = WorkQueue(clock: clock, name: "daemonjob", logger: logger)
        var flowLog = logger
        flowLog[metadataKey: "controller"] = "jobflow"
        var daemonLog = logger
        daemonLog[metadataKey: "controller"] = "daemonjob"
        let flows = Controller(queue: flowQueue, workers: configuration.workers, clock: clock, name: "jobflow", logger: flowLog,
                               errorPolicy: errorPolicy(flowLog), priority: configuration.workerPriority) { [self] key in try await self.reconcile(key, as: owners.flows) }
        let daemons = Controller(queue: daemonQueue, workers: configuration.workers, clock: clock, name: "daemonjob", logger: daemonLog,
                                 errorPolicy: errorPolicy(daemonLog), priority: configuration.workerPriority) { [self] key in try await self.reconcile(key, as: owners.daemonJobs) }
        let task = Task { [self] in
            // Reconcile nothing before every cache has listed once: absence would mean nothing.
            guard await caches.waitForSync() else { return }
            beginTerm()
            state.withLock { $0.queues = Queues(flows: flowQueue, daemonJobs: daemonQueue) }
            metrics.leader.record(1)
            for key in caches.flows.store.snapshot().keys { flowQueue.add(key) }
            for key in caches.daemonJobs.store.snapshot().keys { daemonQueue.add(key) }
            logger.info("caches synced; controllers running")
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await flows.run() }
                group.addTask { await daemons.run() }
            }
        }
        return RunningControllers(flows: flows, daemonJobs: daemons, task: task, grace: configuration.stopGracePeriod) { [self] in
            state.withLock { $0.queues = nil }
            metrics.leader.record(0)
        }
    }

    /// Starts a leadership term with nothing remembered from an earlier one.
    func beginTerm() {
        let configuration = self.configuration
        state.withLock { $0.term = TermMemory(configuration: configuration) }
    }

    /// Status-write batching for `key` (`Kind/namespace/name`): what to perform now, and when to
    /// come back for a status write held back (see `StatusBatcher`).
    func batched(_ actions: [Action], on object: JSONValue, key: String, backlog: Int) -> (actions: [Action], retryAfter: Duration?) {
        let now = ticks.now()
        return state.withLock { $0.term.batcher.filter(actions, stored: object["status"], key: key, now: now, backlog: backlog) }
    }

    /// Forgets the batching memory of a deleted object.
    func forgetBatching(key: String) {
        state.withLock { $0.term.batcher.forget(key) }
    }

    private func errorPolicy(_ log: Logger) -> Controller.ErrorPolicy {
        { [self] error, key in
            if error is CancellationError { return .awaitChange }
            state.withLock { $0.failures += 1 }
            if let failure = error as? OperatorError, failure.isConflict {
                log.info("stale cache (409); retrying with backoff", metadata: ["key": "\(key)", "error": "\(error)"])
            } else {
                log.warning("reconcile failed; retrying with backoff", metadata: ["key": "\(key)", "error": "\(error)"])
            }
            return .requeueWithBackoff
        }
    }
}

/// Elapsed time on an injected clock, without making the operator generic.
struct Ticks: Sendable {
    let now: @Sendable () -> Duration
    let sleep: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) { self = Ticks.make(clock) }

    private init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    private static func make<C: Clock<Duration>>(_ clock: C) -> Ticks {
        let origin = clock.now
        return Ticks(now: { origin.duration(to: clock.now) },
                     sleep: { try await clock.sleep(until: clock.now.advanced(by: $0), tolerance: nil) })
    }
}

extension CustomKind {
    /// The key of an object of this kind in the operator's per-object memory (batching,
    /// finished-at samples): the kind and the queue key, so a JobFlow and a DaemonJob of the same
    /// name never share a slot.
    func memoryKey(_ key: String) -> String { rawValue + "/" + key }
}
