import JobFlowAPI
import Testing
@testable import TUI

@Suite struct SanitizerTests {
    @Test func plainASCIIUnchanged() {
        #expect(Sanitizer.sanitize("job-1 ok") == "job-1 ok")
    }

    @Test func csiSequencesRemoved() {
        #expect(Sanitizer.sanitize("a\u{1b}[2Jb\u{1b}[31;1mred\u{1b}[0m") == "abred")
        #expect(Sanitizer.sanitize("x\u{9b}2Jy") == "xy")        // C1 CSI
    }

    @Test func oscSequencesRemovedWhole() {
        // OSC 52 clipboard write, BEL-terminated and ST-terminated.
        #expect(Sanitizer.sanitize("a\u{1b}]52;c;ZXZpbA==\u{7}b") == "ab")
        #expect(Sanitizer.sanitize("a\u{1b}]52;c;ZXZpbA==\u{1b}\\b") == "ab")
        // OSC 8 hyperlink: the link target disappears, the visible text stays.
        #expect(Sanitizer.sanitize("\u{1b}]8;;http://evil\u{1b}\\click\u{1b}]8;;\u{1b}\\") == "click")
        #expect(Sanitizer.sanitize("a\u{9d}0;title\u{9c}b") == "ab")   // C1 OSC … ST
        #expect(Sanitizer.sanitize("a\u{1b}P+q\u{1b}\\b") == "ab")     // DCS
        #expect(Sanitizer.sanitize("a\u{1b}(Bb\u{1b}7c") == "abc")
    }

    @Test func controlsRemovedTabsBecomeSpaces() {
        #expect(Sanitizer.sanitize("a\u{0}b\u{7}c\u{8}d\u{7f}e\u{85}f") == "abcdef")
        #expect(Sanitizer.sanitize("a\tb") == "a b")
        #expect(Sanitizer.singleLine("a\nb\r\nc") == "a b c")
    }

    @Test func bidiAndZeroWidthRemoved() {
        #expect(Sanitizer.sanitize("evil\u{202E}gnp.exe") == "evilgnp.exe")
        #expect(Sanitizer.sanitize("\u{2066}a\u{2067}b\u{2068}c\u{2069}") == "abc")
        #expect(Sanitizer.sanitize("a\u{200B}b\u{200D}c\u{FEFF}d\u{2060}") == "abcd")
        #expect(Sanitizer.sanitize("👨\u{200D}👩") == "👨👩")
    }

    @Test func invalidUTF8Repaired() {
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xC3, 0x28, 0xE2, 0x82]
        let s = Sanitizer.sanitize(bytes: bytes)
        #expect(s == "a\u{FFFD}b\u{FFFD}(\u{FFFD}")
    }

    @Test func combiningMarksKeptButCapped() {
        #expect(Sanitizer.sanitize("e\u{301}") == "e\u{301}")
        #expect(Sanitizer.sanitize("\u{301}x") == "x")                       // no base
        let zalgo = "a" + String(repeating: "\u{336}", count: 20)
        #expect(Sanitizer.sanitize(zalgo).unicodeScalars.count == 1 + Sanitizer.maxCombining)
    }

    @Test func unicodeKept() {
        #expect(Sanitizer.sanitize("データ処理-🚀") == "データ処理-🚀")
    }
}

@Suite struct DisplayWidthTests {
    @Test func widths() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("日本") == 4)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("🚀") == 2)
        #expect(DisplayWidth.of("🇩🇪") == 2)
        #expect(DisplayWidth.of("✔●○") == 3)
        #expect(DisplayWidth.of("한글") == 4)
        #expect(DisplayWidth.of("ｆｕｌｌ") == 8)
    }

    @Test func truncateByWidth() {
        #expect(DisplayWidth.truncate("abcdef", to: 4) == "abc…")
        #expect(DisplayWidth.truncate("abc", to: 3) == "abc")
        #expect(DisplayWidth.truncate("日本語テキスト", to: 6) == "日本…")   // 4 + 1, never half a char
        #expect(DisplayWidth.truncate("日本語", to: 5, ellipsis: "~") == "日本~")
        #expect(DisplayWidth.truncate("éééé", to: 3) == "éé…")
        #expect(DisplayWidth.truncate("abc", to: 0) == "")
        #expect(DisplayWidth.of(DisplayWidth.fit("日本語", to: 5)) == 5)
    }

    @Test func wrapKeepsEverything() {
        let parts = DisplayWidth.wrap("日本語abc", to: 4)
        #expect(parts == ["日本", "語ab", "c"])
        #expect(parts.joined() == "日本語abc")
    }
}
