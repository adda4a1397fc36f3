import Metrics
import OperatorEndpoints
import Prometheus

/// The process's one metrics backend: swift-prometheus behind swift-metrics. Libraries record
/// through swift-metrics only; the binary bootstraps this before it creates a client or an
/// operator (handles made earlier would stay no-ops) and renders the registry for `/metrics`.
enum PrometheusBackend {
    static let registry = PrometheusCollectorRegistry()

    /// Histogram buckets for every Timer: 1 ms … 60 s (reconciles and queue waits on a busy
    /// control plane reach seconds; the library default stops at 10 s).
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60),
    ]

    /// Makes swift-metrics record into `registry`. Call once, first thing.
    static func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        MetricsSystem.bootstrap(factory)
    }

    /// The text exposition format (0.0.4) of everything recorded so far.
    static func render() -> EndpointResponse {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return EndpointResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: buffer)
    }
}
