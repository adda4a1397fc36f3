import Logging
import Synchronization

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
///
/// Adding is synchronous (a lock, not an actor): an informer's event handler queues a key in the
/// handler itself, and a parked worker is resumed from there, with no task created per add to hop
/// onto the queue. Continuations are always resumed outside the lock.
public final class WorkQueue: Sendable {
    private typealias Waiter = (id: Int, continuation: CheckedContinuation<String?, Never>)

    private struct State {
        /// Each lane holds (key, ticket); an entry is live while `queued[key]` is its ticket (a
        /// promoted key leaves a dead entry behind in the normal lane, skipped when reached).
        var lanes: (high: Lane, normal: Lane) = (Lane(), Lane())
        var queued: [String: Int] = [:]
        var nextTicket = 0
        var dirty: Set<String> = []
        /// Dirty keys that go to the priority lane (waiting there, or to be queued there by `done`).
        var urgent: Set<String> = []
        var processing: Set<String> = []
        var addedAt: [String: Duration] = [:]
        var lastWait: [String: Duration] = [:]
        var handedOut = 0
        /// Workers parked in `next()`, longest-waiting first (at most one per worker).
        var waiters: [Waiter] = []
        var drainWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
        /// Pending delayed adds: one per key, the earliest deadline wins.
        var delayed: [String: (id: Int, deadline: Duration, task: Task<Void, Never>)] = [:]
        var rateLimiter: ControllerRateLimiter
        var shuttingDown = false
    }

    private let state: Mutex<State>
    private let timeline: Timeline
    private let logger: Logger
    private let instruments: WorkQueueInstruments?

    /// A queue whose delays run on `clock` and whose `addRateLimited` uses `rateLimiter`; with a
    /// `name` it reports the `workqueue_*` metrics under that name (see `WorkQueueInstruments`).
    public init(clock: any Clock<Duration> = ContinuousClock(), rateLimiter: ControllerRateLimiter = .init(),
                name: String? = nil, logger: Logger) {
        self.timeline = Timeline(clock)
        self.state = Mutex(State(rateLimiter: rateLimiter))
        self.logger = logger
        self.instruments = name.map(WorkQueueInstruments.init)
    }

    /// Queues `key` unless it is already queued; ignored after shutdown. With `.high` priority
    /// the key goes ahead of every normal key, and a key already waiting as normal is promoted.
    /// A worker waiting in `next()` is handed the key at once.
    public func add(_ key: String, priority: WorkQueuePriority = .normal) {
        let now = timeline.now()
        let handoff = state.withLock { add(key, priority: priority, now: now, in: &$0) }
        handoff?.resume(returning: key)
    }

    /// Queues `key` once `delay` has passed on the clock (at once when `delay <= 0`). A key already
    /// waiting keeps the earlier of its two deadlines.
    public func add(_ key: String, after delay: Duration) {
        guard delay > .zero else { return add(key) }
        let now = timeline.now()
        state.withLock { addDelayed(key, deadline: now + delay, in: &$0) }
    }

    /// Queues `key` after its rate-limited delay: per-key exponential backoff or the overall bucket, whichever is longer.
    public func addRateLimited(_ key: String) {
        let now = timeline.now()
        state.withLock { s in
            guard !s.shuttingDown else { return }
            let delay = s.rateLimiter.delay(for: key, now: now)
            instruments?.retries.increment()
            addDelayed(key, deadline: now + delay, in: &s)
        }
    }

    /// Forgets `key`'s failures: its next rate-limited add starts from the base delay again.
    public func forget(_ key: String) { state.withLock { $0.rateLimiter.forget(key) } }

    /// How many rate-limited adds `key` has had since it was last forgotten.
    public func retries(of key: String) -> Int { state.withLock { $0.rateLimiter.failureCount(for: key) } }

    /// The next key to process, waiting for one; `nil` once the queue is shut down.
    /// The caller must call `done(_:)` with the key when finished.
    public func next() async -> String? {
        let now = timeline.now()
        // A key ready now (or shutdown) returns at once; otherwise the caller parks as waiter `id`.
        let (ready, id): (String?, Int?) = state.withLock { s in
            if s.shuttingDown { return (nil, nil) }
            if let key = dequeue(now: now, in: &s) { return (key, nil) }
            s.nextID += 1
            return (nil, s.nextID)
        }
        guard let id else { return ready }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                // A cancellation before this point is seen here; one after finds the waiter.
                let immediate: String?? = state.withLock { s in
                    if Task.isCancelled || s.shuttingDown { return .some(nil) }
                    if let key = dequeue(now: timeline.now(), in: &s) { return .some(key) }
                    s.waiters.append((id, continuation))
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            cancelWaiter(id)
        }
    }

    /// Marks `key` finished; if it was added again meanwhile it is queued again now.
    public func done(_ key: String) {
        let now = timeline.now()
        let (handoff, drained) = state.withLock { s -> (CheckedContinuation<String?, Never>?, [CheckedContinuation<Void, Never>]) in
            s.processing.remove(key)
            var handoff: CheckedContinuation<String?, Never>?
            if s.dirty.contains(key) && !s.shuttingDown { handoff = enqueue(key, now: now, in: &s) }
            var drained: [CheckedContinuation<Void, Never>] = []
            if s.processing.isEmpty && !s.drainWaiters.isEmpty {
                drained = Array(s.drainWaiters.values)
                s.drainWaiters = [:]
            }
            return (handoff, drained)
        }
        handoff?.resume(returning: key)
        drained.forEach { $0.resume() }
    }

    /// Stops handing out keys (`next()` returns `nil`), cancels pending delayed adds, and with
    /// `drain` waits until every key handed out has been marked `done`.
    public func shutDown(drain: Bool = false) async {
        let parked: [Waiter] = state.withLock { s in
            guard !s.shuttingDown else { return [] }
            s.shuttingDown = true
            let parked = s.waiters
            s.waiters = []
            s.delayed.values.forEach { $0.task.cancel() }
            s.delayed = [:]
            instruments?.depth.record(0)  // queued keys are dropped: nothing will be handed out
            return parked
        }
        parked.forEach { $0.continuation.resume(returning: nil) }
        if drain { await waitUntilIdle() }
    }

    /// Suspends until no key is being processed; returns early if the waiting task is cancelled.
    public func waitUntilIdle() async {
        let id: Int? = state.withLock { s in
            if s.processing.isEmpty { return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if Task.isCancelled || s.processing.isEmpty { return true }
                    s.drainWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            cancelWaiter(id)
        }
    }

    /// Whether `shutDown` was called.
    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Keys waiting to be handed out.
    public var depth: Int { state.withLock { $0.queued.count } }

    /// Depth, in-flight count and per-key waiting times.
    public func metrics() -> WorkQueueMetrics {
        state.withLock { s in
            WorkQueueMetrics(depth: s.queued.count, inFlight: s.processing.count, delayed: s.delayed.count,
                             lastWait: s.lastWait, handedOut: s.handedOut,
                             priorityDepth: s.urgent.count { s.queued[$0] != nil })
        }
    }

    // MARK: - Private (each runs under the lock; a returned continuation is resumed by the caller)

    private func add(_ key: String, priority: WorkQueuePriority, now: Duration, in s: inout State) -> CheckedContinuation<String?, Never>? {
        guard !s.shuttingDown else { return nil }
        if s.dirty.contains(key) {
            guard priority == .high, !s.urgent.contains(key) else { return nil }
            s.urgent.insert(key)
            if s.queued[key] != nil { place(key, in: &s) }  // promote; otherwise done(_:) queues it in the priority lane
            return nil
        }
        s.dirty.insert(key)
        if priority == .high { s.urgent.insert(key) }
        instruments?.adds.increment()
        if s.addedAt[key] == nil { s.addedAt[key] = now }
        if s.processing.contains(key) { return nil }  // re-queued by done(_:)
        return enqueue(key, now: now, in: &s)
    }

    private func addDelayed(_ key: String, deadline: Duration, in s: inout State) {
        guard !s.shuttingDown else { return }
        if let pending = s.delayed[key] {
            if pending.deadline <= deadline { return }
            pending.task.cancel()
        }
        s.nextID += 1
        let id = s.nextID
        let timeline = self.timeline
        let task = Task { [weak self] in
            // An absolute deadline: the delay counts from the add, not from when this task starts.
            do { try await timeline.sleepUntil(deadline) } catch { return }
            self?.delayedFired(id: id, key: key)
        }
        s.delayed[key] = (id, deadline, task)
    }

    /// Hands `key` to the longest-waiting worker (returned, to be resumed), or queues it.
    private func enqueue(_ key: String, now: Duration, in s: inout State) -> CheckedContinuation<String?, Never>? {
        if !s.waiters.isEmpty {
            let waiter = s.waiters.removeFirst()
            s.dirty.remove(key)
            s.urgent.remove(key)
            markProcessing(key, now: now, in: &s)
            return waiter.continuation
        }
        place(key, in: &s)
        instruments?.depth.record(s.queued.count)
        return nil
    }

    /// Appends a live entry for `key` to its lane (any earlier entry of it becomes dead).
    private func place(_ key: String, in s: inout State) {
        s.nextTicket += 1
        s.queued[key] = s.nextTicket
        if s.urgent.contains(key) { s.lanes.high.append(key, s.nextTicket) } else { s.lanes.normal.append(key, s.nextTicket) }
    }

    private func dequeue(now: Duration, in s: inout State) -> String? {
        guard !s.shuttingDown else { return nil }
        guard let key = s.lanes.high.popLive(in: s.queued) ?? s.lanes.normal.popLive(in: s.queued) else { return nil }
        s.queued[key] = nil
        s.dirty.remove(key)
        s.urgent.remove(key)
        markProcessing(key, now: now, in: &s)
        instruments?.depth.record(s.queued.count)
        return key
    }

    private func markProcessing(_ key: String, now: Duration, in s: inout State) {
        s.processing.insert(key)
        s.handedOut += 1
        if let added = s.addedAt.removeValue(forKey: key) {
            let waited = now - added
            s.lastWait[key] = waited
            instruments?.queueDuration.record(duration: waited)
        }
    }

    private func delayedFired(id: Int, key: String) {
        let now = timeline.now()
        let handoff = state.withLock { s -> CheckedContinuation<String?, Never>? in
            guard s.delayed[key]?.id == id else { return nil }  // superseded by an earlier deadline, or shut down
            s.delayed[key] = nil
            return add(key, priority: .normal, now: now, in: &s)
        }
        handoff?.resume(returning: key)
    }

    private func cancelWaiter(_ id: Int) {
        enum Found { case waiter(CheckedContinuation<String?, Never>), drain(CheckedContinuation<Void, Never>) }
        let found: Found? = state.withLock { s in
            if let index = s.waiters.firstIndex(where: { $0.id == id }) {
                return .waiter(s.waiters.remove(at: index).continuation)
            }
            if let drain = s.drainWaiters.removeValue(forKey: id) { return .drain(drain) }
            return nil
        }
        switch found {
        case .waiter(let continuation): continuation.resume(returning: nil)
        case .drain(let continuation): continuation.resume()
        case nil: break
        }
    }
}

/// A FIFO of (key, ticket) with amortised O(1) pops.
private struct Lane {
    private var entries: [(key: String, ticket: Int)] = []
    private var head = 0

    mutating func append(_ key: String, _ ticket: Int) { entries.append((key, ticket)) }

    /// Pops entries until one is live (its ticket is `queued[key]`) and returns its key (dead ones
    /// are dropped); nil when empty.
    mutating func popLive(in queued: [String: Int]) -> String? {
        while head < entries.count {
            let entry = entries[head]
            head += 1
            if head > 64 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
            if queued[entry.key] == entry.ticket { return entry.key }
        }
        return nil
    }
}
