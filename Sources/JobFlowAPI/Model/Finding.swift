import Kube

/// One problem (or note) found in a manifest, with the field path it is about.
///
/// `path` uses the API's field-path notation (`spec.flows[2].dependencies[1]`); `description` is
/// the line `jobflow-tui validate` prints and the operator puts into the `Valid` condition.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    /// How bad a finding is: errors make an object invalid, warnings are only reported.
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    /// Machine-readable reason, used as the `Valid` condition reason (`DependencyCycle`, …).
    public var reason: FindingReason
    public var path: String
    public var message: String

    public init(_ severity: Severity = .error, reason: FindingReason, path: String, message: String) {
        self.severity = severity
        self.reason = reason
        self.path = path
        self.message = message
    }

    public var isError: Bool { severity == .error }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension Array where Element == Finding {
    /// The findings that make an object invalid.
    public var errors: [Finding] { filter(\.isError) }
    /// One message listing every error, as the `Valid` condition and the status message carry it.
    public var combinedMessage: String { errors.map(\.description).joined(separator: "; ") }
}
