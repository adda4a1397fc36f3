import Kube

/// The API group of the project's custom resources and its one version.
public enum APIGroup {
    public static let name = "api.practice.com"
    public static let version = "v1alpha1"
    /// `api.practice.com/v1alpha1`, as objects and ownerReferences carry it.
    public static let apiVersion = "\(name)/\(version)"
}

/// The kinds of the project's custom resources.
public enum CustomKind: String, Sendable, Hashable, CaseIterable {
    case jobFlow = "JobFlow"
    case jobTemplate = "JobTemplate"
    case daemonJob = "DaemonJob"

    /// The kind an object's `kind` field names, if it is one of ours.
    public init?(object: JSONValue) {
        guard let raw = object["kind"]?.stringValue, let kind = CustomKind(rawValue: raw) else { return nil }
        self = kind
    }

    /// The REST resource of this kind.
    public var resource: Resource {
        switch self {
        case .jobFlow: CustomResources.jobFlows
        case .daemonJob: CustomResources.daemonJobs
        case .jobTemplate: CustomResources.jobTemplates
        }
    }

    /// What one unit of a request is called: a flow entry or a node (JobTemplates take none).
    public var unitNoun: String { self == .daemonJob ? "node" : "flow entry" }
    /// `unitNoun`, plural.
    public var unitNounPlural: String { self == .daemonJob ? "nodes" : "flow entries" }
}

/// The project's custom resources (api.practice.com/v1alpha1), as `Resource` descriptors.
public enum CustomResources {
    public static let group = APIGroup.name
    public static let version = APIGroup.version
    public static let jobFlows = Resource(group: group, version: version, plural: "jobflows", kind: CustomKind.jobFlow.rawValue, namespaced: true)
    public static let daemonJobs = Resource(group: group, version: version, plural: "daemonjobs", kind: CustomKind.daemonJob.rawValue, namespaced: true)
    public static let jobTemplates = Resource(group: group, version: version, plural: "jobtemplates", kind: CustomKind.jobTemplate.rawValue, namespaced: true)
}

/// Label and annotation keys: on Jobs and pods (what they belong to), and on JobFlows and
/// DaemonJobs (the retry and cancel requests).
public enum Keys {
    /// Label on a JobFlow's Jobs and pods: the JobFlow's name.
    public static let jobflowLabel = "\(APIGroup.name)/jobflow"
    /// Label on a JobFlow's Jobs and pods: the flow entry's name.
    public static let flowLabel = "\(APIGroup.name)/flow"
    /// Label on a DaemonJob's Jobs and pods: the DaemonJob's name.
    public static let daemonJobLabel = "\(APIGroup.name)/daemonjob"
    /// Label on a DaemonJob's Jobs and pods: the node (hashed when longer than a label value).
    public static let nodeLabel = "\(APIGroup.name)/node"
    /// The labels that say which of our objects owns a Job or pod.
    public static let ownerLabels = [jobflowLabel, daemonJobLabel]
    /// Annotation on a Job: the attempt number it runs (1, 2, …).
    public static let attemptAnnotation = "\(APIGroup.name)/attempt"
    /// Annotation on a DaemonJob's Job: the full node name (the label may be hashed).
    public static let nodeAnnotation = "\(APIGroup.name)/node"
    /// Annotation on a JobFlow or DaemonJob: a retry request (names or `*`).
    public static let retryAnnotation = RequestKind.retry.annotation
    /// Annotation on a JobFlow or DaemonJob: a cancel request (names or `*`).
    public static let cancelAnnotation = RequestKind.cancel.annotation
}
