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
    /// Of `depth`, keys waiting in the priority lane.
    public var priorityDepth: Int = 0
}

/// Which lane of a `WorkQueue` a key waits in.
public enum WorkQueuePriority: Sendable, Equatable {
    /// Handed out in the order added, after every priority key.
    case normal
    /// Handed out before every normal key (in the order added among themselves).
    case high
}

/// A de-duplicating queue of keys with delayed and rate-limited adds, like client-go's workqueue.
///
/// A key queued twice is handed out once; a key added while it is processed is queued again after
/// `done(_:)`, so two workers never hold the same key. `next()` blocks until a key is available
/// and returns `nil` after shutdown. Delays sleep on the injected clock.
///
/// Two lanes: a key added with `.high` priority (work that unblocks others, say) is handed out
/// before every `.normal` key; a key already waiting in the normal lane is promoted, and one
/// added while it is processed goes to the priority lane when `done(_:)` queues it again.
/// Delayed and rate-limited adds are normal.
public actor WorkQueue {
    /// Each lane holds (key, ticket); an entry is live while `queued[key]` is its ticket (a
    /// promoted key leaves a dead entry behind in the normal lane, skipped when reached).
    private var lanes: (high: Lane, normal: Lane) = (Lane(), Lane())
    private var queued: [String: Int] = [:]
    private var nextTicket = 0
    private var dirty: Set<String> = []
    /// Dirty keys that go to the priority lane (waiting there, or to be queued there by `done`).
    private var urgent: Set<String> = []
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

    /// Queues `key` unless it is already queued; ignored after shutdown. With `.high` priority
    /// the key goes ahead of every normal key, and a key already waiting as normal is promoted.
    public func add(_ key: String, priority: WorkQueuePriority = .normal) {
        guard !shuttingDown else { return }
        if dirty.contains(key) {
            guard priority == .high, !urgent.contains(key) else { return }
            urgent.insert(key)
            if queued[key] != nil { place(key) }  // promote; otherwise done(_:) queues it in the priority lane
            return
        }
        dirty.insert(key)
        if priority == .high { urgent.insert(key) }
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
    public var depth: Int { queued.count }

    /// Depth, in-flight count and per-key waiting times.
    public func metrics() -> WorkQueueMetrics {
        WorkQueueMetrics(depth: depth, inFlight: processing.count, delayed: delayed.count,
                         lastWait: lastWait, handedOut: handedOut, priorityDepth: urgent.count { queued[$0] != nil })
    }

    // MARK: - Private

    private func enqueue(_ key: String) {
        if let index = waiters.indices.first {
            let waiter = waiters.remove(at: index)
            dirty.remove(key)
            urgent.remove(key)
            markProcessing(key)
            waiter.continuation.resume(returning: key)
        } else {
            place(key)
            instruments?.depth.record(depth)
        }
    }

    /// Appends a live entry for `key` to its lane (any earlier entry of it becomes dead).
    private func place(_ key: String) {
        nextTicket += 1
        queued[key] = nextTicket
        if urgent.contains(key) { lanes.high.append(key, nextTicket) } else { lanes.normal.append(key, nextTicket) }
    }

    private func dequeue() -> String? {
        guard !shuttingDown else { return nil }
        let isLive = { (key: String, ticket: Int) in self.queued[key] == ticket }
        guard let key = lanes.high.popLive(isLive) ?? lanes.normal.popLive(isLive) else { return nil }
        queued[key] = nil
        dirty.remove(key)
        urgent.remove(key)
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

/// A FIFO of (key, ticket) with amortised O(1) pops.
private struct Lane {
    private var entries: [(key: String, ticket: Int)] = []
    private var head = 0

    mutating func append(_ key: String, _ ticket: Int) { entries.append((key, ticket)) }

    /// Pops entries until one is `live` and returns its key (dead ones are dropped); nil when empty.
    mutating func popLive(_ live: (String, Int) -> Bool) -> String? {
        while head < entries.count {
            let entry = entries[head]
            head += 1
            if head > 64 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
            if live(entry.key, entry.ticket) { return entry.key }
        }
        return nil
    }
}
