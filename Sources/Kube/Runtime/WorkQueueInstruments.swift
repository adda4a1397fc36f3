import Metrics

/// A named work queue's swift-metrics instruments, in client-go's workqueue vocabulary.
///
/// - `workqueue_depth{name}`: keys waiting to be handed out (a gauge).
/// - `workqueue_adds_total{name}`: keys added (an add of a key already waiting is not counted).
/// - `workqueue_queue_duration_seconds{name}`: from a key's add to a worker taking it (a histogram).
/// - `workqueue_retries_total{name}`: rate-limited adds (a failed reconcile retried with backoff).
///
/// Created once per queue; a new queue of the same name (the next leadership term) continues the series.
struct WorkQueueInstruments: Sendable {
    let depth: Gauge
    let adds: Counter
    let queueDuration: Metrics.Timer
    let retries: Counter

    init(name: String) {
        let dimensions = [("name", name)]
        depth = Gauge(label: "workqueue_depth", dimensions: dimensions)
        adds = Counter(label: "workqueue_adds_total", dimensions: dimensions)
        queueDuration = Metrics.Timer(label: "workqueue_queue_duration_seconds", dimensions: dimensions)
        retries = Counter(label: "workqueue_retries_total", dimensions: dimensions)
    }
}
