import Foundation
import Kube
import Logging

/// The sandbox's Kubernetes API over HTTP/1.1 (plain HTTP, meant for 127.0.0.1): what kubectl
/// and the HTTP client talk to. Every request is recorded in `audit`.
public final class APIServer: Sendable {
    public let store: ClusterStore
    public let podLogs: PodLogStore
    public let audit: AuditLog
    let http: HTTPServer

    public init(store: ClusterStore, podLogs: PodLogStore, audit: AuditLog, maxBodyBytes: Int = 3 * 1024 * 1024,
                faults: FaultInjection? = nil, logger: Logger = Logger(label: "jobflow.sandbox.apiserver")) {
        self.store = store
        self.podLogs = podLogs
        self.audit = audit
        var configured = Router(store: store, podLogs: podLogs, audit: audit)
        configured.faults = faults.map(FaultInjector.init)
        let router = configured
        http = HTTPServer(maxBodyBytes: maxBodyBytes, logger: logger) { request in router.handle(request) }
    }

    /// Starts listening; `port` 0 picks a free port. Returns the bound port.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        try await http.start(host: host, port: port)
    }

    /// Stops listening and closes the event loop.
    public func stop() async { await http.stop() }
}
