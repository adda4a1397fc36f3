/// The condition types in `status.conditions` (metav1.Condition).
public enum ConditionType: WireWord {
    /// The spec passed validation.
    case valid
    /// Something is pending or running.
    case progressing
    /// Every entry (or node) succeeded.
    case complete
    /// A condition type this version does not define.
    case unknown(String)

    public static let known: [ConditionType] = [.valid, .progressing, .complete]

    public var rawValue: String {
        switch self {
        case .valid: "Valid"
        case .progressing: "Progressing"
        case .complete: "Complete"
        case .unknown(let word): word
        }
    }
}

/// A condition's status: True, False or Unknown, as metav1.ConditionStatus spells them.
public enum ConditionStatus: WireWord {
    case `true`
    case `false`
    /// The API's own "Unknown" status.
    case undetermined
    /// Anything else.
    case unknown(String)

    public static let known: [ConditionStatus] = [.true, .false, .undetermined]

    public init(_ value: Bool) { self = value ? .true : .false }

    public var rawValue: String {
        switch self {
        case .true: "True"
        case .false: "False"
        case .undetermined: "Unknown"
        case .unknown(let word): word
        }
    }
}

/// The reasons our conditions carry. `Valid=False` carries the first error's `FindingReason`;
/// `Progressing` and `Complete` carry the state (`FlowState`) unless a case here says more.
public enum ConditionReason: WireWord {
    /// `Valid=True`.
    case valid
    /// `Complete=True`.
    case succeeded
    /// `Progressing=False` on a DaemonJob no node is eligible for.
    case noEligibleNodes
    /// A state or finding reason (see `init(_:)`), or a word this version does not define.
    case unknown(String)

    public static let known: [ConditionReason] = [.valid, .succeeded, .noEligibleNodes]

    /// The reason that is the state's own word.
    public init(_ state: FlowState) { self.init(rawValue: state.rawValue) }
    /// The reason that is the finding's own word.
    public init(_ finding: FindingReason) { self.init(rawValue: finding.rawValue) }

    public var rawValue: String {
        switch self {
        case .valid: "Valid"
        case .succeeded: "Succeeded"
        case .noEligibleNodes: "NoEligibleNodes"
        case .unknown(let word): word
        }
    }
}
