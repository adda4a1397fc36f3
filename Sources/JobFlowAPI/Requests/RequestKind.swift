/// The two requests a user writes on a JobFlow or DaemonJob.
public enum RequestKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Run Failed or Cancelled entries (or nodes) again.
    case retry
    /// Stop waiting or running entries (or nodes).
    case cancel

    /// The annotation that carries the request.
    public var annotation: String { "\(APIGroup.name)/\(rawValue)" }

    /// The Event reason when the operator carries the request out.
    public var doneEvent: EventReason { self == .retry ? .retried : .cancelled }
    /// The Event reason when the operator cannot carry (part of) the request out.
    public var ignoredEvent: EventReason { self == .retry ? .retryIgnored : .cancelIgnored }
}

/// A retry/cancel annotation value: comma-separated names or `*`, whitespace and empty items
/// tolerated. Bounded by the annotation itself (the API server caps all annotations of an
/// object at 256 KiB).
public struct RequestTargets: Sendable, Hashable {
    /// `*` was among the items: every entry (or node) the request applies to.
    public var all: Bool
    /// The named items, first occurrence kept, in the order written.
    public var names: [String]

    public init(parsing value: String) {
        var names: [String] = []
        var seen = Set<String>()
        var all = false
        for raw in value.split(separator: ",") {
            let n = raw.trimmingCharacters(in: " \t\r\n")
            if n == "*" { all = true } else if !n.isEmpty, seen.insert(n).inserted { names.append(n) }
        }
        self.all = all
        self.names = names
    }

    public init(all: Bool = false, names: [String] = []) {
        self.all = all
        self.names = names
    }

    public func includes(_ name: String) -> Bool { all || names.contains(name) }

    /// The annotation value that asks for exactly these targets.
    public var annotationValue: String { all ? "*" : names.joined(separator: ",") }
}
