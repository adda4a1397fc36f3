import Foundation
import JobFlowAPI
import Kube
import Testing

@Suite struct VocabularyTests {
    @Test func knownWordsRoundTripAndAreCanonical() {
        for phase in EntryPhase.known {
            #expect(EntryPhase(rawValue: phase.rawValue) == phase)
            #expect(phase.isKnown)
        }
        for state in FlowState.known { #expect(FlowState(rawValue: state.rawValue) == state) }
        for reason in EntryReason.known { #expect(EntryReason(rawValue: reason.rawValue) == reason) }
        for reason in EventReason.known { #expect(EventReason(rawValue: reason.rawValue) == reason) }
        // A skip reason is also an entry reason: the node's waiting reason reads back as the same case.
        #expect(EntryReason(rawValue: "NotReady") == .nodeNotEligible(.notReady))
    }

    @Test func everyKnownWordIsSpelledOnce() {
        func unique<W: WireWord>(_ type: W.Type) -> Bool { Set(W.known.map(\.rawValue)).count == W.known.count }
        #expect(unique(EntryPhase.self) && unique(FlowState.self) && unique(EntryReason.self) && unique(SkipReason.self))
        #expect(unique(EventReason.self) && unique(FindingReason.self) && unique(ConditionType.self) && unique(ConditionReason.self))
    }

    @Test func wordsFromAnotherVersionDecodeAsUnknownAndSurviveARoundTrip() {
        #expect(EntryPhase(rawValue: "Suspended") == .unknown("Suspended"))
        #expect(!EntryPhase(rawValue: "Suspended").isKnown)
        #expect(FlowState(rawValue: "Queued").rawValue == "Queued")
        // A Kubernetes reason passed through from a Job is kept as written.
        #expect(EntryReason(rawValue: "BackoffLimitExceeded").rawValue == "BackoffLimitExceeded")

        let stored: JSONValue = [
            "state": "Queued", "progress": "0/1", "message": "",
            "jobs": [["name": "a", "jobName": "f-a", "phase": "Suspended", "reason": "PausedByUser", "attempts": 1]],
            "conditions": [["type": "Admitted", "status": "Unknown", "reason": "QuotaPending", "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"]],
        ]
        let status = JobFlowStatus(json: stored)
        #expect(status.state == .unknown("Queued"))
        #expect(status.jobs[0].phase == .unknown("Suspended"))
        #expect(status.jobs[0].reason == .unknown("PausedByUser"))
        #expect(status.conditions[0].type == .unknown("Admitted") && status.conditions[0].status == .undetermined)
        // Nothing is turned into a default on the way back.
        #expect(status.json["state"] == "Queued")
        #expect(status.json["jobs"]?[0]?["phase"] == "Suspended")
        #expect(status.json["conditions"]?[0]?["status"] == "Unknown")
    }

    @Test func codableMatchesTheWireForm() throws {
        let encoded = try JSONEncoder().encode([EntryPhase.succeed, .unknown("Suspended")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["Succeed","Suspended"]"#)
        let decoded = try JSONDecoder().decode([FlowState].self, from: Data(#"["Running","Queued"]"#.utf8))
        #expect(decoded == [.running, .unknown("Queued")])
    }
}
