import JobFlowAPI
import Kube
import Testing
@testable import TUI

/// Golden snapshots of every view at 80×24 and 160×48, Unicode and ASCII.
@Suite struct ViewGoldenTests {
    struct Variant: Sendable, CustomStringConvertible {
        var width: Int, height: Int, ascii: Bool
        var theme: Theme { ascii ? Theme(glyphs: .ascii, colorMode: .monochrome) : Theme(glyphs: .unicode, colorMode: .full256) }
        var suffix: String { "\(width)x\(height)-\(ascii ? "ascii" : "unicode")" }
        var description: String { suffix }
    }

    static let variants = [
        Variant(width: 80, height: 24, ascii: false), Variant(width: 80, height: 24, ascii: true),
        Variant(width: 160, height: 48, ascii: false), Variant(width: 160, height: 48, ascii: true),
    ]

    func state(_ v: Variant, mode: Mode = .operator) -> AppState {
        Fixtures.state(mode: mode, width: v.width, height: v.height)
    }

    func select(_ s: AppState, _ name: String) -> AppState {
        var s = s
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == name }!
        return s
    }

    func check(_ s: AppState, _ v: Variant, _ name: String) {
        let grid = ScreenView.render(s, theme: v.theme)
        #expect(grid.width == v.width && grid.height == v.height)
        Golden.check(grid.text(), "\(name)-\(v.suffix)")
    }

    @Test(arguments: variants) func overview(_ v: Variant) {
        check(state(v), v, "overview")
    }

    @Test(arguments: variants) func overviewWatchNoOperatorFailingWatch(_ v: Variant) {
        var s = state(v, mode: .watch)
        var snap = Fixtures.snapshot(lease: false, connection: .failing(message: "connection refused \u{1b}[31m", retryIn: 3))
        snap.namespace = nil
        s = run(s, [.snapshotChanged(snap)]).0
        check(s, v, "overview-watch")
    }

    @Test(arguments: variants) func flowTree(_ v: Variant) {
        let s = run(select(state(v), "jobflow-example"), [.key(.enter), .key(.down), .key(.down)]).0
        check(s, v, "flow-example")
    }

    @Test(arguments: variants) func flowFailedWithConfirmation(_ v: Variant) {
        let s = run(select(state(v), "etl-nightly"), [.key(.enter), .key(.down), .key(.char("r"))]).0
        #expect(s.confirmation != nil)
        check(s, v, "flow-confirm-retry")
    }

    @Test(arguments: variants) func flowHostileNames(_ v: Variant) {
        let s = run(select(state(v), Fixtures.hostileName), [.key(.enter)]).0
        check(s, v, "flow-hostile")
        let text = ScreenView.render(s, theme: v.theme).text()
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x202E || $0.value == 0x200B || (0x80..<0xA0).contains($0.value) })
    }

    @Test(arguments: variants) func flowCollapsed(_ v: Variant) {
        let s = run(select(state(v), "jobflow-example"), [.key(.enter), .key(.char(" "))]).0
        check(s, v, "flow-collapsed")
    }

    @Test(arguments: variants) func daemonJob(_ v: Variant) {
        let s = run(select(state(v), "node-audit"), [.key(.enter), .key(.down), .key(.down)]).0
        check(s, v, "daemonjob")
    }

    @Test(arguments: variants) func details(_ v: Variant) {
        let s = run(select(state(v), "jobflow-example"), [.key(.enter), .key(.down), .key(.down), .key(.down), .key(.char("d"))]).0
        check(s, v, "details")
    }

    @Test(arguments: variants) func yaml(_ v: Variant) {
        let s = run(select(state(v), "jobflow-example"), [.key(.enter), .key(.down), .key(.down), .key(.down), .key(.char("y"))]).0
        check(s, v, "yaml")
    }

    @Test(arguments: variants) func logs(_ v: Variant) {
        var s = run(select(state(v), Fixtures.hostileName), [.key(.enter), .key(.char("l"))]).0
        let lines = (1...60).map { "2026-11-25T03:59:\($0 % 60 < 10 ? "0" : "")\($0 % 60)Z line \($0) \u{1b}[2J\u{1b}]52;c;aGk=\u{7}ok" }
            + ["2026-11-25T04:00:00Z " + String(repeating: "long-日本語-", count: 40) + "END",
               "no timestamp \u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\ \u{202E}rev \u{FF}"]
        s = run(s, [.logLines(lines)]).0
        check(s, v, "logs")
        s = run(s, keys("wt")).0
        check(s, v, "logs-wrap-timestamps")
    }

    @Test(arguments: variants) func help(_ v: Variant) {
        let s = run(state(v, mode: .watch), keys("?")).0
        check(s, v, "help")
    }

    @Test(arguments: variants) func filterPrompt(_ v: Variant) {
        let s = run(state(v), keys("/job")).0
        check(s, v, "overview-filter")
    }

    @Test func tooSmall() {
        let s = Fixtures.state(width: 60, height: 20)
        Golden.check(ScreenView.render(s, theme: .unicode).text(), "too-small-60x20")
        Golden.check(ScreenView.render(s, theme: Theme(glyphs: .ascii, colorMode: .monochrome)).text(), "too-small-60x20-ascii")
    }
}

/// A 200-entry flow scrolled into the middle: deep guide lines compressed, selection in view.
@Suite struct LargeFlowGoldenTests {
    @Test(arguments: ViewGoldenTests.variants) func largeFlowScrolled(_ v: ViewGoldenTests.Variant) throws {
        var jobs: [(Kube.JSONValue, Kube.JSONValue)] = []
        for i in 0..<200 {
            let phase = i < 60 ? "Succeed" : (i < 64 ? "Running" : (i == 64 ? "Failed" : "Waiting"))
            jobs.append(Fixtures.job("step-\(i)", phase, deps: i == 0 ? [] : (i % 7 == 0 ? ["step-\(i / 2)", "step-\(i - 1)"] : ["step-\(i / 2)"]),
                                     started: phase == "Waiting" ? nil : 100, done: phase == "Succeed" || phase == "Failed" ? 50 : nil,
                                     pod: phase == "Waiting" ? "" : "big-step-\(i)", node: "node-\(i % 4)"))
        }
        var snap = Fixtures.snapshot()
        snap.jobFlows = [Fixtures.flow("big", ns: "perf", state: "Running", jobs: jobs)]
        var s = AppState(mode: .operator, width: v.width, height: v.height, now: Fixtures.now, snapshot: snap)
        snap.daemonJobs = []
        s = AppState(mode: .operator, width: v.width, height: v.height, now: Fixtures.now, snapshot: snap)
        s = run(s, [.key(.enter)] + Array(repeating: AppEvent.key(.pageDown), count: 3) + [.key(.down)]).0
        let grid = ScreenView.render(s, theme: v.theme)
        // The selected row is on screen.
        let sel = try #require(s.flowRows().firstIndex { $0.entry == s.selectedEntry })
        #expect(sel >= s.flowScroll && sel < s.flowScroll + s.bodyHeight)
        Golden.check(grid.text(), "flow-large-\(v.suffix)")
    }
}
