/// Exponential backoff: `initial`, doubling per failure up to `maximum`, plus up to `jitter` × the delay.
///
/// A plain value: `next()` returns the delay for the current failure and advances; `reset()`
/// after a success. Randomness is injected so tests are deterministic.
public struct Backoff: Sendable {
    /// Delay after the first failure.
    public var initial: Duration
    /// Upper bound of every delay, jitter included.
    public var maximum: Duration
    /// Fraction of the delay added at random (0.2 = up to +20 %); the result is still capped at `maximum`.
    public var jitter: Double
    /// Returns a number in `0...1`; defaults to `Double.random(in:)`.
    public var random: @Sendable () -> Double
    /// Consecutive failures since the last `reset()`.
    public private(set) var failures = 0

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), jitter: Double = 0.2,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self.random = random
    }

    /// The delay before the next attempt; counts one more failure.
    public mutating func next() -> Duration {
        var base = initial
        for _ in 0..<min(failures, 64) where base < maximum { base = base * 2 }
        if base > maximum { base = maximum }
        failures += 1
        let jittered = base + base * (jitter * random())
        return min(jittered, maximum)
    }

    /// Forgets past failures: the next delay is `initial` again.
    public mutating func reset() { failures = 0 }
}
