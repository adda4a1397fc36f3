import Dispatch
import Logging
import OperatorEndpoints
import JobFlowAPI
import Orchestrator
import Synchronization

/// The HTTP endpoints of one `jobflow-tui operator` process: `/metrics` and `/healthz` + `/readyz`
/// on their own addresses (one server when both flags name the same address).
final class OperatorServing: Sendable {
    private let servers = Mutex<[EndpointServer]>([])
    /// Whether `Operator.run()` is running (see `run(_:)`), read by the probes.
    private let running = Atomic<Bool>(false)
    /// `DispatchTime` uptime (ns) of the heartbeat task's last tick, read by `/healthz`.
    private let heartbeat = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)

    private init() {}

    /// Starts what `options` asks for. A bind failure throws a `CLIError` naming the flag.
    static func start(_ options: EndpointOptions, operator op: Operator, logger: Logger) async throws -> OperatorServing {
        let serving = OperatorServing()
        let metricsAddress = try options.metrics, probeAddress = try options.probes
        var plan: [(address: BindAddress, flag: String, routes: [String: EndpointServer.Route])] = []
        let metricsRoutes: [String: EndpointServer.Route] = ["/metrics": { PrometheusBackend.render() }]
        let probeRoutes: [String: EndpointServer.Route] = [
            "/healthz": { [weak serving] in serving?.probeState(op).liveness ?? .text(500, "stopping") },
            "/readyz": { [weak serving] in serving?.probeState(op).readiness ?? .text(503, "stopping") },
        ]
        if metricsAddress != .disabled, metricsAddress == probeAddress {
            plan.append((metricsAddress, "--metrics-bind-address", metricsRoutes.merging(probeRoutes) { a, _ in a }))
        } else {
            if metricsAddress != .disabled { plan.append((metricsAddress, "--metrics-bind-address", metricsRoutes)) }
            if probeAddress != .disabled { plan.append((probeAddress, "--health-probe-bind-address", probeRoutes)) }
        }
        var started: [EndpointServer] = []
        for item in plan {
            guard case .listen(let host, let port) = item.address else { continue }
            do {
                let server = try await EndpointServer.start(host: host, port: port, routes: item.routes)
                started.append(server)
                logger.info("serving", metadata: ["flag": "\(item.flag)", "address": "\(BindAddress.listen(host: host, port: server.boundPort))",
                                                  "paths": "\(item.routes.keys.sorted().joined(separator: ","))"])
            } catch {
                for server in started { await server.stop() }
                throw CLIError("\(item.flag): \(error)", cause: error)
            }
        }
        serving.servers.withLock { $0 = started }
        return serving
    }

    /// What the probes see now.
    func probeState(_ op: Operator) -> ProbeState {
        let last = heartbeat.load(ordering: .relaxed), now = DispatchTime.now().uptimeNanoseconds
        return ProbeState(running: running.load(ordering: .relaxed), unsyncedInformers: op.unsyncedInformers,
                          sinceHeartbeat: .nanoseconds(Int64(clamping: now >= last ? now - last : 0)))
    }

    /// Runs `op` until the calling task is cancelled, marking it running and ticking the
    /// heartbeat (every second, on the cooperative pool) for `/healthz`.
    func run(_ op: Operator) async {
        running.store(true, ordering: .relaxed)
        let beat = Task { [self] in
            while !Task.isCancelled {
                heartbeat.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
                do { try await Task.sleep(for: .seconds(1)) } catch { return }  // cancelled: the operator stopped
            }
        }
        await op.run()
        beat.cancel()
        running.store(false, ordering: .relaxed)
    }

    func stop() async {
        for server in servers.withLock({ s in defer { s = [] }; return s }) { await server.stop() }
    }
}
