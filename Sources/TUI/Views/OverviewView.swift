/// The overview table: every JobFlow and DaemonJob with state, progress, age and duration.
/// Draws only the visible rows, so ten thousand objects cost the same per frame as twenty.
enum OverviewView {
    struct Columns {
        var state = 0, kind = 0, ns = 0, name = 0, progress = 0, age = 0, duration = 0, message = 0
        var stateW = 0, kindW = 0, nsW = 0, nameW = 0, progressW = 0, ageW = 6, durationW = 8, messageW = 0
    }

    /// The column layout. `showNamespace` is false when one namespace is watched: the header
    /// names it, and the width goes to NAME. Below 120 columns the progress bar is short and the
    /// NAMESPACE column only as wide as the longest namespace shown, so that names stay apart
    /// (`jobflow-example-error` vs `-template`); from 160 columns a MESSAGE column (the status
    /// message: what finished, what failed and why) takes what NAME does not need.
    static func columns(width: Int, glyphs: GlyphSet, showNamespace: Bool = true,
                        longestNamespace: Int = 24, longestName: Int = 0) -> Columns {
        var c = Columns()
        let narrow = width < 120
        c.stateW = DisplayWidth.of(glyphs.glyph(.succeeded)) + 1 + 11
        c.kindW = narrow ? 4 : 10
        c.progressW = narrow ? 11 : 20
        let rest = width - 2 - c.stateW - c.kindW - c.progressW - c.ageW - c.durationW - 6
        if showNamespace {
            c.nsW = narrow ? max(7, min(rest / 3, longestNamespace)) : max(8, min(24, rest / 3))
        }
        let nameAvail = max(8, rest - c.nsW + (showNamespace ? 0 : 1))
        c.nameW = nameAvail
        if width >= 160 {
            c.nameW = min(nameAvail - 21, max(32, longestName + 2))
            c.messageW = nameAvail - c.nameW - 1
        }
        c.state = 1
        c.kind = c.state + c.stateW + 1
        c.ns = c.kind + c.kindW + 1
        c.name = showNamespace ? c.ns + c.nsW + 1 : c.ns
        c.progress = c.name + c.nameW + 1
        c.age = c.progress + c.progressW + 1
        c.duration = c.age + c.ageW + 1
        c.message = c.duration + c.durationW + 1
        return c
    }

    static let pendingSuffix = " (request pending)"

    static func draw(_ c: inout Canvas, _ s: AppState) {
        let total = s.snapshot.jobFlows.count + s.snapshot.daemonJobs.count
        let shown = s.overviewRows.count
        ScreenView.title(&c, "JobFlows and DaemonJobs (\(shown == total ? "\(total)" : "\(shown) of \(total)"))\(c.g.separator)sort: \(s.sort.rawValue)")
        let start = s.overviewCursor.scroll
        let end = min(s.overviewRows.count, start + s.bodyHeight)
        var longestNS = 0, longestName = 0
        for i in start..<end {
            longestNS = max(longestNS, DisplayWidth.of(s.overviewRows[i].displayNamespace))
            let r = s.overviewRows[i]
            longestName = max(longestName, DisplayWidth.of(r.displayName) + (s.pending.contains { $0.target.ref == r.ref } ? pendingSuffix.count : 0))
        }
        let col = columns(width: c.width, glyphs: c.g, showNamespace: s.snapshot.namespace == nil,
                          longestNamespace: longestNS, longestName: longestName)
        let h = Style(.muted, bold: true)
        c.text("STATE", x: col.state, y: 2, width: col.stateW, style: h)
        c.text("KIND", x: col.kind, y: 2, width: col.kindW, style: h)
        // A column too narrow for the whole word says NS rather than a cut "NAMESP…".
        if col.nsW > 0 { c.text(col.nsW >= 9 ? "NAMESPACE" : "NS", x: col.ns, y: 2, width: col.nsW, style: h) }
        c.text("NAME", x: col.name, y: 2, width: col.nameW, style: h)
        c.text("PROGRESS", x: col.progress, y: 2, width: col.progressW, style: h)
        c.text("AGE", x: col.age, y: 2, width: col.ageW, style: h)
        c.text("DURATION", x: col.duration, y: 2, width: col.durationW, style: h)
        if col.messageW > 0 { c.text("MESSAGE", x: col.message, y: 2, width: col.messageW, style: h) }
        if s.overviewRows.isEmpty {
            c.text(s.filter(.overview).isEmpty ? "no JobFlows or DaemonJobs in \(s.namespace.map { "namespace " + Sanitizer.singleLine($0) } ?? "any namespace")"
                                               : "nothing matches the filter (Esc clears it)",
                   x: 2, y: Layout.bodyTop, style: .muted)
            return
        }
        for i in start..<end {
            let r = s.overviewRows[i]
            let y = Layout.bodyTop + i - start
            let sel = i == s.overviewCursor.selected
            let st: Style = sel ? .selected : .normal
            if sel { c.row(y, style: .selected) }
            c.phase(r.phase, x: col.state, y: y, width: col.stateW, selected: sel)
            let kind = col.kindW >= 9 ? r.ref.kind.rawValue : (r.ref.kind == .jobFlow ? "JF" : "DJ")
            c.text(kind, x: col.kind, y: y, width: col.kindW, style: st)
            if col.nsW > 0 { c.text(r.displayNamespace, x: col.ns, y: y, width: col.nsW, style: st) }
            var name = r.displayName
            if s.pending.contains(where: { $0.target.ref == r.ref }) { name += pendingSuffix }
            c.text(name, x: col.name, y: y, width: col.nameW, style: sel ? Style(.normal, bold: true, reverse: true) : Style(.normal, bold: true))
            c.progress(r.succeeded, r.total, x: col.progress, y: y, width: col.progressW, selected: sel)
            c.text(r.created.map { Time.short(s.now - $0) } ?? "", x: col.age, y: y, width: col.ageW, style: st)
            c.text(Time.duration(start: r.started, end: r.completed, now: s.now), x: col.duration, y: y, width: col.durationW, style: st)
            if col.messageW > 0 { c.text(r.message, x: col.message, y: y, width: col.messageW, style: sel ? .selected : .muted) }
        }
    }
}
