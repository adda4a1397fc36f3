/// The overview table: every JobFlow and DaemonJob with state, progress, age and duration.
/// Draws only the visible rows, so ten thousand objects cost the same per frame as twenty.
enum OverviewView {
    struct Columns {
        var state = 0, kind = 0, ns = 0, name = 0, progress = 0, age = 0, duration = 0
        var stateW = 0, kindW = 0, nsW = 0, nameW = 0, progressW = 0, ageW = 6, durationW = 8
    }

    /// The column layout. `showNamespace` is false when one namespace is watched: the header
    /// names it, and the width goes to NAME (at 80 columns that is what keeps names apart).
    static func columns(width: Int, glyphs: GlyphSet, showNamespace: Bool = true) -> Columns {
        var c = Columns()
        c.stateW = DisplayWidth.of(glyphs.glyph(.succeeded)) + 1 + 11
        c.kindW = width >= 120 ? 10 : 4
        c.progressW = width >= 120 ? 20 : 15
        let rest = width - 2 - c.stateW - c.kindW - c.progressW - c.ageW - c.durationW - 6
        c.nsW = showNamespace ? max(8, min(24, rest / 3)) : 0
        c.nameW = max(8, rest - c.nsW + (showNamespace ? 0 : 1))
        c.state = 1
        c.kind = c.state + c.stateW + 1
        c.ns = c.kind + c.kindW + 1
        c.name = showNamespace ? c.ns + c.nsW + 1 : c.ns
        c.progress = c.name + c.nameW + 1
        c.age = c.progress + c.progressW + 1
        c.duration = c.age + c.ageW + 1
        return c
    }

    static func draw(_ c: inout Canvas, _ s: AppState) {
        let total = s.snapshot.jobFlows.count + s.snapshot.daemonJobs.count
        let shown = s.overviewRows.count
        ScreenView.title(&c, "JobFlows and DaemonJobs (\(shown == total ? "\(total)" : "\(shown) of \(total)"))\(c.g.separator)sort: \(s.sort.rawValue)")
        let col = columns(width: c.width, glyphs: c.g, showNamespace: s.snapshot.namespace == nil)
        let h = Style(.muted, bold: true)
        c.text("STATE", x: col.state, y: 2, width: col.stateW, style: h)
        c.text("KIND", x: col.kind, y: 2, width: col.kindW, style: h)
        if col.nsW > 0 { c.text("NAMESPACE", x: col.ns, y: 2, width: col.nsW, style: h) }
        c.text("NAME", x: col.name, y: 2, width: col.nameW, style: h)
        c.text("PROGRESS", x: col.progress, y: 2, width: col.progressW, style: h)
        c.text("AGE", x: col.age, y: 2, width: col.ageW, style: h)
        c.text("DURATION", x: col.duration, y: 2, width: col.durationW, style: h)
        if s.overviewRows.isEmpty {
            c.text(s.filter(.overview).isEmpty ? "no JobFlows or DaemonJobs in \(s.namespace.map { "namespace " + Sanitizer.singleLine($0) } ?? "any namespace")"
                                               : "nothing matches the filter (Esc clears it)",
                   x: 2, y: Layout.bodyTop, style: .muted)
            return
        }
        let start = s.overviewCursor.scroll
        let end = min(s.overviewRows.count, start + s.bodyHeight)
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
            if s.pendingRequest(r.ref, entry: "*") != nil || s.pending.contains(where: { $0.target.ref == r.ref }) {
                name += " (request pending)"
            }
            c.text(name, x: col.name, y: y, width: col.nameW, style: sel ? Style(.normal, bold: true, reverse: true) : Style(.normal, bold: true))
            c.progress(r.succeeded, r.total, x: col.progress, y: y, width: col.progressW, selected: sel)
            c.text(r.created.map { Time.short(s.now - $0) } ?? "", x: col.age, y: y, width: col.ageW, style: st)
            c.text(Time.duration(start: r.started, end: r.completed, now: s.now), x: col.duration, y: y, width: col.durationW, style: st)
        }
    }
}
