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

    /// What each state glyph means (the legend).
    static func meaning(_ p: Phase) -> String {
        switch p {
        case .waiting: "not started: waits for its dependencies"
        case .pending: "Job created, pod not running yet"
        case .running: "running"
        case .terminating: "being stopped"
        case .succeeded: "finished successfully"
        case .failed: "failed (the reason and exit code are shown)"
        case .cancelled: "cancelled by a request"
        case .skipped: "not run: an entry it depends on failed or was cancelled"
        case .unknown: "no state reported"
        }
    }

    static func legend(_ g: GlyphSet) -> String {
        "glyphs: " + Phase.allCases.map { "\(g.glyph($0)) \($0.word)" }.joined(separator: "  ")
    }

    /// The one-line legend fits above the list (decided with the wider ASCII glyphs, so that the
    /// reducer, which knows no theme, scrolls over the same rows); otherwise it ends the list.
    static func legendFits(_ s: AppState) -> Bool { DisplayWidth.of(legend(.ascii)) <= s.width - 2 }

    /// Rows of the list: the key bindings, then, when the legend does not fit above, a heading
    /// and one row per state.
    static func rowCount(_ s: AppState) -> Int {
        lines(s).count + (legendFits(s) ? 0 : Phase.allCases.count + 2)
    }

    static func draw(_ c: inout Canvas, _ s: AppState) {
        ScreenView.title(&c, "Help — keys (bold: available in the view you came from)")
        let fits = legendFits(s)
        c.text(fits ? legend(c.g) : "state glyphs: at the end of this list (End)", x: 1, y: 2, style: .muted)
        let keys = lines(s)
        let first = min(s.textScroll, max(0, rowCount(s) - s.bodyHeight))
        for k in 0..<s.bodyHeight {
            let i = first + k, y = Layout.bodyTop + k
            if i < keys.count {
                let l = keys[i]
                c.text(l.0, x: 2, y: y, width: 16, style: Style(.accent, bold: l.2))
                c.text(l.1, x: 19, y: y, width: c.width - 20, style: l.2 ? .normal : .muted)
            } else if !fits, i == keys.count + 1 {
                c.text("State glyphs", x: 2, y: y, style: Style(.accent, bold: true))
            } else if !fits, i >= keys.count + 2, i < keys.count + 2 + Phase.allCases.count {
                let p = Phase.allCases[i - keys.count - 2]
                c.phase(p, x: 2, y: y, width: 16)
                c.text(meaning(p), x: 19, y: y, width: c.width - 20)
            }
        }
    }
}
