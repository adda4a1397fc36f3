import Synchronization

/// A clock whose sleeps return at once, moving its time forward to the deadline: the
/// simulation runs as fast as the loops can go, in the order of their deadlines.
final class InstantClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let lock = Mutex<Duration>(.zero)
    var now: Instant { Instant(offset: lock.withLock { $0 }) }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        lock.withLock { $0 = max($0, deadline.offset) }
        await Task.yield()
        try Task.checkCancellation()
    }
}

/// A clock that moves only when the test calls `advance(by:)`; sleepers whose deadline passes
/// are resumed then. Cancelling a sleeper ends its sleep with `CancellationError`.
final class ManualClock: Clock, Sendable {
    typealias Instant = InstantClock.Instant
    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }
    private let state = Mutex<(now: Duration, nextID: UInt64, sleepers: [UInt64: Sleeper])>((.zero, 0, [:]))

    var now: Instant { Instant(offset: state.withLock { $0.now }) }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { s in
                    if Task.isCancelled || deadline.offset <= s.now { return true }
                    s.sleepers[id] = Sleeper(deadline: deadline.offset, continuation: c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    func advance(by duration: Duration) {
        let due: [Sleeper] = state.withLock { s in
            s.now += duration
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for id in ready.keys { s.sleepers[id] = nil }
            return Array(ready.values)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
