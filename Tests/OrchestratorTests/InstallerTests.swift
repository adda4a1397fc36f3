import JobFlowAPI
import Foundation
import Kube
import Orchestrator
import Synchronization
import Testing

/// The installer's order and waiting against a scripted API: no object after the CRDs is applied
/// before every CRD is Established; uninstall runs backwards, keeps CRDs, tolerates NotFound.
@Suite struct InstallerTests {
    /// Answers applies and deletes, and reports a CRD Established only on its third GET.
    final class ScriptedAPI: KubeAPI, Sendable {
        let calls = Mutex<[String]>([])
        let crdReads = Mutex<[String: Int]>([:])
        let missing: Set<String>
        init(missing: Set<String> = []) { self.missing = missing }

        func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
            let reads = crdReads.withLock { r -> Int in r[name, default: 0] += 1; return r[name]! }
            calls.withLock { $0.append("get \(name) \(reads)") }
            let status = reads >= 3 ? "True" : "False"
            return ["status": ["conditions": [["type": "Established", "status": .string(status)]]]]
        }
        func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
            ObjectList(resourceVersion: "1", continueToken: nil, items: [])
        }
        func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
            throw KubeError.api(APIError(code: 405, reason: "MethodNotAllowed", message: "not scripted"))
        }
        func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
            throw KubeError.api(APIError(code: 405, reason: "MethodNotAllowed", message: "not scripted"))
        }
        func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
            throw KubeError.api(APIError(code: 405, reason: "MethodNotAllowed", message: "not scripted"))
        }
        func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue {
            guard case .apply(let body) = patch, options.force, options.fieldManager == "jobflow-tui-install" else {
                throw KubeError.api(APIError(code: 400, reason: "BadRequest", message: "expected a forced apply"))
            }
            calls.withLock { $0.append("apply \(resource.plural) \(namespace ?? "-") \(name)") }
            return body
        }
        func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
            calls.withLock { $0.append("delete \(resource.plural) \(name) \(options.propagationPolicy?.rawValue ?? "-")") }
            if missing.contains(name) { throw KubeError.api(APIError(code: 404, reason: "NotFound", message: "\(name) not found")) }
            return nil
        }
    }

    @Test func installWaitsForEveryCRDBeforeTheRest() async throws {
        let api = ScriptedAPI()
        var installer = Installer(api: api)
        installer.pollInterval = .milliseconds(1)
        let lines = Mutex<[String]>([])
        try await installer.install(try InstallManifests.objects()) { line in lines.withLock { $0.append(line) } }
        let calls = api.calls.withLock { $0 }
        let firstOther = try #require(calls.firstIndex { $0.hasPrefix("apply namespaces") })
        let lastCRDRead = try #require(calls.lastIndex { $0.hasPrefix("get ") })
        #expect(lastCRDRead < firstOther)
        #expect(calls.prefix(3).allSatisfy { $0.hasPrefix("apply customresourcedefinitions") })
        for crd in ["jobflows.api.practice.com", "daemonjobs.api.practice.com", "jobtemplates.api.practice.com"] {
            #expect(calls.contains("get \(crd) 3"), "waited until Established: \(crd)")
        }
        #expect(lines.withLock { $0 }.count == 11)
        #expect(lines.withLock { $0 }.allSatisfy { $0.hasSuffix(" serverside-applied") })
    }

    @Test func installGivesUpOnACRDThatNeverBecomesEstablished() async throws {
        let api = ScriptedAPI()
        var installer = Installer(api: api)
        installer.pollInterval = .milliseconds(1)
        installer.establishTimeout = .zero
        await #expect(throws: InstallError.self) {
            try await installer.install(try InstallManifests.objects()) { _ in }
        }
        #expect(!api.calls.withLock { $0 }.contains { $0.hasPrefix("apply namespaces") })
    }

    @Test func uninstallGoesBackwardsKeepsCRDsAndToleratesNotFound() async throws {
        let api = ScriptedAPI(missing: ["jobflow-operator-metrics"])
        let lines = Mutex<[String]>([])
        try await Installer(api: api).uninstall(try InstallManifests.objects(namespace: "foo"), includeCRDs: false) { line in
            lines.withLock { $0.append(line) }
        }
        let calls = api.calls.withLock { $0 }
        #expect(calls.first == "delete services jobflow-operator-metrics Background")
        #expect(calls.last == "delete namespaces foo Background")
        #expect(!calls.contains { $0.contains("customresourcedefinitions") })
        #expect(lines.withLock { $0 }.first == "service \"jobflow-operator-metrics\" not found")
        #expect(lines.withLock { $0 }.contains("clusterrole.rbac.authorization.k8s.io \"jobflow-operator\" deleted"))
    }

    @Test func relocationLeavesOtherNamespacesAlone() throws {
        let objects = try InstallManifests.objects(namespace: "team-ops")
        #expect(!InstallManifests.yaml(objects).contains("jobflow-system"))
        let crb = try #require(objects.first { $0["kind"] == "ClusterRoleBinding" })
        #expect(crb[path: "metadata.namespace"] == nil)
        #expect(crb["subjects"]?[0]?["namespace"] == "team-ops")
    }
}
