import Metrics

/// A named controller's swift-metrics instruments, in controller-runtime's vocabulary.
///
/// - `controller_runtime_reconcile_total{controller, result}`: reconciles by outcome: `success`
///   (`.awaitChange`), `requeue` (`.requeue(after:)`), `error` (the reconcile threw).
/// - `controller_runtime_reconcile_errors_total{controller}`: reconciles that threw.
/// - `controller_runtime_reconcile_time_seconds{controller}`: how long each reconcile took (a histogram).
///
/// Created once per controller; every result's series exists from the start (at 0).
struct ControllerInstruments: Sendable {
    let success: Counter
    let requeue: Counter
    let error: Counter
    let errors: Counter
    let duration: Metrics.Timer

    init(name: String) {
        func total(_ result: String) -> Counter {
            Counter(label: "controller_runtime_reconcile_total", dimensions: [("controller", name), ("result", result)])
        }
        success = total("success")
        requeue = total("requeue")
        error = total("error")
        errors = Counter(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", name)])
        duration = Metrics.Timer(label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", name)])
    }

    /// Counts one finished reconcile: its outcome (`nil`: it threw) and how long it took.
    func finished(_ action: ReconcileAction?, after elapsed: Duration) {
        duration.record(duration: elapsed)
        switch action {
        case nil:
            error.increment()
            errors.increment()
        case .awaitChange?: success.increment()
        case .requeue?, .requeueWithBackoff?: requeue.increment()
        }
    }
}
