import Foundation
import Kube
import Testing
@testable import KubeSandbox

/// Wire-level behaviour through `kubectl get/create --raw`.
@Suite(.enabled(if: Kubectl.path != nil, "kubectl is not installed; skipping raw HTTP tests"))
struct RawHTTPTests {
    @Test func watchWireFormatAndTooOldVersion() async throws {
        let h = try await KubectlHarness.start()
        defer { Task { await h.stop() } }
        for i in 0..<3 { _ = try h.sandbox.store.create(.configMaps, namespace: "default", object: configMap("c\(i)")) }
        var r = try await h.kubectl("get", "--raw", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&resourceVersion=0")
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 3, "\(r.out)")
        let first = try JSONParser.parse(String(lines[0]))
        #expect(first["type"] == "ADDED" && first["object"]?["kind"] == "ConfigMap")
        // History is 10,000 events by default; compact it artificially with a tiny store.
        let small = Sandbox(options: SandboxOptions(store: .init(historyLimit: 10), runsControlPlane: false))
        try await small.start()
        defer { Task { await small.stop() } }
        for i in 0..<30 { _ = try small.store.create(.configMaps, namespace: "default", object: configMap("c\(i)")) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("raw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try small.writeKubeconfig(to: dir.appendingPathComponent("kc").path)
        r = try await Kubectl.run(Kubectl.path!, ["get", "--raw", "/api/v1/configmaps?watch=1&resourceVersion=2"],
                                  kubeconfig: dir.appendingPathComponent("kc").path, cacheDir: dir.appendingPathComponent("cache").path)
        let event = try JSONParser.parse(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(event["type"] == "ERROR")
        #expect(event["object"]?["code"] == 410)
        #expect(event["object"]?["message"]?.stringValue?.hasPrefix("too old resource version: 2 (") == true)
    }

    @Test func malformedAndOversizedBodies() async throws {
        let h = try await KubectlHarness.start()
        defer { Task { await h.stop() } }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bodies-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.json").path
        try "{\"metadata\": ".write(toFile: bad, atomically: true, encoding: .utf8)
        var r = try await h.kubectl("create", "--raw", "/api/v1/namespaces/default/configmaps", "-f", bad)
        #expect(r.err.contains("could not be decoded as JSON"), "\(r.err)")
        let big = dir.appendingPathComponent("big.json").path
        let payload = String(repeating: "x", count: 4 * 1024 * 1024)
        try "{\"metadata\":{\"name\":\"big\"},\"data\":{\"a\":\"\(payload)\"}}".write(toFile: big, atomically: true, encoding: .utf8)
        r = try await h.kubectl("create", "--raw", "/api/v1/namespaces/default/configmaps", "-f", big)
        #expect(r.err.contains("Request entity too large"), "\(r.err)")
        r = try await h.kubectl("get", "--raw", "/api/v1/namespaces/default/configmaps?fieldSelector=spec.x%3D1")
        #expect(r.err.contains("field label not supported: spec.x"), "\(r.err)")
        #expect(h.sandbox.audit.all.contains { $0.verb == "create" && $0.code == 400 })
    }
}

@Suite struct SandboxFacadeTests {
    @Test func applyManifestsPutsCRDsFirstAndAuditFileIsJSONLines() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The widget sorts before the CRD by name; apply must still create the CRD first.
        try String(contentsOfFile: Kubectl.fixtures + "/widget.yaml", encoding: .utf8)
            .write(to: dir.appendingPathComponent("a-widget.yaml"), atomically: true, encoding: .utf8)
        try String(contentsOfFile: Kubectl.fixtures + "/widgets-crd.yaml", encoding: .utf8)
            .write(to: dir.appendingPathComponent("b-crd.yaml"), atomically: true, encoding: .utf8)
        let auditPath = dir.appendingPathComponent("audit.jsonl").path
        let sandbox = Sandbox(options: SandboxOptions(auditLogPath: auditPath, runsControlPlane: false))
        try sandbox.apply(manifestsAt: dir.path)
        #expect(try sandbox.store.get(widgetResource, namespace: "default", name: "w1")["spec"]?["color"] == "blue")
        sandbox.audit.record(.init(time: Date(timeIntervalSince1970: 0), verb: "get", method: "GET", path: "/x", userAgent: "t", code: 200))
        let line = try String(contentsOfFile: auditPath, encoding: .utf8)
        #expect(line == "{\"code\":200,\"method\":\"GET\",\"path\":\"/x\",\"time\":\"1970-01-01T00:00:00Z\",\"userAgent\":\"t\",\"verb\":\"get\"}\n")
        #expect(sandbox.audit.writes.isEmpty)
    }
}
