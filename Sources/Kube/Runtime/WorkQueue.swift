import Logging

/// Point-in-time figures of a work queue, for metrics.
public struct WorkQueueMetrics: Sendable {
    /// Keys waiting to be handed out.
    public var depth: Int
    /// Keys currently being processed.
    public var inFlight: Int
    /// Keys scheduled by `add(after:)` / `addRateLimited` that have not fired yet.
    public var delayed: Int
    /// For each key handed out at least once: how long it last waited between add and `next()`.
    public var lastWait: [String: Duration]
    /// Keys ever handed out.
    public var handedOut: Int
}

/// A de-duplicating queue of keys with delayed and rate-limited adds, like client-go's workqueue.
///
/// A key queued twice is handed out once; a key added while it is processed is queued again after
/// `done(_:)`, so two workers never hold the same key. `next()` blocks until a key is available
/// and returns `nil` after shutdown. Delays sleep on the injected clock.
public actor WorkQueue {
    private var queue: [String] = []
    private var head = 0
    private var dirty: Set<String> = []
    private var processing: Set<String> = []
    private var addedAt: [String: Duration] = [:]
    private var lastWait: [String: Duration] = [:]
    private var handedOut = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<String?, Never>)] = []
    private var drainWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextID = 0
    /// Pending delayed adds: one per key, the earliest deadline wins.
    private var delayed: [String: (id: Int, deadline: Duration, task: Task<Void, Never>)] = [:]
    private var rateLimiter: ControllerRateLimiter
    private var shuttingDown = false
    private let timeline: Timeline
    private let logger: Logger
    private let instruments: WorkQueueInstruments?

    /// A queue whose delays run on `clock` and whose `addRateLimited` uses `rateLimiter`; with a
    /// `name` it reports the `workqueue_*` metrics under that name (see `WorkQueueInstruments`).
    public init(clock: any Clock<Duration> = ContinuousClock(), rateLimiter: ControllerRateLimiter = .init(),
                name: String? = nil, logger: Logger) {
        self.timeline = Timeline(clock)
        self.rateLimiter = rateLimiter
        self.logger = logger
        self.instruments = name.map(WorkQueueInstruments.init)
    }

    /// Queues `key` unless it is already queued; ignored after shutdown.
    public func add(_ key: String) {
        guard !shuttingDown, !dirty.contains(key) else { return }
        dirty.insert(key)
        instruments?.adds.increment()
        addedAt[key] = addedAt[key] ?? timeline.now()
        if processing.contains(key) { return }  // re-queued by done(_:)
        enqueue(key)
    }

    /// Queues `key` once `delay` has passed on the clock (at once when `delay <= 0`). A key already
    /// waiting keeps the earlier of its two deadlines.
    public func add(_ key: String, after delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key) }
        let deadline = timeline.now() + delay
        if let pending = delayed[key] {
            if pending.deadline <= deadline { return }
            pending.task.cancel()
        }
        nextID += 1
        let id = nextID
        let timeline = self.timeline
        let task = Task { [weak self] in
            // An absolute deadline: the delay counts from the add, not from when this task starts.
            do { try await timeline.sleepUntil(deadline) } catch { return }
            await self?.delayedFired(id: id, key: key)
        }
        delayed[key] = (id, deadline, task)
    }

    /// Queues `key` after its rate-limited delay: per-key exponential backoff or the overall bucket, whichever is longer.
    public func addRateLimited(_ key: String) {
        guard !shuttingDown else { return }
        let delay = rateLimiter.delay(for: key, now: timeline.now())
        instruments?.retries.increment()
        add(key, after: delay)
    }

    /// Forgets `key`'s failures: its next rate-limited add starts from the base delay again.
    public func forget(_ key: String) { rateLimiter.forget(key) }

    /// How many rate-limited adds `key` has had since it was last forgotten.
    public func retries(of key: String) -> Int { rateLimiter.failureCount(for: key) }

    /// The next key to process, waiting for one; `nil` once the queue is shut down.
    /// The caller must call `done(_:)` with the key when finished.
    public func next() async -> String? {
        if let key = dequeue() { return key }
        if shuttingDown { return nil }
        nextID += 1
        let id = nextID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                // A cancellation before this point is seen here; one after finds the waiter.
                if Task.isCancelled || shuttingDown {
                    continuation.resume(returning: nil)
                } else if let key = dequeue() {
                    continuation.resume(returning: key)
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Marks `key` finished; if it was added again meanwhile it is queued again now.
    public func done(_ key: String) {
        processing.remove(key)
        if dirty.contains(key) && !shuttingDown { enqueue(key) }
        if processing.isEmpty {
            let drained = drainWaiters.values
            drainWaiters = [:]
            drained.forEach { $0.resume() }
        }
    }

    /// Stops handing out keys (`next()` returns `nil`), cancels pending delayed adds, and with
    /// `drain` waits until every key handed out has been marked `done`.
    public func shutDown(drain: Bool = false) async {
        if !shuttingDown {
            shuttingDown = true
            let parked = waiters
            waiters = []
            parked.forEach { $0.continuation.resume(returning: nil) }
            delayed.values.forEach { $0.task.cancel() }
            delayed = [:]
            instruments?.depth.record(0)  // queued keys are dropped: nothing will be handed out
        }
        if drain { await waitUntilIdle() }
    }

    /// Suspends until no key is being processed; returns early if the waiting task is cancelled.
    public func waitUntilIdle() async {
        if processing.isEmpty { return }
        nextID += 1
        let id = nextID
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled || processing.isEmpty {
                    continuation.resume()
                } else {
                    drainWaiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Whether `shutDown` was called.
    public var isShuttingDown: Bool { shuttingDown }

    /// Keys waiting to be handed out.
    public var depth: Int { queue.count - head }

    /// Depth, in-flight count and per-key waiting times.
    public func metrics() -> WorkQueueMetrics {
        WorkQueueMetrics(depth: depth, inFlight: processing.count, delayed: delayed.count,
                         lastWait: lastWait, handedOut: handedOut)
    }

    // MARK: - Private

    private func enqueue(_ key: String) {
        if let index = waiters.indices.first {
            let waiter = waiters.remove(at: index)
            dirty.remove(key)
            markProcessing(key)
            waiter.continuation.resume(returning: key)
        } else {
            queue.append(key)
            instruments?.depth.record(depth)
        }
    }

    private func dequeue() -> String? {
        guard !shuttingDown, head < queue.count else { return nil }
        let key = queue[head]
        head += 1
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        dirty.remove(key)
        markProcessing(key)
        instruments?.depth.record(depth)
        return key
    }

    private func markProcessing(_ key: String) {
        processing.insert(key)
        handedOut += 1
        if let added = addedAt.removeValue(forKey: key) {
            let waited = timeline.now() - added
            lastWait[key] = waited
            instruments?.queueDuration.record(duration: waited)
        }
    }

    private func delayedFired(id: Int, key: String) {
        guard delayed[key]?.id == id else { return }  // superseded by an earlier deadline, or shut down
        delayed[key] = nil
        add(key)
    }

    private func cancelWaiter(_ id: Int) {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            waiters.remove(at: index).continuation.resume(returning: nil)
        } else if let drain = drainWaiters.removeValue(forKey: id) {
            drain.resume()
        }
    }
}
