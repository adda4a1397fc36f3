import Kube

/// Everything the server knows about one served resource (one group/version/plural): how to
/// name it, which verbs and subresources it has, and for custom resources its schema and columns.
public struct ResourceInfo: Sendable, Hashable {
    public var resource: Resource
    public var singular: String
    public var shortNames: [String]
    public var categories: [String]
    /// Whether `/status` is a subresource (status writes are split from object writes).
    public var hasStatus: Bool
    /// Whether objects are custom resources (served from a CRD).
    public var isCustom: Bool
    /// `openAPIV3Schema` of a custom resource version.
    public var schema: JSONValue?
    /// `additionalPrinterColumns` of a custom resource version.
    public var printerColumns: [JSONValue]

    public init(resource: Resource, singular: String, shortNames: [String] = [], categories: [String] = [],
                hasStatus: Bool = false, isCustom: Bool = false, schema: JSONValue? = nil, printerColumns: [JSONValue] = []) {
        self.resource = resource
        self.singular = singular
        self.shortNames = shortNames
        self.categories = categories
        self.hasStatus = hasStatus
        self.isCustom = isCustom
        self.schema = schema
        self.printerColumns = printerColumns
    }

    /// Storage key shared by all versions of the resource.
    var storageKey: String { "\(resource.group)/\(resource.plural)" }

    public var verbs: [String] { ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] }

    /// Subresources as discovery lists them.
    public var subresources: [String] {
        var s: [String] = []
        if hasStatus { s.append("status") }
        if resource.plural == "pods" && resource.group.isEmpty { s.append("log") }
        return s
    }
}

extension ResourceInfo {
    /// The built-in kinds the sandbox serves.
    public static let builtins: [ResourceInfo] = [
        ResourceInfo(resource: .namespaces, singular: "namespace", shortNames: ["ns"], hasStatus: true),
        ResourceInfo(resource: .nodes, singular: "node", shortNames: ["no"], hasStatus: true),
        ResourceInfo(resource: .pods, singular: "pod", shortNames: ["po"], categories: ["all"], hasStatus: true),
        ResourceInfo(resource: .events, singular: "event", shortNames: ["ev"]),
        ResourceInfo(resource: .configMaps, singular: "configmap", shortNames: ["cm"]),
        ResourceInfo(resource: .persistentVolumeClaims, singular: "persistentvolumeclaim", shortNames: ["pvc"], hasStatus: true),
        ResourceInfo(resource: Resource(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true),
                     singular: "service", shortNames: ["svc"], categories: ["all"], hasStatus: true),
        ResourceInfo(resource: Resource(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true), singular: "secret"),
        ResourceInfo(resource: Resource(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true),
                     singular: "serviceaccount", shortNames: ["sa"]),
        ResourceInfo(resource: .jobs, singular: "job", categories: ["all"], hasStatus: true),
        ResourceInfo(resource: .leases, singular: "lease"),
        ResourceInfo(resource: .customResourceDefinitions, singular: "customresourcedefinition", shortNames: ["crd", "crds"],
                     categories: ["api-extensions"], hasStatus: true),
        // Stored only (no Deployment controller, no RBAC enforcement): enough for
        // `jobflow-tui install` and `kubectl apply -k deploy/` to run against the sandbox.
        ResourceInfo(resource: Resource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true),
                     singular: "deployment", shortNames: ["deploy"], categories: ["all"], hasStatus: true),
        ResourceInfo(resource: rbac("clusterroles", "ClusterRole", namespaced: false), singular: "clusterrole"),
        ResourceInfo(resource: rbac("clusterrolebindings", "ClusterRoleBinding", namespaced: false), singular: "clusterrolebinding"),
        ResourceInfo(resource: rbac("roles", "Role", namespaced: true), singular: "role"),
        ResourceInfo(resource: rbac("rolebindings", "RoleBinding", namespaced: true), singular: "rolebinding"),
    ]

    private static func rbac(_ plural: String, _ kind: String, namespaced: Bool) -> Resource {
        Resource(group: "rbac.authorization.k8s.io", version: "v1", plural: plural, kind: kind, namespaced: namespaced)
    }
}
