import Foundation
import JobFlowAPI
import Kube

/// The install manifests (deploy/, embedded at build time) as objects, optionally moved to
/// another namespace, and the kubectl-like apply and delete of them behind
/// `jobflow-tui install` / `uninstall`.
public enum InstallManifests {
    /// The namespace deploy/ installs into.
    public static let defaultNamespace = "jobflow-system"

    /// Every object of deploy/ in kustomization order (CRDs first), with the operator's
    /// namespace replaced by `namespace`: the Namespace itself, `metadata.namespace` of the
    /// namespaced objects, and the ServiceAccount subjects of the bindings.
    public static func objects(namespace: String = defaultNamespace) throws -> [JSONValue] {
        var objects: [JSONValue] = []
        for file in EmbeddedManifests.files {
            do {
                objects += try JSONValue.parseYAMLDocuments(file.text).filter { $0 != .null }
            } catch {
                throw InstallError.badManifest(file: file.path, cause: error)
            }
        }
        guard namespace != defaultNamespace else { return objects }
        return objects.map { relocate($0, to: namespace) }
    }

    static func relocate(_ object: JSONValue, to namespace: String) -> JSONValue {
        var o = object
        if o["kind"]?.stringValue == "Namespace", o[path: "metadata.name"]?.stringValue == defaultNamespace {
            o[path: "metadata.name"] = .string(namespace)
        }
        if o[path: "metadata.namespace"]?.stringValue == defaultNamespace {
            o[path: "metadata.namespace"] = .string(namespace)
        }
        if let subjects = o["subjects"]?.arrayValue {
            o["subjects"] = .array(subjects.map { s in
                var s = s
                if s["namespace"]?.stringValue == defaultNamespace { s["namespace"] = .string(namespace) }
                return s
            })
        }
        return o
    }

    /// A multi-document YAML stream, as `kubectl kustomize` prints one.
    public static func yaml(_ objects: [JSONValue]) -> String {
        objects.map { $0.yamlString() }.joined(separator: "---\n")
    }

    /// The resource of each kind deploy/ contains (the installer speaks no other kinds).
    public static func resource(for object: JSONValue) throws -> Resource {
        let kind = object["kind"]?.stringValue ?? ""
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        guard let resource = kinds.first(where: { $0.kind == kind && $0.apiVersion == apiVersion }) else {
            throw InstallError.unknownKind("\(apiVersion) \(kind)")
        }
        return resource
    }

    static let kinds: [Resource] = [
        .customResourceDefinitions, .namespaces,
        Resource(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true),
        Resource(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true),
        Resource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true),
        Resource(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", kind: "ClusterRole", namespaced: false),
        Resource(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false),
        Resource(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", kind: "Role", namespaced: true),
        Resource(group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", kind: "RoleBinding", namespaced: true),
    ]

    /// kubectl's name for an object: `deployment.apps/jobflow-operator`, `namespace/jobflow-system`.
    public static func displayName(_ resource: Resource, _ object: JSONValue) -> String {
        let kind = resource.kind.lowercased()
        let name = object[path: "metadata.name"]?.stringValue ?? ""
        return (resource.group.isEmpty ? kind : "\(kind).\(resource.group)") + "/" + name
    }
}

/// What can go wrong installing, with the object it happened to.
public enum InstallError: Error, CustomStringConvertible, Sendable {
    case badManifest(file: String, cause: any Error & Sendable)
    case unknownKind(String)
    case failed(object: String, action: String, cause: any Error & Sendable)
    case notEstablished(crd: String, waited: Duration)

    public var description: String {
        switch self {
        case .badManifest(let file, let cause): return "embedded manifest \(file): \(cause)"
        case .unknownKind(let kind): return "the installer does not know the kind \(kind)"
        case .failed(let object, let action, let cause): return "\(object): \(action) failed: \(cause)"
        case .notEstablished(let crd, let waited): return "\(crd) was not Established after \(waited)"
        }
    }
}

/// Applies and deletes the install objects like `kubectl apply --server-side --force-conflicts`
/// and `kubectl delete --ignore-not-found`, reporting one line per object.
public struct Installer: Sendable {
    public static let fieldManager = "jobflow-tui-install"
    let api: any KubeAPI
    /// How long to wait for each CRD to become Established, and how often to look.
    public var establishTimeout: Duration = .seconds(60)
    public var pollInterval: Duration = .milliseconds(200)

    public init(api: any KubeAPI) { self.api = api }

    /// Server-side applies every object in order (field manager `jobflow-tui-install`, force).
    /// After the last CRD it waits until every CRD is Established, so the objects after them can
    /// rely on the new kinds. Idempotent: a second run applies the same intent again.
    public func install(_ objects: [JSONValue], report: @Sendable (String) -> Void) async throws {
        var crds: [String] = []
        for (index, object) in objects.enumerated() {
            let resource = try InstallManifests.resource(for: object)
            let name = object[path: "metadata.name"]?.stringValue ?? ""
            let display = InstallManifests.displayName(resource, object)
            do {
                _ = try await api.patch(resource, namespace: object[path: "metadata.namespace"]?.stringValue, name: name,
                                        patch: .apply(object), subresource: nil,
                                        options: PatchOptions(fieldManager: Installer.fieldManager, force: true))
            } catch let error as CancellationError {
                throw error
            } catch {
                throw InstallError.failed(object: display, action: "server-side apply", cause: error)
            }
            report("\(display) serverside-applied")
            if resource == .customResourceDefinitions { crds.append(name) }
            let nextIsCRD = index + 1 < objects.count && objects[index + 1]["kind"]?.stringValue == "CustomResourceDefinition"
            if !crds.isEmpty && !nextIsCRD {
                for crd in crds { try await waitUntilEstablished(crd) }
                crds = []
            }
        }
    }

    /// Polls the CRD until its `Established` condition is True.
    func waitUntilEstablished(_ name: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + establishTimeout
        while true {
            let crd = try await api.get(.customResourceDefinitions, namespace: nil, name: name)
            let established = (crd[path: "status.conditions"]?.arrayValue ?? []).contains {
                $0["type"]?.stringValue == KubernetesWords.crdEstablished && $0["status"]?.stringValue == KubernetesWords.conditionTrue
            }
            if established { return }
            if clock.now >= deadline { throw InstallError.notEstablished(crd: name, waited: establishTimeout) }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Deletes the objects in reverse order (Background propagation), tolerating NotFound.
    /// CRDs are kept unless `includeCRDs`: deleting a CRD deletes every JobFlow, DaemonJob and
    /// JobTemplate in the cluster, and their Jobs.
    public func uninstall(_ objects: [JSONValue], includeCRDs: Bool, report: @Sendable (String) -> Void) async throws {
        for object in objects.reversed() {
            let resource = try InstallManifests.resource(for: object)
            if resource == .customResourceDefinitions && !includeCRDs { continue }
            let name = object[path: "metadata.name"]?.stringValue ?? ""
            let display = InstallManifests.displayName(resource, object)
            let quoted = display.replacingOccurrences(of: "/" + name, with: " \"\(name)\"")
            do {
                _ = try await api.delete(resource, namespace: object[path: "metadata.namespace"]?.stringValue, name: name,
                                         options: DeleteOptions(propagationPolicy: .background))
                report("\(quoted) deleted")
            } catch let error as KubeError {
                guard case .api(let apiError) = error, apiError.isNotFound else {
                    throw InstallError.failed(object: display, action: "delete", cause: error)
                }
                report("\(quoted) not found")
            }
        }
    }
}
