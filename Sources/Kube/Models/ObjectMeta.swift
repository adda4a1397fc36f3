/// `metadata` of every object: the fields controllers read. Timestamps stay RFC 3339 strings.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?

    public init(name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
                annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    /// The owner reference marked `controller: true`, if any.
    public var controllerReference: OwnerReference? { ownerReferences?.first { $0.controller == true } }
}

/// A link from a dependent to its owner; the garbage collector follows `uid`.
public struct OwnerReference: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `metav1.Condition`, and the looser condition shapes of Job, Pod and Node status.
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?
    public var lastProbeTime: String?
    public var lastHeartbeatTime: String?
    public var observedGeneration: Int64?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    public var isTrue: Bool { status == "True" }
}

/// The `Status` object the server returns for failures and some deletes.
public struct StatusObject: Codable, Sendable, Hashable {
    public var status: String?
    public var message: String?
    public var reason: String?
    public var code: Int?
    public var details: JSONValue?
}
