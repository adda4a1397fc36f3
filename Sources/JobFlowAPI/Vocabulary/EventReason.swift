/// The reasons of the Events the operator records on JobFlows and DaemonJobs.
public enum EventReason: WireWord {
    case jobCreated, jobSucceeded, jobFailed, jobDeleted, jobConflict, orphanedJob
    case flowSucceeded, flowFailed, flowCancelled, validationFailed
    case retried, retryIgnored, cancelled, cancelIgnored
    case templateMissing, invalidTemplate, restartPolicyOverridden
    case nodeLost, noEligibleNodes, unknownExcludedNode
    /// A reason this version does not define.
    case unknown(String)

    public static let known: [EventReason] = [
        .jobCreated, .jobSucceeded, .jobFailed, .jobDeleted, .jobConflict, .orphanedJob,
        .flowSucceeded, .flowFailed, .flowCancelled, .validationFailed,
        .retried, .retryIgnored, .cancelled, .cancelIgnored,
        .templateMissing, .invalidTemplate, .restartPolicyOverridden,
        .nodeLost, .noEligibleNodes, .unknownExcludedNode,
    ]

    public var rawValue: String {
        switch self {
        case .jobCreated: "JobCreated"
        case .jobSucceeded: "JobSucceeded"
        case .jobFailed: "JobFailed"
        case .jobDeleted: "JobDeleted"
        case .jobConflict: "JobConflict"
        case .orphanedJob: "OrphanedJob"
        case .flowSucceeded: "FlowSucceeded"
        case .flowFailed: "FlowFailed"
        case .flowCancelled: "FlowCancelled"
        case .validationFailed: "ValidationFailed"
        case .retried: "Retried"
        case .retryIgnored: "RetryIgnored"
        case .cancelled: "Cancelled"
        case .cancelIgnored: "CancelIgnored"
        case .templateMissing: "TemplateMissing"
        case .invalidTemplate: "InvalidTemplate"
        case .restartPolicyOverridden: "RestartPolicyOverridden"
        case .nodeLost: "NodeLost"
        case .noEligibleNodes: "NoEligibleNodes"
        case .unknownExcludedNode: "UnknownExcludedNode"
        case .unknown(let word): word
        }
    }
}

/// The reasons findings carry; also the `Valid=False` condition reasons.
public enum FindingReason: WireWord {
    case dependencyCycle, unknownDependency, selfDependency, duplicateDependency, duplicateName
    case invalidTemplate, invalidName, invalidField, unknownShareVolume, restartPolicyOverridden
    case unsupportedKind, excludeNodeList
    /// A reason this version does not define.
    case unknown(String)

    public static let known: [FindingReason] = [
        .dependencyCycle, .unknownDependency, .selfDependency, .duplicateDependency, .duplicateName,
        .invalidTemplate, .invalidName, .invalidField, .unknownShareVolume, .restartPolicyOverridden,
        .unsupportedKind, .excludeNodeList,
    ]

    public var rawValue: String {
        switch self {
        case .dependencyCycle: "DependencyCycle"
        case .unknownDependency: "UnknownDependency"
        case .selfDependency: "SelfDependency"
        case .duplicateDependency: "DuplicateDependency"
        case .duplicateName: "DuplicateName"
        case .invalidTemplate: "InvalidTemplate"
        case .invalidName: "InvalidName"
        case .invalidField: "InvalidField"
        case .unknownShareVolume: "UnknownShareVolume"
        case .restartPolicyOverridden: "RestartPolicyOverridden"
        case .unsupportedKind: "UnsupportedKind"
        case .excludeNodeList: "ExcludeNodeList"
        case .unknown(let word): word
        }
    }
}
