import JobFlowAPI
import Kube
import Testing
@testable import TUI

@Suite struct TextOutputTests {
    @Test func treeGoldenUnicodeAndASCII() {
        let snap = Fixtures.snapshot()
        Golden.check(TextOutput.renderTree(snap, options: .init(now: Fixtures.now)), "get-tree-unicode")
        Golden.check(TextOutput.renderTree(snap, options: .init(ascii: true, now: Fixtures.now)), "get-tree-ascii")
    }

    @Test func plainUnlessColourAsked() {
        let snap = Fixtures.snapshot()
        let plain = TextOutput.renderTree(snap, options: .init(now: Fixtures.now))
        #expect(!plain.contains("\u{1b}"))
        let colored = TextOutput.renderTree(snap, options: .init(color: true, now: Fixtures.now))
        #expect(colored.contains("\u{1b}[31;1m"))
        // Only our own SGR sequences: hostile escapes never pass through.
        #expect(!colored.contains("\u{1b}]"))
        #expect(!colored.contains("\u{1b}[2J"))
    }

    @Test func listJSONAndYAML() {
        let snap = Fixtures.snapshot()
        let json = TextOutput.renderList(snap, yaml: false)
        #expect(json.hasPrefix("{\"apiVersion\":\"v1\""))
        #expect(TextOutput.renderList(snap, yaml: true).contains("kind: List"))
    }
}
