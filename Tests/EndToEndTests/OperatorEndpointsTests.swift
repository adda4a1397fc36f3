import Foundation
import Kube
import Testing

/// `jobflow-tui operator --headless` with /metrics, /healthz and /readyz, against `jobflow-tui sandbox`.
@Suite("operator endpoints (binary against the sandbox)", .serialized)
struct OperatorEndpointsTests {
    @Test("readyz turns 200 once synced; /metrics shows reconciles, queues, requests and flows by state; JSON logs are klog-style")
    func metricsAndProbes() async throws {
        let sandbox = try SandboxProcess(arguments: ["--speed", "100"])
        defer { _ = sandbox.stop() }
        let metricsPort = try freeLocalPort(), probePort = try freeLocalPort()
        let op = try OperatorProcess(arguments: [
            "--kubeconfig", sandbox.kubeconfig, "--identity", "e2e-metrics", "--log-format", "json",
            "--metrics-bind-address=127.0.0.1:\(metricsPort)", "--health-probe-bind-address=127.0.0.1:\(probePort)",
        ])
        defer { op.removeFiles() }
        let probes = "http://127.0.0.1:\(probePort)", metricsURL = "http://127.0.0.1:\(metricsPort)/metrics"

        let ready = await HTTPProbe.poll(probes + "/readyz") { $0.status == 200 }
        #expect(ready?.status == 200, "readyz: \(String(describing: ready)); log: \(op.log)")
        #expect(ready?.body == "ok\n")
        #expect(await HTTPProbe.get(probes + "/healthz")?.status == 200)
        #expect(await HTTPProbe.get(probes + "/metrics")?.status == 404, "metrics are on their own address")

        let client = try kubeClient(kubeconfig: sandbox.kubeconfig)
        try await createExample("jobflow-example.yaml", client: client)
        let state = await waitForFlowState("jobflow-example", state: "Succeed", client: client)
        #expect(state == "Succeed")

        // The last status write has reached the cache once the gauge shows it.
        let scraped = await HTTPProbe.poll(metricsURL) {
            metricSamples($0.body, name: "jobflow_jobflows")["{state=\"Succeed\"}"] == 1
        }
        let text = scraped?.body ?? ""
        #expect(scraped?.status == 200)
        let reconciles = metricSamples(text, name: "controller_runtime_reconcile_total")
        #expect((reconciles["{controller=\"jobflow\",result=\"success\"}"] ?? 0) > 0, "\(reconciles)")
        #expect(reconciles["{controller=\"daemonjob\",result=\"error\"}"] != nil, "every result series exists")
        #expect(metricSamples(text, name: "jobflow_jobflows")["{state=\"Running\"}"] == 0)
        #expect(metricSamples(text, name: "jobflow_daemonjobs")["{state=\"Unknown\"}"] == 0)
        #expect((metricSamples(text, name: "controller_runtime_reconcile_time_seconds_count")["{controller=\"jobflow\"}"] ?? 0) > 0)
        #expect((metricSamples(text, name: "workqueue_adds_total")["{name=\"jobflow\"}"] ?? 0) > 0)
        #expect(metricSamples(text, name: "workqueue_depth")["{name=\"jobflow\"}"] != nil)
        #expect((metricSamples(text, name: "workqueue_queue_duration_seconds_count")["{name=\"jobflow\"}"] ?? 0) > 0)
        #expect(metricSamples(text, name: "workqueue_retries_total")["{name=\"daemonjob\"}"] != nil)
        let requests = metricSamples(text, name: "rest_client_requests_total")
        #expect((requests["{verb=\"create\",code=\"201\"}"] ?? 0) >= 5, "five Jobs created: \(requests)")
        #expect((requests["{verb=\"watch\",code=\"200\"}"] ?? 0) >= 8, "eight informers watch: \(requests)")
        #expect((requests["{verb=\"update\",code=\"200\"}"] ?? 0) > 0, "status writes and Lease renewals")
        #expect(metricSamples(text, name: "rest_client_rate_limiter_throttled_seconds_total")[""] != nil)
        #expect(metricSamples(text, name: "watcher_relists_total")["{resource=\"jobs.batch\"}"] != nil)
        #expect(metricSamples(text, name: "watcher_watch_restarts_total")["{resource=\"nodes\"}"] != nil)
        // job2 was unblocked by job1 finishing (and job3/job5 by job2, job4).
        #expect((metricSamples(text, name: "jobflow_reaction_latency_seconds_count")[""] ?? 0) >= 1)
        #expect(metricSamples(text, name: "leader_election_master_status")["{name=\"jobflow-operator\"}"] == 1)
        #expect(!text.contains("jobflow-example"), "object names never become labels")

        #expect(op.stop() == 0)
        try checkJSONLogShape(op.log)
    }

    /// Every line is one JSON object beginning `{"ts":…,"level":…,"logger":…,"msg":…`, with
    /// metadata flattened at the top level under dotted keys.
    func checkJSONLogShape(_ log: String) throws {
        let lines = log.split(separator: "\n")
        #expect(lines.count > 5)
        for line in lines {
            #expect(line.hasPrefix("{\"ts\":\""), "\(line)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["level"] is String && object["logger"] is String && object["msg"] is String, "\(line)")
            #expect(object["metadata"] == nil && object["message"] == nil, "old shape: \(line)")
        }
        let created = try #require(lines.first { $0.contains("\"msg\":\"job created\"") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["v"] as? Int == 0)
        #expect(object["logger"] as? String == "jobflow.operator")
        #expect(object["flow.name"] as? String == "default/jobflow-example")
        #expect(object["operator.identity"] as? String == "e2e-metrics")
        #expect((object["job.name"] as? String)?.hasPrefix("jobflow-example-") == true)
        let ts = try #require(object["ts"] as? String)
        #expect(ts.count == 24 && ts.hasSuffix("Z"), "RFC 3339 with milliseconds: \(ts)")
    }

    @Test("with the API server unreachable: healthy, not ready (the reason names the informers); one address serves all paths")
    func unreachableServer() async throws {
        let kubeconfig = try Self.unreachableKubeconfig()
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        let port = try freeLocalPort()
        let op = try OperatorProcess(arguments: ["--kubeconfig", kubeconfig, "--log-format", "text",
                                                 "--metrics-bind-address", "127.0.0.1:\(port)", "--health-probe-bind-address", "127.0.0.1:\(port)"])
        defer { op.removeFiles() }
        let base = "http://127.0.0.1:\(port)"
        let health = await HTTPProbe.poll(base + "/healthz") { $0.status == 200 }
        #expect(health?.body == "ok\n", "\(op.log)")
        let ready = await HTTPProbe.get(base + "/readyz")
        #expect(ready?.status == 503)
        #expect(ready?.body == "informers not synced: jobflows, daemonjobs, jobtemplates, jobs[jobflow], jobs[daemonjob], pods[jobflow], pods[daemonjob], nodes\n")
        let metrics = await HTTPProbe.poll(base + "/metrics") {
            (metricSamples($0.body, name: "rest_client_requests_total")["{verb=\"list\",code=\"error\"}"] ?? 0) > 0
        }
        #expect(metrics?.status == 200, "transport failures are counted with code=error: \(metrics?.body ?? "")")
        #expect(metricSamples(metrics?.body ?? "", name: "leader_election_master_status")["{name=\"jobflow-operator\"}"] == 0)
        #expect(op.stop() == 0)
    }

    /// A kubeconfig whose server refuses connections (port 9, discard, is closed here).
    static func unreachableKubeconfig() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("unreachable-\(UUID().uuidString).yaml").path
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
            users: [{name: u, user: {}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a bad address is a usage error naming the flag; a port in use fails the start")
    func badAddresses() throws {
        let bad = try run(Paths.binary, ["operator", "--headless", "--metrics-bind-address", "localhost"])
        #expect(bad.status == 64, "\(bad)")
        #expect(bad.err.contains("--metrics-bind-address"), "\(bad.err)")
        let badProbe = try run(Paths.binary, ["operator", "--headless", "--health-probe-bind-address", ":70000"])
        #expect(badProbe.status == 64 && badProbe.err.contains("--health-probe-bind-address"), "\(badProbe.err)")

        // Something listens on the port; the operator must say so and exit non-zero (no cluster needed:
        // the endpoints start before the first request).
        let holder = try ListeningSocket()
        let kubeconfig = try Self.unreachableKubeconfig()
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        let inUse = try run(Paths.binary, ["operator", "--headless", "--kubeconfig", kubeconfig, "--log-format", "text",
                                           "--health-probe-bind-address", "127.0.0.1:\(holder.port)"], timeout: 60)
        #expect(inUse.status != 0)
        #expect(inUse.err.contains("--health-probe-bind-address: cannot listen on 127.0.0.1:\(holder.port): address already in use"), "\(inUse.err)")
    }
}

/// A socket listening on 127.0.0.1 (an ephemeral port) until released.
final class ListeningSocket {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard ok else { close(fd); throw CommandError("cannot listen") }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
