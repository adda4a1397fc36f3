import JobFlowAPI
import Kube

/// The object that owns the Jobs: a JobFlow or DaemonJob.
public struct Owner: Sendable, Hashable {
    public static let apiVersion = APIGroup.apiVersion
    public var kind: String
    public var name: String
    public var namespace: String?
    public var uid: String

    public init(kind: String, name: String, namespace: String?, uid: String) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }

    /// The owner of `kind` with `metadata`.
    public init(kind: CustomKind, _ metadata: ObjectHeader) {
        self.init(kind: kind.rawValue, name: metadata.name, namespace: metadata.namespace, uid: metadata.uid)
    }

    /// The owner of `object` (kind, metadata.name/namespace/uid).
    public init(object: JSONValue) {
        self.init(kind: object["kind"]?.stringValue ?? "", name: object[path: "metadata.name"]?.stringValue ?? "",
                  namespace: object[path: "metadata.namespace"]?.stringValue, uid: object[path: "metadata.uid"]?.stringValue ?? "")
    }

    /// The ownerReference a Job carries: controller, and blocking the owner's foreground deletion.
    public var ownerReference: JSONValue {
        ["apiVersion": .string(Owner.apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
         "controller": true, "blockOwnerDeletion": true]
    }
}

/// How a DaemonJob's Job is tied to its node.
public enum NodePinning: String, Sendable, Hashable {
    /// Required node affinity on `metadata.name` (matchFields), as a DaemonSet does: the scheduler
    /// still checks taints and resources. The default.
    case nodeAffinity
    /// `spec.nodeName`: bypasses the scheduler (for clusters without affinity support).
    case nodeName
}
