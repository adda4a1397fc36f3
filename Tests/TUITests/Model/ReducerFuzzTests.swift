import JobFlowAPI
import Testing
@testable import TUI

/// Deterministic random key sequences through reduce + render: nothing traps, read-only mode
/// never emits a write, and the selection always stays on screen.
@Suite struct ReducerFuzzTests {
    struct LCG {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let alphabet: [AppEvent] = {
        var keys: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape, .backspace, .tab]
        keys += "jkgGrcldysfwthL?/: xnq".map { Key.char($0) }
        var events = keys.map { AppEvent.key($0) }
        events += [.resized(width: 80, height: 24), .resized(width: 160, height: 48), .resized(width: 50, height: 10),
                   .logLines(["x\u{1b}[2Jy", "2026-11-25T04:00:00Z 日本語"]), .tick(now: Fixtures.now + 5),
                   .snapshotChanged(Fixtures.snapshot()), .snapshotChanged(Fixtures.snapshot(lease: false, connection: .failing(message: "boom", retryIn: 3))),
                   .effectFailed("nope")]
        return events
    }()

    @Test(arguments: [Mode.watch, Mode.operator], [UInt64(1), 2, 3])
    func randomSessions(mode: Mode, seed: UInt64) {
        var rng = LCG(state: seed)
        var s = Fixtures.state(mode: mode)
        for _ in 0..<500 {
            let e = Self.alphabet[rng.next(Self.alphabet.count)]
            let (next, effects) = reduce(s, e)
            s = next
            if effects.contains(.quit) { s = Fixtures.state(mode: mode) }
            if mode == .watch {
                #expect(!effects.contains { if case .requestRetry = $0 { true } else if case .requestCancel = $0 { true } else { false } })
            }
            let grid = ScreenView.render(s, theme: rng.next(2) == 0 ? .unicode : Theme(glyphs: .ascii, colorMode: .monochrome))
            #expect(grid.width == s.width && grid.height == s.height)
            if s.screen.kind == .overview && !s.overviewRows.isEmpty {
                #expect(s.overviewCursor.selected >= s.overviewCursor.scroll && s.overviewCursor.selected < s.overviewCursor.scroll + s.bodyHeight)
            }
        }
    }
}
