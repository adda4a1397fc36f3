import JobFlowAPI
import Synchronization

/// Bounded samples of a latency (the last `capacity` values) with percentile accessors.
///
/// Used for the operator's reaction latency: from the watch event that shows a Job finished to
/// the dependent Job's create returning, measured on the operator's clock.
public final class LatencyRecorder: Sendable {
    private struct State {
        var samples: [Duration] = []
        var next = 0
        var total = 0
    }
    private let state = Mutex(State())
    /// How many samples are kept (older ones are overwritten).
    public let capacity: Int

    public init(capacity: Int = 4096) { self.capacity = max(1, capacity) }

    /// Adds one sample.
    public func record(_ value: Duration) {
        state.withLock { s in
            if s.samples.count < capacity { s.samples.append(value) } else { s.samples[s.next] = value }
            s.next = (s.next + 1) % capacity
            s.total += 1
        }
    }

    /// Samples recorded since start (including overwritten ones).
    public var count: Int { state.withLock { $0.total } }

    /// The kept samples, unordered.
    public var samples: [Duration] { state.withLock { $0.samples } }

    /// The `p`-th percentile (0…100, nearest rank) of the kept samples; `nil` without samples.
    public func percentile(_ p: Double) -> Duration? {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return nil }
        let rank = Int((min(max(p, 0), 100) / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    public var p50: Duration? { percentile(50) }
    public var p99: Duration? { percentile(99) }
    public var maximum: Duration? { samples.max() }
}
