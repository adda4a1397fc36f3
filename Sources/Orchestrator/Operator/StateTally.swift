import JobFlowAPI
import Kube

/// How many cached objects are in each `status.state`, kept up to date from informer events
/// (no rescans): an add counts the new state, an update moves one object between states, a
/// delete uncounts the last known state. A pure value; `OperatorMetrics` publishes it.
///
/// The label set is bounded: the six `FlowState`s plus `Unknown` for an object without a status
/// yet (or with a state this version does not know).
struct StateTally: Sendable, Equatable {
    /// Every label value, in a stable order.
    static let states = FlowState.known.map(\.rawValue) + [unknownLabel]
    /// The label of an object without a status yet, or with a state this version does not know.
    static let unknownLabel = ConditionStatus.undetermined.rawValue

    private(set) var counts: [String: Int] = Dictionary(uniqueKeysWithValues: StateTally.states.map { ($0, 0) })

    /// The state label of one object.
    static func state(of object: JSONValue) -> String {
        guard let raw = object[path: "status.state"]?.stringValue, FlowState(rawValue: raw).isKnown else { return unknownLabel }
        return raw
    }

    /// Counts a new object; returns the states whose count changed.
    mutating func added(_ object: JSONValue) -> [String] {
        let state = StateTally.state(of: object)
        counts[state, default: 0] += 1
        return [state]
    }

    /// Moves an object from its old state to its new one; returns the states whose count changed.
    mutating func updated(from old: JSONValue, to new: JSONValue) -> [String] {
        let (before, after) = (StateTally.state(of: old), StateTally.state(of: new))
        guard before != after else { return [] }
        counts[before] = max(0, (counts[before] ?? 0) - 1)
        counts[after, default: 0] += 1
        return [before, after]
    }

    /// Uncounts a deleted object; returns the states whose count changed.
    mutating func deleted(_ object: JSONValue) -> [String] {
        let state = StateTally.state(of: object)
        counts[state] = max(0, (counts[state] ?? 0) - 1)
        return [state]
    }
}
