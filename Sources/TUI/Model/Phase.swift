import JobFlowAPI

/// How the UI shows the state of a flow, a flow entry, a DaemonJob or one of its nodes: one glyph,
/// colour and word per state. Built from the API's `EntryPhase` and `FlowState` (the words are
/// theirs); a state this version does not know keeps its own word and shows as `?`.
public enum Phase: Sendable, Hashable, CaseIterable {
    case waiting, pending, running, terminating, succeeded, failed, cancelled, skipped
    /// No state reported (""), or a word this version does not know, kept sanitised.
    case unknown(String)

    public static let allCases: [Phase] = [.waiting, .pending, .running, .terminating, .succeeded, .failed, .cancelled, .skipped, .unknown("")]

    /// The display state of an entry or node phase.
    public init(_ phase: EntryPhase) {
        switch phase {
        case .waiting: self = .waiting
        case .pending: self = .pending
        case .running: self = .running
        case .succeed: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        case .skipped: self = .skipped
        case .unknown(let word): self = .unknown(Phase.shown(word))
        }
    }

    /// The display state of a JobFlow's or DaemonJob's `status.state`.
    public init(_ state: FlowState) {
        switch state {
        case .pending: self = .pending
        case .running: self = .running
        case .succeed: self = .succeeded
        case .failed: self = .failed
        case .terminating: self = .terminating
        case .cancelled: self = .cancelled
        case .unknown(let word): self = .unknown(Phase.shown(word))
        }
    }

    /// The display state of an entry phase as stored (`nil`: none reported).
    public init(entryPhase raw: String?) {
        self = raw.map { Phase(EntryPhase(rawValue: $0)) } ?? .unknown("")
    }

    /// The display state of an object state as stored (`nil`: none reported).
    public init(state raw: String?) {
        self = raw.map { Phase(FlowState(rawValue: $0)) } ?? .unknown("")
    }

    /// A word from the cluster, made safe to draw and short enough for a state column.
    static func shown(_ word: String) -> String { String(Sanitizer.singleLine(word).prefix(24)) }

    /// The word shown next to the glyph (state is never shown by colour alone): the API's own.
    public var word: String {
        switch self {
        case .waiting: EntryPhase.waiting.rawValue
        case .pending: EntryPhase.pending.rawValue
        case .running: EntryPhase.running.rawValue
        case .terminating: FlowState.terminating.rawValue
        case .succeeded: EntryPhase.succeed.rawValue
        case .failed: EntryPhase.failed.rawValue
        case .cancelled: EntryPhase.cancelled.rawValue
        case .skipped: EntryPhase.skipped.rawValue
        case .unknown(let word): word.isEmpty ? ConditionStatus.undetermined.rawValue : word
        }
    }

    /// The glyph and colour class: every unknown word shares one.
    public var category: Phase {
        if case .unknown = self { return .unknown("") }
        return self
    }

    /// True once nothing more will happen without a retry.
    public var isFinished: Bool { [.succeeded, .failed, .cancelled, .skipped].contains(self) }

    /// Not started yet: the UI says why it waits.
    public var isNotStarted: Bool {
        if case .unknown = self { return true }
        return self == .waiting || self == .pending
    }

    /// Order used by summaries and sorting: problems first.
    public var rank: Int {
        switch self {
        case .failed: 0
        case .running: 1
        case .terminating: 2
        case .pending: 3
        case .waiting: 4
        case .skipped: 5
        case .cancelled: 6
        case .succeeded: 7
        case .unknown: 8
        }
    }
}
