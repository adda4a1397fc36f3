/// What `/healthz` and `/readyz` answer, decided from plain values (no I/O).
///
/// - Liveness: healthy while the operator's run loop is running (it has started and not
///   returned) and the process still schedules async work: a heartbeat task ticks every second,
///   and a heartbeat older than `stallLimit` (the task pool blocked or starved) fails `/healthz`
///   so a kubelet restarts the pod. A loop that returned fails it too.
/// - Readiness: ready once every informer has finished its first list (caches synced). Leading
///   is not required: a standby replica keeps warm caches and is ready to take over.
public struct ProbeState: Sendable, Equatable {
    /// Whether the operator's run loop is running.
    public var running: Bool
    /// Informers whose first list has not completed (`jobs[jobflow]`, `nodes`, …), in a stable order.
    public var unsyncedInformers: [String]
    /// Time since the heartbeat task last ran.
    public var sinceHeartbeat: Duration

    /// How old a heartbeat may get before the process counts as hung.
    public static let stallLimit: Duration = .seconds(30)

    public init(running: Bool, unsyncedInformers: [String], sinceHeartbeat: Duration = .zero) {
        self.running = running
        self.unsyncedInformers = unsyncedInformers
        self.sinceHeartbeat = sinceHeartbeat
    }

    /// `/healthz`: 200 `ok`, or 500 with the reason.
    public var liveness: EndpointResponse {
        guard running else { return .text(500, "operator loop not running") }
        guard sinceHeartbeat < ProbeState.stallLimit else {
            return .text(500, "async tasks have not run for \(Int(sinceHeartbeat.components.seconds)) s")
        }
        return .text(200, "ok")
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
