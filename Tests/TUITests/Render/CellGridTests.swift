import JobFlowAPI
import Testing
@testable import TUI

@Suite struct CellGridTests {
    @Test func putClipsAtEdgeAndMaxWidth() {
        var g = CellGrid(width: 5, height: 2)
        g.put("abcdefgh", x: 2, y: 0)
        g.put("xyz", x: 0, y: 1, maxWidth: 2)
        #expect(g.text() == "  abc\nxy")
    }

    @Test func wideCharactersTakeTwoCellsAndNeverStraddle() {
        var g = CellGrid(width: 5, height: 1)
        g.put("日本語", x: 0, y: 0)
        #expect(g[0, 0].text == "日" && g[1, 0].width == 0)
        #expect(g[4, 0].text == " ")          // 語 would straddle the edge
        g.put("x", x: 1, y: 0)                // overwriting the right half blanks the left
        #expect(g[0, 0].text == " " && g[1, 0].text == "x")
    }

    @Test func combiningJoinsBase() {
        var g = CellGrid(width: 3, height: 1)
        g.put("e\u{301}x", x: 0, y: 0)
        #expect(g[0, 0].text == "e\u{301}" && g[1, 0].text == "x")
    }

    @Test func diffProducesOnlyChangedRuns() {
        var a = CellGrid(width: 10, height: 2)
        a.put("hello", x: 0, y: 0)
        var b = a
        b.put("J", x: 0, y: 0)
        b.put("ok", x: 6, y: 1)
        let runs = b.diff(from: a)
        #expect(runs.count == 2)
        #expect(runs[0] == GridRun(x: 0, y: 0, cells: [Cell("J")]))
        #expect(runs[1].x == 6 && runs[1].y == 1 && runs[1].cells.map(\.text) == ["o", "k"])
        #expect(b.diff(from: b).isEmpty)
    }

    @Test func diffAfterResizeRedrawsAll() {
        let a = CellGrid(width: 4, height: 2)
        let b = CellGrid(width: 5, height: 2)
        #expect(b.diff(from: a).count == 2)
        #expect(b.diff(from: nil).allSatisfy { $0.cells.count == 5 })
    }

    @Test func diffIncludesWideLeftHalf() {
        var a = CellGrid(width: 4, height: 1)
        a.put("日x", x: 0, y: 0)
        var b = a
        b.put("本", x: 0, y: 0)
        let runs = b.diff(from: a)
        #expect(runs.count == 1 && runs[0].x == 0 && runs[0].cells.count == 2)
    }
}

@Suite struct ThemeTests {
    @Test func resolveHonoursNoColorAsciiAndLocale() {
        let t1 = Theme.resolve(ascii: false, noColor: false, environment: ["LANG": "en_US.UTF-8", "NO_COLOR": "1"], terminalColors: 256)
        #expect(t1.colorMode == .monochrome && t1.glyphs == .unicode)
        let t2 = Theme.resolve(ascii: false, noColor: false, environment: ["LANG": "C"], terminalColors: 8)
        #expect(t2.colorMode == .basic8 && t2.glyphs == .ascii)
        let t3 = Theme.resolve(ascii: true, noColor: true, environment: ["LANG": "C.UTF-8"], terminalColors: 256)
        #expect(t3.colorMode == .monochrome && t3.glyphs == .ascii)
        #expect(t3.foreground(.failed) == nil)
        #expect(Theme.resolve(ascii: false, noColor: false, environment: ["LC_ALL": "C.UTF-8", "TERM": "dumb"], terminalColors: 256).colorMode == .monochrome)
    }

    @Test func everyPhaseHasGlyphInBothSets() {
        for p in Phase.allCases {
            #expect(GlyphSet.unicode.phases[p] != nil)
            #expect((GlyphSet.ascii.phases[p] ?? "é").allSatisfy { $0.isASCII })
        }
    }
}
