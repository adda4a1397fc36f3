import ArgumentParser
import OperatorEndpoints

/// `--metrics-bind-address` and `--health-probe-bind-address`, spelled as in controller-runtime.
struct EndpointOptions: ParsableArguments {
    @Option(name: .customLong("metrics-bind-address"),
            help: ArgumentHelp("Serve Prometheus /metrics here (:8080, 127.0.0.1:8080, 0.0.0.0:9000); 0 = off.", valueName: "address"))
    var metricsBindAddress = "0"

    @Option(name: .customLong("health-probe-bind-address"),
            help: ArgumentHelp("Serve /healthz and /readyz here (:8081, 127.0.0.1:8081); 0 = off.", valueName: "address"))
    var healthProbeBindAddress = "0"

    func validate() throws {
        _ = try metrics
        _ = try probes
    }

    /// The parsed `--metrics-bind-address`.
    var metrics: BindAddress {
        get throws { try Self.parse(metricsBindAddress, flag: "--metrics-bind-address") }
    }

    /// The parsed `--health-probe-bind-address`.
    var probes: BindAddress {
        get throws { try Self.parse(healthProbeBindAddress, flag: "--health-probe-bind-address") }
    }

    /// Whether `/metrics` is served (then the binary bootstraps the Prometheus backend).
    var servesMetrics: Bool {
        guard case .listen? = try? metrics else { return false }  // invalid values never get past validate()
        return true
    }

    private static func parse(_ value: String, flag: String) throws -> BindAddress {
        do {
            return try BindAddress.parse(value)
        } catch {
            throw ValidationError("\(flag): \(error)")
        }
    }
}
