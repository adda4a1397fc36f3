import JobFlowAPI
import Kube
@testable import Orchestrator
import Testing

@Suite("objects by state (jobflow_jobflows / jobflow_daemonjobs)")
struct StateTallyTests {
    static func flow(_ state: String?) -> JSONValue {
        var o: JSONValue = ["metadata": ["name": "f", "namespace": "default"]]
        if let state { o["status"] = ["state": .string(state)] }
        return o
    }

    @Test("adds, state changes and deletes move counts between states")
    func transitions() {
        var tally = StateTally()
        #expect(tally.added(Self.flow(nil)) == ["Unknown"])
        #expect(tally.added(Self.flow("Running")) == ["Running"])
        #expect(tally.updated(from: Self.flow(nil), to: Self.flow("Pending")) == ["Unknown", "Pending"])
        #expect(tally.updated(from: Self.flow("Running"), to: Self.flow("Running")) == [])
        #expect(tally.updated(from: Self.flow("Running"), to: Self.flow("Succeed")) == ["Running", "Succeed"])
        #expect(tally.counts["Pending"] == 1 && tally.counts["Succeed"] == 1)
        #expect(tally.counts["Running"] == 0 && tally.counts["Unknown"] == 0)
        #expect(tally.deleted(Self.flow("Succeed")) == ["Succeed"])
        #expect(tally.counts["Succeed"] == 0)
    }

    @Test("labels stay bounded: an unrecognised state is Unknown, counts never go negative")
    func bounded() {
        var tally = StateTally()
        #expect(StateTally.state(of: Self.flow("made-up")) == "Unknown")
        _ = tally.deleted(Self.flow("Failed"))
        #expect(tally.counts["Failed"] == 0)
        #expect(Set(tally.counts.keys) == Set(StateTally.states))
    }
}
