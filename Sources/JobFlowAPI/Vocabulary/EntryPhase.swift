/// The phase of one flow entry or one DaemonJob node (`status.jobs[].phase`, `status.nodes[].phase`).
public enum EntryPhase: WireWord {
    /// Not started: waiting for dependencies, a template, or a conflict to clear.
    case waiting
    /// Job created, no pod running yet.
    case pending
    /// The Job's pod runs.
    case running
    /// The Job completed.
    case succeed
    /// The Job failed (or its Job was deleted, or its node left, before it finished).
    case failed
    /// Stopped or never started because of a cancel request.
    case cancelled
    /// Will not run: an upstream entry failed or was cancelled (or FailFast stopped the flow).
    case skipped
    /// A phase this version does not know.
    case unknown(String)

    public static let known: [EntryPhase] = [.waiting, .pending, .running, .succeed, .failed, .cancelled, .skipped]

    public var rawValue: String {
        switch self {
        case .waiting: "Waiting"
        case .pending: "Pending"
        case .running: "Running"
        case .succeed: "Succeed"
        case .failed: "Failed"
        case .cancelled: "Cancelled"
        case .skipped: "Skipped"
        case .unknown(let word): word
        }
    }

    /// The entry will not change any more by itself.
    public var isFinished: Bool { self == .succeed || self == .failed || self == .cancelled || self == .skipped }
    /// The entry has a Job that is still working.
    public var isActive: Bool { self == .pending || self == .running }
    /// Dependents of an entry in this phase can never start.
    public var blocksDependents: Bool { self == .failed || self == .cancelled || self == .skipped }
    /// A retry request runs an entry in this phase again (a Skipped entry is retried through its
    /// root causes: see `RequestPreview`).
    public var isRetryable: Bool { self == .failed || self == .cancelled }
    /// A cancel request stops an entry in this phase.
    public var isCancellable: Bool { !isFinished && isKnown }
}
