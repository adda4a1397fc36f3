/// What `/healthz` and `/readyz` answer, decided from plain values (no I/O).
///
/// - Liveness: healthy while the operator's run loop is running (it has started and not
///   returned); a loop that returned (stopping, or crashed out) makes `/healthz` fail so a
///   kubelet restarts the pod.
/// - Readiness: ready once every informer has finished its first list (caches synced). Leading
///   is not required: a standby replica keeps warm caches and is ready to take over.
public struct ProbeState: Sendable, Equatable {
    /// Whether the operator's run loop is running.
    public var running: Bool
    /// Informers whose first list has not completed (`jobs[jobflow]`, `nodes`, …), in a stable order.
    public var unsyncedInformers: [String]

    public init(running: Bool, unsyncedInformers: [String]) {
        self.running = running
        self.unsyncedInformers = unsyncedInformers
    }

    /// `/healthz`: 200 `ok`, or 500 with the reason.
    public var liveness: EndpointResponse {
        running ? .text(200, "ok") : .text(500, "operator loop not running")
    }

    /// `/readyz`: 200 `ok`, or 503 with a short reason (`informers not synced: jobs[jobflow], nodes`).
    public var readiness: EndpointResponse {
        guard running else { return .text(503, "operator loop not running") }
        guard unsyncedInformers.isEmpty else {
            return .text(503, "informers not synced: " + unsyncedInformers.joined(separator: ", "))
        }
        return .text(200, "ok")
    }
}
