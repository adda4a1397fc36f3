/// The state of a flow, a flow entry, a DaemonJob or one of its nodes, as the status API spells it.
public enum Phase: String, Sendable, Hashable, CaseIterable {
    case waiting = "Waiting"
    case pending = "Pending"
    case running = "Running"
    case terminating = "Terminating"
    case succeeded = "Succeed"
    case failed = "Failed"
    case cancelled = "Cancelled"
    case skipped = "Skipped"
    case unknown = "Unknown"

    /// Parses a status string; anything unrecognised (or missing) is `.unknown`.
    public init(status: String?) {
        guard let status else { self = .unknown; return }
        if let p = Phase(rawValue: status) { self = p; return }
        switch status.lowercased() {
        case "succeeded", "complete", "completed": self = .succeeded
        case "canceled": self = .cancelled
        default: self = .unknown
        }
    }

    /// The word shown next to the glyph (state is never shown by colour alone).
    public var word: String { self == .unknown ? "Unknown" : rawValue }

    /// True once nothing more will happen without a retry.
    public var isFinished: Bool { [.succeeded, .failed, .cancelled, .skipped].contains(self) }

    /// Not started yet: the UI says why it waits.
    public var isNotStarted: Bool { self == .waiting || self == .pending || self == .unknown }

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
