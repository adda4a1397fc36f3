import Kube

/// What the operator and the viewers read from the metadata of a JobFlow or DaemonJob.
public struct ObjectHeader: Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var uid: String
    public var generation: Int64?
    public var resourceVersion: String?
    /// String-valued annotations (the retry and cancel requests among them).
    public var annotations: [String: String]
    /// `metadata.deletionTimestamp` is set: the object is being deleted.
    public var isDeleting: Bool

    /// The header of a stored object; missing fields are empty, never an error.
    public init(object: JSONValue) {
        let meta = object["metadata"]
        name = meta?["name"]?.stringValue ?? ""
        namespace = meta?["namespace"]?.stringValue
        uid = meta?["uid"]?.stringValue ?? ""
        generation = meta?["generation"]?.intValue
        resourceVersion = meta?["resourceVersion"]?.stringValue
        annotations = (meta?["annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        isDeleting = meta?["deletionTimestamp"] != nil
    }
}

/// A JobFlow as stored, typed: its header, its spec with what decoding found, its status.
public struct JobFlow: Sendable, Hashable {
    public var metadata: ObjectHeader
    public var spec: JobFlowSpec
    /// Field-level problems decoding the spec found (graph problems: `Validator`).
    public var specFindings: [Finding]
    public var status: JobFlowStatus
    /// The status exactly as stored: a new status is written only when it differs from this.
    public var storedStatus: JSONValue?

    public init(object: JSONValue) {
        metadata = ObjectHeader(object: object)
        (spec, specFindings) = JobFlowSpec.decode(object["spec"])
        storedStatus = object["status"]
        status = JobFlowStatus(json: storedStatus)
    }
}

/// A DaemonJob as stored, typed: its header, its spec (nil when unusable) with what decoding
/// found, its status.
public struct DaemonJob: Sendable, Hashable {
    public var metadata: ObjectHeader
    public var spec: DaemonJobSpec?
    public var specFindings: [Finding]
    public var status: DaemonJobStatus
    /// The status exactly as stored: a new status is written only when it differs from this.
    public var storedStatus: JSONValue?

    public init(object: JSONValue) {
        metadata = ObjectHeader(object: object)
        (spec, specFindings) = DaemonJobSpec.decode(object["spec"])
        storedStatus = object["status"]
        status = DaemonJobStatus(json: storedStatus)
    }
}
