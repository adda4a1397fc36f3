import JobFlowAPI
import Testing
@testable import TUI

@Suite struct KeyMapTests {
    @Test func noKeyIsBoundTwiceInOneView() {
        for view in ViewKind.allCases {
            var seen: [Key: Action] = [:]
            for b in KeyMap.bindings(in: view) {
                for k in b.keys {
                    #expect(seen[k] == nil, "\(k) bound twice in \(view)")
                    seen[k] = b.action
                    #expect(KeyMap.action(for: k, in: view) == b.action)
                }
            }
        }
    }

    @Test func conventionalKeysArePresent() {
        let expected: [(Key, ViewKind, Action)] = [
            (.char("?"), .overview, .help), (.char("/"), .overview, .filter), (.char(":"), .flow, .command),
            (.char("q"), .overview, .quit), (.ctrl("c"), .logs, .forceQuit), (.char("j"), .flow, .down),
            (.char("k"), .flow, .up), (.pageDown, .logs, .pageDown), (.home, .overview, .top), (.end, .logs, .bottom),
            (.enter, .overview, .open), (.escape, .details, .back), (.char("l"), .flow, .logs),
            (.char("d"), .daemonJob, .describe), (.char("y"), .flow, .yaml), (.char("r"), .flow, .retry),
            (.char("c"), .daemonJob, .cancel), (.char("w"), .logs, .wrap), (.char("t"), .logs, .timestamps),
            (.char("s"), .logs, .follow),
        ]
        for (k, v, a) in expected { #expect(KeyMap.action(for: k, in: v) == a, "\(k) in \(v)") }
    }

    @Test func helpListsEveryBindingAndScrollIsBounded() {
        var s = run(Fixtures.state(width: 80, height: 24), keys("?")).0
        #expect(HelpView.lines(s).count == KeyMap.bindings.count)
        // At 80 columns the state glyph legend does not fit on one line: it ends the list.
        let rows = KeyMap.bindings.count + 2 + Phase.allCases.count
        #expect(HelpView.rowCount(s) == rows)
        s = run(s, Array(repeating: AppEvent.key(.down), count: 200)).0
        #expect(s.textScroll == max(0, rows - s.bodyHeight))
        let bottom = ScreenView.render(s, theme: Theme(glyphs: .ascii, colorMode: .monochrome)).text()
        #expect(bottom.contains("[~~] Skipped") && bottom.contains("an entry it depends on failed"), "\(bottom)")
        s = run(s, [.key(.up)]).0
        #expect(s.textScroll == max(0, rows - s.bodyHeight - 1))
        // At 160 columns it fits above the list.
        #expect(HelpView.rowCount(run(Fixtures.state(width: 160, height: 48), keys("?")).0) == KeyMap.bindings.count)
    }
}
