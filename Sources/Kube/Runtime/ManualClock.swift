import Synchronization

/// A clock that only moves when a test calls `advance(by:)`; sleepers wake when their deadline passes.
///
/// Deterministic stand-in for `ContinuousClock`: nothing here reads wall time. Sleepers are
/// resumed after the internal lock is released. `waitForSleepers(count:)` lets a test wait until
/// the code under test has parked on the clock, so tests never need real sleeps.
public final class ManualClock: Clock, Sendable {
    /// A point on the manual timeline: the offset from the clock's creation.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable {
        public var offset: Duration
        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private enum Sleeper {
        case registering
        case sleeping(deadline: Instant, CheckedContinuation<Void, any Error>)
        case cancelled
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var requested: [Duration] = []
        var sleeperWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        var sleepingCount: Int {
            sleepers.values.reduce(0) { n, s in if case .sleeping = s { return n + 1 } else { return n } }
        }

        /// Sets `now` and removes the sleepers now due, returning them (earliest first) to resume after unlocking.
        mutating func moveTo(_ instant: Instant) -> [CheckedContinuation<Void, any Error>] {
            now = instant
            var due: [(Instant, Int, CheckedContinuation<Void, any Error>)] = []
            for (id, sleeper) in sleepers {
                if case .sleeping(let deadline, let continuation) = sleeper, deadline <= now {
                    due.append((deadline, id, continuation))
                }
            }
            for entry in due { sleepers[entry.1] = nil }
            return due.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
        }

        mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let count = sleepingCount
            var ready: [CheckedContinuation<Void, Never>] = []
            sleeperWaiters.removeAll { waiter in
                if waiter.count <= count { ready.append(waiter.continuation); return true }
                return false
            }
            return ready
        }
    }

    private let state = Mutex(State())
    private let autoAdvance: Bool

    /// A clock at offset zero. With `autoAdvance`, every `sleep` moves the clock to its deadline and
    /// returns at once (waking other sleepers that became due): handy when the code under test runs
    /// on the test's own task. Concurrent sleepers then race to move time; prefer manual advancing there.
    public init(autoAdvance: Bool = false) {
        self.autoAdvance = autoAdvance
    }

    /// The current instant; moves only through `advance(by:)`.
    public var now: Instant { state.withLock { $0.now } }
    /// Zero: the clock only moves in the steps a test chooses.
    public var minimumResolution: Duration { .zero }

    /// Suspends until `advance(by:)` moves the clock to `deadline`; throws `CancellationError` when cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            s.sleepers[s.nextID] = .registering
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome {
                    case resume([CheckedContinuation<Void, any Error>])
                    case cancel
                    case sleep([CheckedContinuation<Void, Never>])
                }
                let outcome = state.withLock { s -> Outcome in
                    if case .cancelled = s.sleepers[id] {
                        s.sleepers[id] = nil
                        return .cancel
                    }
                    s.requested.append(s.now.duration(to: deadline))
                    if autoAdvance && deadline > s.now {
                        s.sleepers[id] = nil
                        return .resume(s.moveTo(deadline))
                    }
                    if deadline <= s.now {
                        s.sleepers[id] = nil
                        return .resume([])
                    }
                    s.sleepers[id] = .sleeping(deadline: deadline, continuation)
                    return .sleep(s.takeSatisfiedWaiters())
                }
                switch outcome {
                case .resume(let others):
                    others.forEach { $0.resume() }
                    continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .sleep(let waiters): waiters.forEach { $0.resume() }
                }
            }
        } onCancel: {
            let continuation = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                switch s.sleepers[id] {
                case .registering:
                    s.sleepers[id] = .cancelled
                    return nil
                case .sleeping(_, let continuation):
                    s.sleepers[id] = nil
                    return continuation
                case .cancelled, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline is now due, earliest first.
    public func advance(by duration: Duration) {
        let due = state.withLock { s in s.moveTo(s.now.advanced(by: duration)) }
        due.forEach { $0.resume() }
    }

    /// How many tasks are currently suspended in `sleep`.
    public var sleeperCount: Int { state.withLock { $0.sleepingCount } }

    /// Every duration passed to `sleep` so far (deadline minus now at the time of the call), in order.
    public var requestedSleeps: [Duration] { state.withLock { $0.requested } }

    /// Suspends until at least `count` tasks are sleeping on this clock (not cancellable: use in tests).
    public func waitForSleepers(count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.sleepingCount >= count { return true }
                s.sleeperWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
