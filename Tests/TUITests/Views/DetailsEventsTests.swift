import JobFlowAPI
import Kube
import Testing
@testable import TUI

/// An entry's details list the owner's events about that entry's Job and the owner's own
/// events, not those about its other Jobs.
@Suite struct DetailsEventsTests {
    @Test func entryDetailsLeaveOutEventsAboutSiblingJobs() {
        var snap = Fixtures.snapshot()
        func event(_ reason: String, _ message: String) -> JSONValue {
            ["type": "Normal", "reason": .string(reason), "lastTimestamp": Fixtures.ts(10),
             "involvedObject": ["kind": "JobFlow", "name": "jobflow-example"], "message": .string(message)]
        }
        snap.events += [event("JobCreated", "created Job flow-job1 for job1 (attempt 1)"),
                        event("JobCreated", "created Job flow-job3 for job3 (attempt 1)"),
                        event("JobSucceeded", "Job flow-job1 succeeded"),
                        event("Progress", "3 of 5 jobs succeeded")]
        var s = AppState(mode: .watch, width: 160, height: 48, now: Fixtures.now, snapshot: snap)
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "jobflow-example" }!
        s = run(s, [.key(.enter)]).0
        s.flowSelection = "job3"
        let ref = ResourceRef(kind: .jobFlow, namespace: "default", name: "jobflow-example")
        let lines = DetailsView.describeLines(run(s, keys("d")).0, ref, entry: "job3", glyphs: .ascii).map(\.0)
        #expect(lines.contains { $0.contains("created Job flow-job3") })
        #expect(lines.contains { $0.contains("3 of 5 jobs succeeded") })
        #expect(!lines.contains { $0.contains("flow-job1") }, "\(lines)")
        // The flow's own details keep every event.
        let all = DetailsView.describeLines(s, ref, entry: nil, glyphs: .ascii).map(\.0)
        #expect(all.contains { $0.contains("created Job flow-job1") })
    }
}
