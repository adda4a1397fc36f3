/// Which kind of object a request is about: enough to build every URL for it.
public struct Resource: Sendable, Hashable, CustomStringConvertible {
    /// API group; empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    /// Lower-case plural used in URLs (`jobs`).
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `group/version`, or just `version` for the core group: the `apiVersion` of its objects.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `jobs.batch`, `pods`: the name kubectl and error messages use.
    public var groupResource: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public var description: String { groupResource }

    /// The path of the collection: `/apis/batch/v1/namespaces/ns/jobs`; all namespaces when `namespace` is nil.
    public func collectionPath(namespace: String?) -> String {
        let root = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace {
            return "\(root)/namespaces/\(Resource.escapeSegment(namespace))/\(plural)"
        }
        return "\(root)/\(plural)"
    }

    /// The path of one object, with an optional subresource (`status`, `log`).
    public func objectPath(namespace: String?, name: String, subresource: String? = nil) -> String {
        var path = collectionPath(namespace: namespaced ? (namespace ?? "default") : nil) + "/" + Resource.escapeSegment(name)
        if let subresource { path += "/" + subresource }
        return path
    }

    /// Percent-escapes a path segment (names are DNS labels in practice, but never trust input).
    static func escapeSegment(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

extension Resource {
    public static let namespaces = Resource(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let nodes = Resource(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false)
    public static let pods = Resource(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    public static let events = Resource(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public static let configMaps = Resource(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let persistentVolumeClaims = Resource(group: "", version: "v1", plural: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true)
    public static let jobs = Resource(group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true)
    public static let leases = Resource(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    public static let customResourceDefinitions = Resource(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
}
