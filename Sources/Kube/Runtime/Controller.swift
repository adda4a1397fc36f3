import Logging
import Synchronization

/// What to do with a key after a reconcile (or after its error policy ran).
public enum ReconcileAction: Sendable, Equatable {
    /// Nothing until a watched object changes; the key's backoff is forgotten.
    case awaitChange
    /// Reconcile the key again after this delay; the key's backoff is forgotten.
    case requeue(after: Duration)
    /// Reconcile again after the queue's rate-limited delay (per-key backoff); for error policies.
    case requeueWithBackoff
}

/// An error that retrying cannot fix (an invalid spec, say): the default error policy drops the key.
public protocol TerminalError: Error {}

/// Runs `workers` concurrent reconcile loops over a `WorkQueue`.
///
/// Level-based: a reconcile gets only a key and must read the world itself. The queue guarantees
/// that no key is reconciled by two workers at once. Errors go through `errorPolicy`: by default a
/// `TerminalError` is logged and dropped, anything else is retried with per-key backoff.
public final class Controller: Sendable {
    public typealias Reconcile = @Sendable (String) async throws -> ReconcileAction
    public typealias ErrorPolicy = @Sendable (any Error, String) -> ReconcileAction

    /// The queue the workers pull from; event handlers `add` keys to it.
    public let queue: WorkQueue
    private let workers: Int
    /// The workers' task priority (`nil`: inherited). It only helps together with the tasks that
    /// queue keys running at the same priority (see the operator's `workerPriority`).
    public let priority: TaskPriority?
    private let reconcile: Reconcile
    private let errorPolicy: ErrorPolicy
    private let timeline: Timeline
    private let logger: Logger
    private let instruments: ControllerInstruments?

    /// Retries everything with backoff except `TerminalError`s.
    public static let defaultErrorPolicy: ErrorPolicy = { error, _ in
        error is any TerminalError ? .awaitChange : .requeueWithBackoff
    }

    /// With a `name`, reconciles are counted and timed under `controller=name` (see `ControllerInstruments`).
    public init(queue: WorkQueue, workers: Int = 1, clock: any Clock<Duration> = ContinuousClock(), name: String? = nil,
                logger: Logger, errorPolicy: @escaping ErrorPolicy = Controller.defaultErrorPolicy, priority: TaskPriority? = nil,
                reconcile: @escaping Reconcile) {
        self.queue = queue
        self.priority = priority
        self.workers = max(1, workers)
        self.reconcile = reconcile
        self.errorPolicy = errorPolicy
        self.timeline = Timeline(clock)
        self.logger = logger
        self.instruments = name.map(ControllerInstruments.init)
    }

    /// Runs the workers until the queue is shut down and each worker has finished its key.
    /// Cancelling the calling task cancels the in-flight reconciles too (not graceful).
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask(priority: priority) { await self.work(worker) }
            }
        }
    }

    /// Graceful stop: the queue stops handing out keys, then waits up to `gracePeriod` for in-flight
    /// reconciles. Returns `true` if they all finished; otherwise the owner should cancel `run()`'s task.
    @discardableResult
    public func shutDown(gracePeriod: Duration) async -> Bool {
        await queue.shutDown(drain: false)
        let queue = self.queue
        let timeline = self.timeline
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await queue.waitUntilIdle(); return !Task.isCancelled }
            group.addTask { try? await timeline.sleep(gracePeriod); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func work(_ worker: Int) async {
        while let key = await queue.next() {
            await process(key, worker: worker)
            queue.done(key)
        }
    }

    private func process(_ key: String, worker: Int) async {
        var logger = self.logger
        logger[metadataKey: "reconcile.key"] = "\(key)"
        logger[metadataKey: "reconcile.worker"] = "\(worker)"
        let action: ReconcileAction
        let started = timeline.now()
        do {
            action = try await reconcile(key)
            instruments?.finished(action, after: timeline.now() - started)
        } catch {
            if !(error is CancellationError) { instruments?.finished(nil, after: timeline.now() - started) }
            let decided = errorPolicy(error, key)
            if error is any TerminalError {
                logger.error("reconcile failed terminally; not retrying", metadata: ["error": "\(error)"])
            } else {
                logger.warning("reconcile failed", metadata: ["error": "\(error)", "reconcile.action": "\(decided)"])
            }
            perform(decided, key: key)
            return
        }
        perform(action, key: key)
    }

    private func perform(_ action: ReconcileAction, key: String) {
        switch action {
        case .awaitChange:
            queue.forget(key)
        case .requeue(let delay):
            queue.forget(key)
            queue.add(key, after: delay)
        case .requeueWithBackoff:
            queue.addRateLimited(key)
        }
    }
}
