import Metrics

/// A watcher's swift-metrics instruments, labelled by resource (`jobs.batch`, `nodes`, …).
///
/// - `watcher_relists_total{resource}`: complete lists after the first one (the watch's
///   resourceVersion expired, 410 Gone): each is a full read of the collection.
/// - `watcher_watch_restarts_total{resource}`: watch requests sent again from the last
///   resourceVersion (the previous watch timed out, was cut or failed); the first watch after
///   each list is not counted.
///
/// Created once per `Watcher`; several watchers of one resource share the series.
struct WatcherMetrics: Sendable {
    let relists: Counter
    let watchRestarts: Counter

    init(resource: Resource) {
        relists = Counter(label: "watcher_relists_total", dimensions: [("resource", resource.groupResource)])
        watchRestarts = Counter(label: "watcher_watch_restarts_total", dimensions: [("resource", resource.groupResource)])
    }
}
