/// Help generated from the key table that drives key handling (one source of truth).
enum HelpView {
    static func lines(_ s: AppState) -> [(String, String, Bool)] {
        var out: [(String, String, Bool)] = []
        let under = s.stack.dropLast().last?.kind ?? .overview
        for b in KeyMap.bindings {
            let keys = b.keys.map(\.label).joined(separator: " ")
            var desc = b.description
            if b.action.isMutating && s.mode.isReadOnly { desc += " — unavailable: read-only (watch mode)" }
            let views = b.views.count == ViewKind.allCases.count ? "everywhere"
                : ViewKind.allCases.filter(b.views.contains).map(\.rawValue).joined(separator: ", ")
            out.append((keys, "\(desc)  [\(views)]", b.views.contains(under)))
        }
        return out
    }

    static func draw(_ c: inout Canvas, _ s: AppState) {
        ScreenView.title(&c, "Help — keys (bold: available in the view you came from)")
        c.text("glyphs: " + Phase.allCases.map { "\(c.g.glyph($0)) \($0.word)" }.joined(separator: "  "), x: 1, y: 2, style: .muted)
        let all = lines(s)
        for (k, l) in all.dropFirst(min(s.textScroll, max(0, all.count - s.bodyHeight))).prefix(s.bodyHeight).enumerated() {
            let y = Layout.bodyTop + k
            c.text(l.0, x: 2, y: y, width: 16, style: Style(.accent, bold: l.2))
            c.text(l.1, x: 19, y: y, width: c.width - 20, style: l.2 ? .normal : .muted)
        }
    }
}
