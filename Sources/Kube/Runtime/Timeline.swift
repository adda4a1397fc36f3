/// A type-erased clock measured as the time elapsed since the timeline was created.
///
/// Lets runtime components accept `any Clock<Duration>` without becoming generic.
struct Timeline: Sendable {
    /// Time since creation, on the wrapped clock.
    let now: @Sendable () -> Duration
    /// Sleeps on the wrapped clock; throws `CancellationError` when the task is cancelled.
    let sleep: @Sendable (Duration) async throws -> Void
    /// Sleeps until the timeline reaches this offset (returns at once if it already has).
    let sleepUntil: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        self = Timeline.make(clock)
    }

    private init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void,
                 sleepUntil: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
        self.sleepUntil = sleepUntil
    }

    private static func make<C: Clock<Duration>>(_ clock: C) -> Timeline {
        let start = clock.now
        return Timeline(
            now: { start.duration(to: clock.now) },
            sleep: { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) },
            sleepUntil: { offset in try await clock.sleep(until: start.advanced(by: offset), tolerance: nil) }
        )
    }
}

extension Duration {
    /// A duration from a non-negative number of seconds.
    static func secondsDouble(_ value: Double) -> Duration {
        .nanoseconds(Int64((max(0, value) * 1e9).rounded()))
    }
}
