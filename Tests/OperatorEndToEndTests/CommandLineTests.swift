import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Orchestrator
import Testing

/// The real binary (built by `swift build`; these tests are skipped when it is missing).
@Suite("jobflow-tui commands", .serialized)
struct CommandLineTests {
    static let binary = Harness.root + "/.build/debug/jobflow-tui"
    static var built: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// Runs the binary to completion. Output goes to files (a pipe left unread could fill and
    /// block the child), and a child that does not finish within `timeout` is killed and fails the
    /// test instead of hanging the run.
    static func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> (status: Int32, out: String, err: String) {
        let (process, out, err) = try launch(arguments)
        let status = finish(process, timeout: timeout, what: arguments.joined(separator: " "))
        return (status, read(out), read(err))
    }

    /// `operator --headless -n default` on `kubeconfig`; its logs (stderr) go to the returned file.
    static func startHeadlessOperator(kubeconfig: String, identity: String) throws -> (Process, String) {
        let (process, _, err) = try launch(["operator", "--headless", "-n", "default", "--kubeconfig", kubeconfig, "--identity", identity])
        return (process, err)
    }

    /// Starts the binary with stdout and stderr in two new temporary files, returned with it.
    static func launch(_ arguments: [String]) throws -> (Process, out: String, err: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("jf-cli-\(UUID().uuidString)").path
        let out = base + ".out", err = base + ".err"
        for path in [out, err] { FileManager.default.createFile(atPath: path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Harness.root)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        return (process, out, err)
    }

    /// Waits for `process` to exit by polling (Foundation's `waitUntilExit` spins a core on Linux);
    /// past `timeout` the process is killed and the test fails. Returns the exit status.
    static func finish(_ process: Process, timeout: TimeInterval, what: String) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() >= deadline {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("jobflow-tui \(what) did not finish within \(Int(timeout)) s; killed")
                while process.isRunning { usleep(10_000) }
                break
            }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    /// The contents of a log file written by `launch`, which is then removed.
    static func read(_ path: String) -> String {
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    @Test("validate -f examples reports the seed's unknown dependency and exits 1", .enabled(if: built))
    func validateExamples() throws {
        let result = try Self.run(["validate", "-f", "examples"])
        #expect(result.status == 1)
        #expect(result.out.contains("examples/jobflow-example-error.yaml: JobFlow/jobflow-example-error: spec.flows[2].dependencies[1]: unknown flow entry \"job2\""))
        #expect(!result.out.contains("jobflow-example.yaml:"))
        let clean = try Self.run(["validate", "-f", "examples/jobflow-example.yaml", "-f", "examples/jobflow-example-template.yaml"])
        #expect(clean.status == 0)
    }

    @Test("validate names the file and line of a YAML error", .enabled(if: built))
    func validateYAMLError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(getpid()).yaml").path
        try "kind: JobFlow\nmetadata: [\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.run(["validate", "-f", path])
        #expect(result.status == 1)
        #expect(result.out.contains("\(path): line "))
    }

    @Test("operator with its UI and no cluster configured fails before touching the terminal", .enabled(if: built))
    func operatorWithoutClusterFailsClearly() throws {
        let result = try Self.run(["operator", "--kubeconfig", "/nonexistent/kubeconfig"])
        #expect(result.status != 0)
        #expect(result.err.contains("/nonexistent/kubeconfig"), "\(result.err)")
    }

    @Test("operator refuses a --status-batch-period outside 0–600 s, naming the flag", .enabled(if: built))
    func statusBatchPeriodIsValidated() throws {
        for bad in ["-1", "601", "nan", "soon"] {
            let result = try Self.run(["operator", "--headless", "--kubeconfig", "/nonexistent/kubeconfig", "--status-batch-period", bad])
            #expect(result.status != 0)
            #expect(result.err.contains("status-batch-period"), "\(bad): \(result.err)")
        }
    }

    @Test("retry/cancel print the shared rule's effect, refuse what cannot apply, and write the annotation; an identical handled value gets a fresh spelling", .enabled(if: built))
    func requests() async throws {
        let h = try await Harness.make()
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("jf-\(getpid()).kubeconfig").path
        try h.sandbox.writeKubeconfig(to: kubeconfig)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        try h.apply(example: "jobflow-example.yaml")
        // job2 failed, so job3 (needs job1, job2) and job5 (needs job4, job2) were skipped; the status
        // already records the request "job2" (handled, its annotation not yet dropped).
        var flow = try await h.flow("jobflow-example")
        func entry(_ name: String, _ phase: EntryPhase) -> JSONValue {
            ["name": .string(name), "jobName": .string("jobflow-example-\(name)"), "phase": .string(phase.rawValue), "attempts": phase == .skipped ? 0 : 1]
        }
        flow["status"] = ["jobs": [entry("job1", .succeed), entry("job2", .failed), entry("job3", .skipped), entry("job4", .running), entry("job5", .skipped)],
                          "handledRequests": [["kind": "retry", "value": "job2"]]]
        _ = try await h.sandbox.client.updateStatus(CustomResources.jobFlows, namespace: "default", object: flow)

        // Nothing to do: refused up front, non-zero, nothing written.
        let refused = try Self.run(["retry", "jf/jobflow-example", "job1", "--kubeconfig", kubeconfig])
        #expect(refused.status != 0)
        #expect(refused.err.contains("nothing to retry: job1 is Succeed"), "\(refused.err)")
        #expect(try await h.flow("jobflow-example")[path: "metadata.annotations"]?[Keys.retryAnnotation] == nil)

        // A Skipped entry is retried through its root cause; --dry-run prints and writes nothing.
        let dry = try Self.run(["retry", "jf/jobflow-example", "job3", "--dry-run", "--kubeconfig", kubeconfig])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("job3 was skipped because of job2"), "\(dry.out)")
        #expect(dry.out.contains("job2 runs again (attempt 2)"), "\(dry.out)")
        #expect(dry.out.contains("dependents that will run again: job3, job5"), "\(dry.out)")
        #expect(dry.out.contains("dry run: nothing written"))
        #expect(try await h.flow("jobflow-example")[path: "metadata.annotations"]?[Keys.retryAnnotation] == nil)

        let retry = try Self.run(["retry", "jf/jobflow-example", "job2", "--kubeconfig", kubeconfig])
        #expect(retry.status == 0, "\(retry.err)")
        #expect(retry.out.contains("job2 runs again (attempt 2)"), "\(retry.out)")
        #expect(retry.out.contains("retry requested"))
        var annotations = try await h.flow("jobflow-example")[path: "metadata.annotations"]
        #expect(annotations?[Keys.retryAnnotation] == "job2 ")

        let cancel = try Self.run(["cancel", "jobflow/jobflow-example", "--kubeconfig", kubeconfig])
        #expect(cancel.status == 0, "\(cancel.err)")
        #expect(cancel.out.contains("will be cancelled or skipped: job4"), "\(cancel.out)")
        annotations = try await h.flow("jobflow-example")[path: "metadata.annotations"]
        #expect(annotations?[Keys.cancelAnnotation] == "*")

        let bad = try Self.run(["cancel", "pod/x", "--kubeconfig", kubeconfig])
        #expect(bad.status != 0)
        await h.stop()
    }

    @Test("operator --headless reconciles over HTTP, logs JSON lines, and on SIGTERM releases the Lease and exits 0", .enabled(if: built))
    func headlessOperator() async throws {
        let h = try await Harness.make()
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("jf-op-\(getpid()).kubeconfig").path
        try h.sandbox.writeKubeconfig(to: kubeconfig)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        let (process, err) = try Self.startHeadlessOperator(kubeconfig: kubeconfig, identity: "cli-test")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }  // a failed step must not leave it running
        try h.apply(example: "jobflow-example-template.yaml")
        _ = try await h.waitForState(flow: "jobflow-example-template", "Succeed")
        let lease = try await h.sandbox.client.get(.leases, namespace: "default", name: "jobflow-operator")
        #expect(lease[path: "spec.holderIdentity"] == "cli-test")
        process.terminate()  // SIGTERM
        #expect(Self.finish(process, timeout: 30, what: "operator --headless (SIGTERM)") == 0)
        let lines = Self.read(err).split(separator: "\n")
        let records = try lines.map { try JSONValue.parseYAML(String($0)) }
        // Kubernetes-style JSON: ts, level, logger, msg, then the metadata flattened at the top level.
        #expect(!records.isEmpty && records.allSatisfy { $0["ts"] != nil && $0["level"] != nil && $0["logger"] != nil && $0["msg"] != nil })
        #expect(records.contains { $0["msg"] == "job created" && $0["metadata"] == nil && $0["job.name"] == "jobflow-example-template-job2" })
        #expect(records.contains { $0["msg"] == "released lease" })
        let released = try await h.sandbox.client.get(.leases, namespace: "default", name: "jobflow-operator")
        #expect(released[path: "spec.holderIdentity"]?.stringValue ?? "" == "")
        await h.stop()
    }

    @Test("a local operator finds the installed operator's Lease in jobflow-system and stands by instead of leading beside it", .enabled(if: built))
    func localOperatorStandsByForTheInstalledOne() async throws {
        let h = try await Harness.make()
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("jf-standby-\(getpid()).kubeconfig").path
        try h.sandbox.writeKubeconfig(to: kubeconfig)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        // What `jobflow-tui install` leaves: the namespace, and the in-cluster replica holding the Lease.
        try h.sandbox.apply(object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "jobflow-system"]])
        let now = JSONValue.string(KubeTimestamp.microTime(Date()))
        _ = try await h.sandbox.client.create(.leases, namespace: "jobflow-system", object: [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "jobflow-operator", "namespace": "jobflow-system"],
            "spec": ["holderIdentity": "jobflow-operator-7c9", "leaseDurationSeconds": 3600, "acquireTime": now, "renewTime": now],
        ])
        try h.apply(example: "jobflow-example-template.yaml")

        let (process, err) = try Self.startHeadlessOperator(kubeconfig: kubeconfig, identity: "dev-box")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }  // a failed step must not leave it running
        // Two election rounds against the installed operator's Lease (retry period 2 s).
        let leasePath = "/apis/coordination.k8s.io/v1/namespaces/jobflow-system/leases/jobflow-operator"
        try await h.waitFor("two election rounds on jobflow-system/jobflow-operator", timeout: .seconds(60)) {
            h.sandbox.audit.all.filter { $0.verb == "get" && $0.path.hasPrefix(leasePath) }.count >= 2
        }
        let lease = try await h.sandbox.client.get(.leases, namespace: "jobflow-system", name: "jobflow-operator")
        #expect(lease[path: "spec.holderIdentity"] == "jobflow-operator-7c9")
        // No Lease of its own in the context's namespace, no Job created: it is not a second leader.
        await #expect(throws: (any Error).self) { _ = try await h.sandbox.client.get(.leases, namespace: "default", name: "jobflow-operator") }
        #expect(try await h.jobs().isEmpty)
        #expect(!h.sandbox.audit.all.contains { $0.path.contains("/leases") && $0.path.contains("/namespaces/default/") })
        process.terminate()
        #expect(Self.finish(process, timeout: 30, what: "operator --headless (SIGTERM)") == 0)
        let output = Self.read(err)
        #expect(output.contains("lease in namespace jobflow-system"))
        #expect(output.contains("standing by") && output.contains("jobflow-operator-7c9"))
        await h.stop()
    }
}
