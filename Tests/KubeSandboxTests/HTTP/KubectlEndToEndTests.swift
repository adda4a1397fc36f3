import Foundation
import Kube
import Testing
@testable import KubeSandbox

/// Drives the sandbox's HTTP front with the real kubectl. Skipped when kubectl is not installed.
enum Kubectl {
    static let path: String? = {
        for candidate in ["/usr/bin/kubectl", "/usr/local/bin/kubectl"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }()

    /// kubectl 1.27 next to the default one, for version-skew checks.
    static let path127: String? = {
        guard let path else { return nil }
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
            $0.hasPrefix("/") ? $0 : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0)
        } ?? path
        let candidate = ((resolved as NSString).deletingLastPathComponent as NSString).appendingPathComponent("kubectl.1.27")
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    static let fixtures: String = {
        (URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")).path
    }()

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs kubectl without blocking a cooperative thread (the server needs them).
    static func run(_ binary: String, _ args: [String], kubeconfig: String, cacheDir: String, stdin: String? = nil) async throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir] + args
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let inURL = dir.appendingPathComponent("in")
            try stdin.write(to: inURL, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        }
        let status: Int32 = try await withCheckedThrowingContinuation { c in
            process.terminationHandler = { p in c.resume(returning: p.terminationStatus) }
            do { try process.run() } catch { c.resume(throwing: error) }
        }
        return Result(status: status, out: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      err: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

/// A started sandbox with a kubeconfig, for one test.
struct KubectlHarness {
    let sandbox: Sandbox
    let kubeconfig: String
    let cacheDir: String

    static func start() async throws -> KubectlHarness {
        let sandbox = Sandbox(options: SandboxOptions(runsControlPlane: false))  // API machinery only: nothing moves on its own
        try await sandbox.start()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let kubeconfig = dir.appendingPathComponent("kubeconfig").path
        try sandbox.writeKubeconfig(to: kubeconfig)
        return KubectlHarness(sandbox: sandbox, kubeconfig: kubeconfig, cacheDir: dir.appendingPathComponent("cache").path)
    }

    func kubectl(_ args: String..., stdin: String? = nil, binary: String? = Kubectl.path) async throws -> Kubectl.Result {
        try await Kubectl.run(binary!, args, kubeconfig: kubeconfig, cacheDir: cacheDir, stdin: stdin)
    }

    func stop() async { await sandbox.stop() }
}

@Suite(.enabled(if: Kubectl.path != nil, "kubectl is not installed; skipping the kubectl end-to-end tests"))
struct KubectlEndToEndTests {
    let crd = Kubectl.fixtures + "/widgets-crd.yaml"
    let widget = Kubectl.fixtures + "/widget.yaml"
    let job = Kubectl.fixtures + "/job.yaml"

    @Test func customResourceLifecycle() async throws {
        let h = try await KubectlHarness.start()
        defer { Task { await h.stop() } }
        var r = try await h.kubectl("apply", "-f", crd)
        #expect(r.status == 0, "\(r.err)")
        r = try await h.kubectl("wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=60s")
        #expect(r.out.contains("condition met"), "\(r.err)")
        r = try await h.kubectl("apply", "-f", widget)
        #expect(r.out == "widget.example.com/w1 created\n", "\(r.err)")
        r = try await h.kubectl("get", "widgets")
        let lines = r.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["NAME", "COLOR", "SIZE", "AGE"])
        #expect(Array(lines.dropFirst().first?.prefix(3) ?? []) == ["w1", "blue", "3"])
        r = try await h.kubectl("apply", "-f", "-", stdin: try String(contentsOfFile: widget, encoding: .utf8).replacingOccurrences(of: "blue", with: "red"))
        #expect(r.out == "widget.example.com/w1 configured\n", "\(r.err)")
        r = try await h.kubectl("get", "wg", "w1", "-o", "jsonpath={.spec.color} {.metadata.generation}")
        #expect(r.out == "red 2")
        r = try await h.kubectl("label", "widget", "w1", "tier=web")
        #expect(r.out == "widget.example.com/w1 labeled\n", "\(r.err)")
        r = try await h.kubectl("annotate", "widget", "w1", "note=hello")
        #expect(r.out == "widget.example.com/w1 annotated\n", "\(r.err)")
        r = try await h.kubectl("get", "widget", "w1", "-o", "yaml")
        #expect(r.out.contains("tier: web") && r.out.contains("note: hello"))
        r = try await h.kubectl("describe", "widget", "w1")
        #expect(r.status == 0 && r.out.contains("Name:         w1"), "\(r.err)")
        r = try await h.kubectl("api-resources")
        #expect(r.out.contains("widgets") && r.out.contains("wg") && r.out.contains("example.com/v1"))
        r = try await h.kubectl("delete", "widget", "w1")
        #expect(r.out == "widget.example.com \"w1\" deleted\n", "\(r.err)")
        r = try await h.kubectl("get", "widget", "w1")
        #expect(r.err == "Error from server (NotFound): widgets.example.com \"w1\" not found\n")
    }

    @Test func validationErrorsReachKubectl() async throws {
        let h = try await KubectlHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.kubectl("apply", "-f", crd)
        var r = try await h.kubectl("apply", "-f", "-", stdin: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w3}\nspec: {color: red, bogus: 1}\n")
        #expect(r.err.contains("strict decoding error: unknown field \"spec.bogus\""), "\(r.err)")
        r = try await h.kubectl("apply", "-f", "-", stdin: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w4}\nspec: {color: purple}\n")
        #expect(r.err.contains("spec.color: Unsupported value: \"purple\": supported values: \"red\", \"blue\", \"green\""), "\(r.err)")
        r = try await h.kubectl("apply", "-f", "-", stdin: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w5}\nspec: {color: red, parts: [{name: a}, {name: a}]}\n")
        #expect(r.err.contains("Duplicate value"), "\(r.err)")
    }

    @Test func serverSideApplyAndConflicts() async throws {
        let h = try await KubectlHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.kubectl("apply", "-f", crd)
        let manifest = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: s1}\nspec: {color: green, size: 2}\n"
        var r = try await h.kubectl("apply", "--server-side", "-f", "-", stdin: manifest)
        #expect(r.out == "widget.example.com/s1 serverside-applied\n", "\(r.err)")
        r = try await h.kubectl("apply", "--server-side", "--field-manager=other", "-f", "-", stdin: manifest.replacingOccurrences(of: "size: 2", with: "size: 5"))
        #expect(r.status != 0 && r.err.contains("conflict with \"kubectl\""), "\(r.err)")
        r = try await h.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-",
                                stdin: manifest.replacingOccurrences(of: "size: 2", with: "size: 5"))
        #expect(r.status == 0, "\(r.err)")
        r = try await h.kubectl("get", "widget", "s1", "-o", "jsonpath={.spec.size}")
        #expect(r.out == "5")
    }

    @Test func jobsAndPodsPrintLikeAServer() async throws {
        let h = try await KubectlHarness.start()
        defer { Task { await h.stop() } }
        var r = try await h.kubectl("apply", "-f", job)
        #expect(r.out == "job.batch/pi created\n", "\(r.err)")
        r = try await h.kubectl("get", "jobs")
        #expect(r.out.hasPrefix("NAME   STATUS    COMPLETIONS   DURATION   AGE\npi     Running   0/1"), "\(r.out)")
        r = try await h.kubectl("get", "jobs", "-o", "wide")
        #expect(r.out.contains("CONTAINERS   IMAGES    SELECTOR") && r.out.contains("batch.kubernetes.io/controller-uid="))
        r = try await h.kubectl("run", "p1", "--image=busybox", "--restart=Never")
        #expect(r.status == 0, "\(r.err)")
        r = try await h.kubectl("get", "pods")
        #expect(r.out.hasPrefix("NAME   READY   STATUS    RESTARTS   AGE\np1     0/1     Pending   0"), "\(r.out)")
        r = try await h.kubectl("logs", "p1")
        #expect(r.err == "Error from server (BadRequest): container \"p1\" in pod \"p1\" is waiting to start: ContainerCreating\n")
        r = try await h.kubectl("delete", "job", "pi")
        #expect(r.out == "job.batch \"pi\" deleted\n", "\(r.err)")
        // kubectl read requests only.
        h.sandbox.audit.reset()
        _ = try await h.kubectl("get", "pods")
        #expect(h.sandbox.audit.writes.isEmpty)
        #expect(h.sandbox.audit.all.contains { $0.verb == "list" && $0.path.hasPrefix("/api/v1/namespaces/default/pods") && $0.code == 200 })
    }

    @Test func logsAndProtobufCreates() async throws {
        let h = try await KubectlHarness.start()
        defer { Task { await h.stop() } }
        var r = try await h.kubectl("create", "namespace", "t1")
        #expect(r.out == "namespace/t1 created\n", "\(r.err)")
        r = try await h.kubectl("create", "configmap", "c1", "-n", "t1", "--from-literal=a=b")
        #expect(r.out == "configmap/c1 created\n", "\(r.err)")
        r = try await h.kubectl("get", "configmap", "c1", "-n", "t1", "-o", "jsonpath={.data.a}")
        #expect(r.out == "b")
        r = try await h.kubectl("create", "secret", "generic", "s1", "--from-literal=k=v")
        #expect(r.out == "secret/s1 created\n", "\(r.err)")
        r = try await h.kubectl("create", "job", "j1", "--image=busybox", "--", "echo", "hi")
        #expect(r.out == "job.batch/j1 created\n", "\(r.err)")
        r = try await h.kubectl("get", "job", "j1", "-o", "jsonpath={.spec.template.spec.containers[0].command}")
        #expect(r.out == "[\"echo\",\"hi\"]", "\(r.err)")
        _ = try await h.kubectl("run", "p1", "--image=busybox", "--restart=Never")
        h.sandbox.podLogs.append(namespace: "default", pod: "p1", container: "p1", line: "one", at: Date(timeIntervalSince1970: 0))
        h.sandbox.podLogs.append(namespace: "default", pod: "p1", container: "p1", line: "two", at: Date(timeIntervalSince1970: 1))
        r = try await h.kubectl("logs", "p1")
        #expect(r.out == "one\ntwo\n", "\(r.err)")
        r = try await h.kubectl("logs", "p1", "--tail=1", "--timestamps")
        #expect(r.out == "1970-01-01T00:00:01.000000000Z two\n", "\(r.err)")
        h.sandbox.podLogs.markTerminated(namespace: "default", pod: "p1", container: "p1")
        r = try await h.kubectl("logs", "-f", "p1")
        #expect(r.out == "one\ntwo\n", "\(r.err)")
        r = try await h.kubectl("logs", "p1", "--previous")
        #expect(r.err.contains("previous terminated container \"p1\" in pod \"p1\" not found"), "\(r.err)")
    }

    @Test(.enabled(if: Kubectl.path127 != nil, "kubectl.1.27 not installed"))
    func kubectl127Skew() async throws {
        let h = try await KubectlHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.kubectl("apply", "-f", crd)
        _ = try await h.kubectl("apply", "-f", widget)
        var r = try await h.kubectl("get", "widgets", binary: Kubectl.path127)
        #expect(r.out.hasPrefix("NAME   COLOR   SIZE   AGE\nw1     blue    3"), "\(r.err)")
        r = try await h.kubectl("apply", "-f", job, binary: Kubectl.path127)
        #expect(r.out == "job.batch/pi created\n", "\(r.err)")
        r = try await h.kubectl("apply", "-f", "-", stdin: try String(contentsOfFile: widget, encoding: .utf8).replacingOccurrences(of: "blue", with: "green"),
                                binary: Kubectl.path127)
        #expect(r.out == "widget.example.com/w1 configured\n", "\(r.err)")
        r = try await h.kubectl("apply", "-f", "-", stdin: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w9}\nspec: {color: red, bogus: 1}\n",
                                binary: Kubectl.path127)
        #expect(r.err.contains("unknown field \"spec.bogus\""), "\(r.err)")
        r = try await h.kubectl("get", "jobs", binary: Kubectl.path127)
        #expect(r.out.contains("pi"))
    }
}
