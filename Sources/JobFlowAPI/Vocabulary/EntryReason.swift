/// Why a flow entry or DaemonJob node is in its phase (`status.jobs[].reason`).
///
/// The operator's own reasons are cases; a reason taken from the Job or its pod
/// (`BackoffLimitExceeded`, `DeadlineExceeded`, `ImagePullBackOff`, a pod's `OOMKilled`) is
/// `unknown` with Kubernetes' word, shown as written.
public enum EntryReason: WireWord {
    /// The Job is being created (or its create is in flight).
    case creating
    /// Waiting: some dependencies have not succeeded yet.
    case waitingForDependencies
    /// Skipped: an upstream entry failed (or was skipped because one failed).
    case upstreamFailed
    /// Skipped: an upstream entry was cancelled.
    case upstreamCancelled
    /// Skipped: another entry failed and `failurePolicy` is FailFast.
    case failFast
    /// Cancelled without starting: the whole object was cancelled.
    case flowCancelled
    /// Waiting for ever: the spec is invalid, so nothing starts.
    case flowInvalid
    /// Waiting for ever: the object is being deleted.
    case flowTerminating
    /// Waiting: the named JobTemplate does not exist (yet).
    case templateNotFound
    /// Waiting: the entry's template is unusable.
    case invalidTemplate
    /// Waiting: a Job with the entry's name exists and is not ours.
    case jobConflict
    /// Pending: the previous attempt's Job is being deleted before the next is created.
    case deletingPreviousAttempt
    /// Failed: the Job was deleted before it finished.
    case jobDeleted
    /// Failed: the node left the cluster before its Job finished (DaemonJob).
    case nodeLost
    /// Cancelled by a cancel request.
    case cancelRequested
    /// Waiting to run again after a retry request.
    case retryRequested
    /// Succeeded: the Job completed.
    case completed
    /// Failed: the Job failed without a reason of its own.
    case jobFailed
    /// Waiting: the node is not eligible now; the skip reason says why (DaemonJob).
    case nodeNotEligible(SkipReason)
    /// A reason this version does not define, or one passed through from Kubernetes.
    case unknown(String)

    public static let known: [EntryReason] = [
        .creating, .waitingForDependencies, .upstreamFailed, .upstreamCancelled, .failFast, .flowCancelled,
        .flowInvalid, .flowTerminating, .templateNotFound, .invalidTemplate, .jobConflict,
        .deletingPreviousAttempt, .jobDeleted, .nodeLost, .cancelRequested, .retryRequested, .completed, .jobFailed,
    ] + SkipReason.known.map(EntryReason.nodeNotEligible)

    public var rawValue: String {
        switch self {
        case .creating: "Creating"
        case .waitingForDependencies: "WaitingForDependencies"
        case .upstreamFailed: "UpstreamFailed"
        case .upstreamCancelled: "UpstreamCancelled"
        case .failFast: "FailFast"
        case .flowCancelled: "FlowCancelled"
        case .flowInvalid: "FlowInvalid"
        case .flowTerminating: "FlowTerminating"
        case .templateNotFound: "TemplateNotFound"
        case .invalidTemplate: "InvalidTemplate"
        case .jobConflict: "JobConflict"
        case .deletingPreviousAttempt: "DeletingPreviousAttempt"
        case .jobDeleted: "JobDeleted"
        case .nodeLost: "NodeLost"
        case .cancelRequested: "CancelRequested"
        case .retryRequested: "RetryRequested"
        case .completed: "Completed"
        case .jobFailed: "JobFailed"
        case .nodeNotEligible(let why): why.rawValue
        case .unknown(let word): word
        }
    }

    /// The entry waits on something outside the flow that a person must fix.
    public var blocksStart: Bool { self == .templateNotFound || self == .jobConflict }
}

/// Why a node gets no Job from a DaemonJob (`status.skippedNodes[].reason`).
public enum SkipReason: WireWord {
    /// Listed in `excludeNodeList`.
    case excluded
    /// The node's Ready condition is not True.
    case notReady
    /// The node is cordoned.
    case unschedulable
    /// The pod template's nodeSelector or required node affinity does not match.
    case nodeSelectorMismatch
    /// The node has a NoSchedule/NoExecute taint the pod template does not tolerate.
    case taintNotTolerated
    /// A reason this version does not define.
    case unknown(String)

    public static let known: [SkipReason] = [.excluded, .notReady, .unschedulable, .nodeSelectorMismatch, .taintNotTolerated]

    public var rawValue: String {
        switch self {
        case .excluded: "Excluded"
        case .notReady: "NotReady"
        case .unschedulable: "Unschedulable"
        case .nodeSelectorMismatch: "NodeSelectorMismatch"
        case .taintNotTolerated: "TaintNotTolerated"
        case .unknown(let word): word
        }
    }
}
