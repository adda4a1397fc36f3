import Synchronization

/// Something that paces requests. `acquire` blocks until the caller may go and returns how long it waited.
public protocol RequestPacing: Sendable {
    func acquire() async throws -> Duration
    /// Total time callers have spent waiting, for metrics.
    var totalWaited: Duration { get }
    /// A pacer with the same settings and none of this one's state (`KubeAPI.pacedSeparately`).
    /// Default: `self` (shared).
    func independentCopy() -> any RequestPacing
}

extension RequestPacing {
    public func independentCopy() -> any RequestPacing { self }
}

/// A token bucket: `qps` tokens a second, up to `burst` saved. Callers reserve a token at once
/// (possibly going into debt) and sleep off the debt, so waiting callers are served in order and
/// the long-run rate never exceeds `qps`. The client's default is 50 QPS, burst 100.
public final class ClientRateLimiter<C: Clock>: RequestPacing where C.Duration == Duration {
    public let qps: Double
    public let burst: Int
    let clock: C
    struct State {
        var tokens: Double
        var last: C.Instant
        var waited: Duration = .zero
    }
    let state: Mutex<State>

    public init(qps: Double, burst: Int, clock: C) {
        precondition(qps > 0 && burst >= 1, "qps must be > 0 and burst >= 1")
        self.qps = qps
        self.burst = burst
        self.clock = clock
        self.state = Mutex(State(tokens: Double(burst), last: clock.now))
    }

    public var totalWaited: Duration { state.withLock { $0.waited } }

    public func independentCopy() -> any RequestPacing { ClientRateLimiter(qps: qps, burst: burst, clock: clock) }

    /// Takes a token, sleeping when the bucket is empty. Throws only when the task is cancelled.
    public func acquire() async throws -> Duration {
        let wait: Duration = state.withLock { s in
            let now = clock.now
            let elapsed = s.last.duration(to: now)
            s.last = now
            s.tokens = min(Double(burst), s.tokens + elapsed.seconds * qps)
            s.tokens -= 1
            if s.tokens >= 0 { return .zero }
            let delay = Duration.seconds(-s.tokens / qps)
            s.waited += delay
            return delay
        }
        if wait > .zero { try await clock.sleep(for: wait) }
        return wait
    }
}

extension ClientRateLimiter where C == ContinuousClock {
    public convenience init(qps: Double, burst: Int) { self.init(qps: qps, burst: burst, clock: ContinuousClock()) }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
