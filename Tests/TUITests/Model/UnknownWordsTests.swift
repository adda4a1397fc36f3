import JobFlowAPI
import Kube
import Testing
@testable import TUI

/// Status written by another version of the operator still displays: words this version does not
/// know keep their own spelling and the `?` glyph, never a default.
@Suite struct UnknownWordsTests {
    static let flow = Fixtures.flow("from-the-future", state: "Queued", jobs: [
        Fixtures.job("a", "Succeed", started: 60, done: 50),
        Fixtures.job("b", "Suspended", deps: ["a"], started: 40, reason: "PausedByUser"),
    ])

    @Test func unknownPhasesAndStatesShowTheirOwnWords() {
        let tree = FlowTree(object: Self.flow)
        let b = tree.entries[tree.index["b"]!]
        #expect(b.phase == .unknown("Suspended") && b.phase.word == "Suspended")
        #expect(b.status == .unknown("Suspended") && b.reason == "PausedByUser")
        #expect(GlyphSet.unicode.glyph(b.phase) == "?" && GlyphSet.ascii.glyph(b.phase) == "[??]")
        let row = FlowRow(kind: .jobFlow, object: Self.flow)
        #expect(row.phase.word == "Queued")
    }

    @Test func theGetTreeShowsThem() {
        var snapshot = Fixtures.snapshot()
        snapshot.jobFlows = [Self.flow]
        snapshot.daemonJobs = []
        let text = TextOutput.renderTree(snapshot, options: .init(ascii: true, now: Fixtures.now))
        #expect(text.contains("Queued"), "\(text)")
        #expect(text.contains("[??] b") && text.contains("Suspended"), "\(text)")
    }

    @Test func aHostileUnknownWordIsSanitisedAndShort() {
        let phase = Phase(EntryPhase(rawValue: "Evil\u{1b}[2J" + String(repeating: "x", count: 200)))
        #expect(!phase.word.contains("\u{1b}"))
        #expect(phase.word.count <= 24)
    }
}
