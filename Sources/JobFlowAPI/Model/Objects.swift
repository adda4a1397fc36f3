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

/// One of our objects as stored, typed: its header, its spec with what decoding found, its status.
public struct CustomObject<Spec: Sendable & Hashable, Status: Sendable & Hashable>: Sendable, Hashable {
    public var metadata: ObjectHeader
    public var spec: Spec
    /// Field-level problems decoding the spec found (graph problems: `Validator`).
    public var specFindings: [Finding]
    public var status: Status
    /// The status exactly as stored: a new status is written only when it differs from this.
    public var storedStatus: JSONValue?

    init(object: JSONValue, spec decode: (JSONValue?) -> (Spec, [Finding]), status read: (JSONValue?) -> Status) {
        metadata = ObjectHeader(object: object)
        (spec, specFindings) = decode(object["spec"])
        storedStatus = object["status"]
        status = read(storedStatus)
    }
}

/// A JobFlow as stored, typed.
public typealias JobFlow = CustomObject<JobFlowSpec, JobFlowStatus>
/// A DaemonJob as stored, typed; its spec is nil when it is unusable (the findings say why).
public typealias DaemonJob = CustomObject<DaemonJobSpec?, DaemonJobStatus>

extension CustomObject where Spec == JobFlowSpec, Status == JobFlowStatus {
    public init(object: JSONValue) {
        self.init(object: object, spec: { JobFlowSpec.decode($0) }, status: JobFlowStatus.init(json:))
    }
}

extension CustomObject where Spec == DaemonJobSpec?, Status == DaemonJobStatus {
    public init(object: JSONValue) {
        self.init(object: object, spec: { DaemonJobSpec.decode($0) }, status: DaemonJobStatus.init(json:))
    }
}
