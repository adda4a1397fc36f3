/// A token bucket: `burst` tokens, refilled at `ratePerSecond`; reservations may go into debt.
///
/// A plain value driven by the caller's clock (`now` = time since some fixed origin), like Go's
/// `rate.Limiter.Reserve`: each reservation takes a token and returns how long to wait for it.
public struct TokenBucket: Sendable {
    public let ratePerSecond: Double
    public let burst: Double
    private var tokens: Double
    private var last: Duration?

    public init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = ratePerSecond
        self.burst = Double(burst)
        self.tokens = Double(burst)
    }

    private mutating func refill(now: Duration) {
        if let last, now > last {
            tokens = min(burst, tokens + (now - last).seconds * ratePerSecond)
        }
        if last == nil || now > last! { last = now }
    }

    /// Takes one token and returns the wait until it is really available (zero when one was in hand).
    public mutating func reserve(now: Duration) -> Duration {
        refill(now: now)
        tokens -= 1
        return tokens >= 0 ? .zero : .secondsDouble(-tokens / ratePerSecond)
    }

    /// Whether the bucket has refilled completely by `now` (it then behaves like a new one).
    public func isFull(now: Duration) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= burst
    }

    /// Takes a token only if one is available now; never goes into debt.
    public mutating func tryTake(now: Duration) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// client-go's default controller rate limiter: per-key exponential backoff combined with an
/// overall token bucket; the delay is the larger of the two.
public struct ControllerRateLimiter: Sendable {
    /// Per-key delay after the first failure.
    public var baseDelay: Duration
    /// Per-key delay cap.
    public var maxDelay: Duration
    private var failures: [String: Int] = [:]
    private var bucket: TokenBucket

    /// Per key `baseDelay` doubling to `maxDelay`; overall `qps` with `burst`.
    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000),
                qps: Double = 10, burst: Int = 100) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.bucket = TokenBucket(ratePerSecond: qps, burst: burst)
    }

    /// The delay before `key` may be retried; counts one more failure for it.
    public mutating func delay(for key: String, now: Duration) -> Duration {
        let count = failures[key, default: 0]
        failures[key] = count + 1
        var perKey = baseDelay
        for _ in 0..<min(count, 64) where perKey < maxDelay { perKey = perKey * 2 }
        perKey = min(perKey, maxDelay)
        return max(perKey, bucket.reserve(now: now))
    }

    /// Failures counted for `key` since it was last forgotten.
    public func failureCount(for key: String) -> Int { failures[key, default: 0] }

    /// Resets `key`'s backoff after a success.
    public mutating func forget(_ key: String) { failures[key] = nil }
}
