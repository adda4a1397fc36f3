/// The overall state of a JobFlow or DaemonJob (`status.state`, the "Status" printer column).
public enum FlowState: WireWord {
    /// Nothing has started yet.
    case pending
    /// Some Job was started and not everything has finished.
    case running
    /// Every entry (or node) succeeded.
    case succeed
    /// Everything finished and something failed, or the spec is invalid.
    case failed
    /// The object is being deleted.
    case terminating
    /// A cancel request stopped it.
    case cancelled
    /// A state this version does not know.
    case unknown(String)

    public static let known: [FlowState] = [.pending, .running, .succeed, .failed, .terminating, .cancelled]

    public var rawValue: String {
        switch self {
        case .pending: "Pending"
        case .running: "Running"
        case .succeed: "Succeed"
        case .failed: "Failed"
        case .terminating: "Terminating"
        case .cancelled: "Cancelled"
        case .unknown(let word): word
        }
    }

    /// Nothing more happens without a request (or, for Terminating, ever).
    public var isTerminal: Bool { self == .succeed || self == .failed || self == .cancelled }
}
