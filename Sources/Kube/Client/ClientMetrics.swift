import Metrics
import Synchronization

/// The client's swift-metrics instruments (no-op until the process bootstraps a metrics backend).
///
/// - `rest_client_requests_total{verb, code}`: every HTTP answer (and transport failure, code
///   `error`) by verb; verbs outside the known seven count as `other`, codes are three digits,
///   so the label set stays small.
/// - `rest_client_rate_limiter_throttled_seconds_total`: time callers slept on the client-side
///   rate limiter.
///
/// Counter handles are created once per (verb, code) and cached, so a request costs one
/// dictionary lookup under an uncontended lock plus the backend's increment.
final class ClientMetrics: Sendable {
    private struct Key: Hashable {
        var verb: String
        var code: Int
    }
    private let requests = Mutex<[Key: Counter]>([:])
    private let throttledSeconds = FloatingPointCounter(label: "rest_client_rate_limiter_throttled_seconds_total")

    static let verbs: Set<String> = ["get", "list", "watch", "create", "update", "patch", "delete"]

    /// Counts one answer with HTTP `code` (-1: the transport failed).
    func requestFinished(verb: String, code: Int) {
        let key = Key(verb: ClientMetrics.verbs.contains(verb) ? verb : "other", code: (100...599).contains(code) ? code : -1)
        let counter = requests.withLock { cache -> Counter in
            if let counter = cache[key] { return counter }
            let counter = Counter(label: "rest_client_requests_total",
                                  dimensions: [("verb", key.verb), ("code", key.code < 0 ? "error" : String(key.code))])
            cache[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Adds time a request waited on the client-side rate limiter.
    func throttled(for waited: Duration) {
        guard waited > .zero else { return }
        throttledSeconds.increment(by: waited.seconds)
    }
}
