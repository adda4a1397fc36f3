import Foundation

/// The control plane's time: offsets on an injected clock, and the dates they stand for.
struct TimeSource: Sendable {
    let elapsed: @Sendable () -> Duration
    let sleepUntil: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date

    init<C: Clock>(clock: C, now: (@Sendable () -> Date)?) where C.Duration == Duration {
        let origin = clock.now
        let start = Date()
        let elapsed: @Sendable () -> Duration = { origin.duration(to: clock.now) }
        self.elapsed = elapsed
        sleepUntil = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
        self.now = now ?? { start.addingTimeInterval(ShellInterpreter.seconds(elapsed())) }
    }

    /// The date of a clock offset.
    func date(_ offset: Duration) -> Date {
        now().addingTimeInterval(ShellInterpreter.seconds(offset - elapsed()))
    }

    func sleep(for d: Duration) async throws { try await sleepUntil(elapsed() + d) }
}

extension Duration {
    /// `seconds` as a duration, clamped to [0, 100 years] so hostile spec values never trap.
    static func clampedSeconds(_ seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .milliseconds(Int64((min(seconds, 3.2e9) * 1000).rounded(.up)))
    }
}

/// A speed factor made safe to divide by: finite, between 0.001 and 1 000 000.
func sanitizedSpeed(_ speed: Double) -> Double {
    guard speed.isFinite, speed > 0 else { return 1 }
    return min(max(speed, 0.001), 1_000_000)
}
