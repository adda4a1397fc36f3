import JobFlowAPI
import Kube

/// One line of the overview: a JobFlow or a DaemonJob, sanitised and ready to draw.
public struct FlowRow: Sendable, Hashable {
    public var ref: ResourceRef
    /// Sanitised namespace and name for drawing (the ref keeps the raw ones for API calls).
    public var displayNamespace: String
    public var displayName: String
    public var phase: Phase
    public var succeeded: Int
    public var total: Int
    public var created: Int64?
    public var started: Int64?
    public var completed: Int64?
    public var message: String

    /// Builds a row from a JobFlow or DaemonJob object.
    public init(kind: ResourceKind, object o: JSONValue) {
        // Direct member lookups (no dotted paths): this runs for every object on every snapshot.
        let meta = o["metadata"]
        let ns = meta?["namespace"]?.stringValue ?? ""
        let name = meta?["name"]?.stringValue ?? ""
        ref = ResourceRef(kind: kind, namespace: ns, name: name)
        displayNamespace = Sanitizer.singleLine(ns)
        displayName = Sanitizer.singleLine(name)
        let status = o["status"]
        phase = Phase(status?["state"]?.stringValue.map(FlowState.init(rawValue:)) ?? .pending)
        let progress = FlowRow.parseProgress(status?["progress"]?.stringValue)
        if let progress {
            (succeeded, total) = progress
        } else if kind == .jobFlow {
            let jobs = status?["jobs"]?.arrayValue ?? []
            total = max(jobs.count, o["spec"]?["flows"]?.arrayValue?.count ?? 0)
            succeeded = jobs.filter { $0["phase"]?.stringValue.map(EntryPhase.init(rawValue:)) == .succeed }.count
        } else {
            let nodes = status?["nodes"]?.arrayValue ?? []
            total = Int(status?["desired"]?.intValue ?? Int64(nodes.count))
            succeeded = Int(status?["succeeded"]?.intValue
                ?? Int64(nodes.filter { $0["phase"]?.stringValue.map(EntryPhase.init(rawValue:)) == .succeed }.count))
        }
        created = Time.parse(meta?["creationTimestamp"]?.stringValue)
        started = Time.parse(status?["startTime"]?.stringValue)
        completed = Time.parse(status?["completionTime"]?.stringValue)
        message = Sanitizer.singleLine(status?["message"]?.stringValue ?? "")
    }

    static func parseProgress(_ s: String?) -> (Int, Int)? {
        guard let s, let slash = s.firstIndex(of: "/"),
              let a = Int(s[..<slash]), let b = Int(s[s.index(after: slash)...]) else { return nil }
        return (a, b)
    }
}

/// Overview sort orders (`s` cycles through them).
public enum SortOrder: String, Sendable, CaseIterable {
    case name, state, age

    public var next: SortOrder {
        let all = SortOrder.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

extension FlowRow {
    /// True if the filter text appears in namespace/name, kind or state (case-insensitive).
    public func matches(_ filter: String) -> Bool {
        if filter.isEmpty { return true }
        let f = filter.lowercased()
        return "\(displayNamespace)/\(displayName)".lowercased().contains(f)
            || ref.kind.rawValue.lowercased().contains(f) || phase.word.lowercased().contains(f)
    }

    /// The strict total order of `order` (ties broken by namespace/name, then kind).
    static func less(by order: SortOrder) -> (FlowRow, FlowRow) -> Bool {
        switch order {
        case .name: return { $0.ref < $1.ref }
        case .state: return { a, b in a.phase.rank != b.phase.rank ? a.phase.rank < b.phase.rank : a.ref < b.ref }
        case .age:
            return { a, b in
                let (x, y) = (a.created ?? 0, b.created ?? 0)
                return x != y ? x > y : a.ref < b.ref
            }
        }
    }

    /// Indices of `rows` in the order `sorted(_:by:)` gives.
    static func sortedIndices(_ rows: [FlowRow], by order: SortOrder) -> [Int] {
        let less = less(by: order)
        return rows.indices.sorted { less(rows[$0], rows[$1]) }
    }

    /// Rows sorted by `order`; ties broken by namespace/name so the order is stable.
    public static func sorted(_ rows: [FlowRow], by order: SortOrder) -> [FlowRow] {
        switch order {
        case .name: return rows.sorted { $0.ref < $1.ref }
        case .state:
            return rows.sorted { a, b in a.phase.rank != b.phase.rank ? a.phase.rank < b.phase.rank : a.ref < b.ref }
        case .age:
            return rows.sorted { a, b in
                let (x, y) = (a.created ?? 0, b.created ?? 0)
                return x != y ? x > y : a.ref < b.ref
            }
        }
    }
}
