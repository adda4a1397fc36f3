/// A JobFlow as a live tree: one line per entry with guide lines, state, duration, node, pod, and
/// for entries that have not started yet why they wait. Draws only the visible rows.
enum FlowView {
    static func draw(_ c: inout Canvas, _ s: AppState, _ ref: ResourceRef) {
        guard let tree = s.flowTree, let row = s.overview.row(ref) else {
            ScreenView.title(&c, "JobFlow \(Sanitizer.singleLine(ref.namespace))/\(Sanitizer.singleLine(ref.name))")
            c.text("this JobFlow no longer exists (Esc goes back)", x: 2, y: Layout.bodyTop, style: .warning)
            return
        }
        objectTitle(&c, s, row)
        summary(&c, tree.summary(), total: tree.entries.count, noun: tree.entries.count == 1 ? "entry" : "entries", y: 2)
        let rows = s.flowRows()
        if rows.isEmpty {
            c.text(tree.entries.isEmpty ? "no entries" : "nothing matches the filter (Esc clears it)", x: 2, y: Layout.bodyTop, style: .muted)
            return
        }
        let wide = c.width >= 120
        let sel = s.selectedEntry
        let filtering = !s.filter(.flow).isEmpty
        let maxTreeW = wide ? 48 : 30
        // Guide lines may use at most this much, so that names keep at least 10 columns.
        let maxPrefix = maxTreeW - 2 - DisplayWidth.of(c.g.glyph(.succeeded)) - 1 - 10
        var treeW = 4
        let visible = s.flowScroll..<min(rows.count, s.flowScroll + s.bodyHeight)
        for i in visible {
            let r = rows[i]
            treeW = max(treeW, DisplayWidth.of(filtering ? "" : rows.prefix(i, glyphs: c.g, maxWidth: maxPrefix)) + 2 + DisplayWidth.of(c.g.glyph(.succeeded)) + 1
                        + DisplayWidth.of(tree.entries[r.entry].displayName))
        }
        treeW = min(treeW, maxTreeW)
        let stateW = 11, durW = 7, nodeW = wide ? 14 : 10, podW = wide ? 32 : 0
        let xState = 1 + treeW + 1, xDur = xState + stateW + 1, xNode = xDur + durW + 1
        let xPod = xNode + nodeW + 1, xInfo = xPod + (wide ? podW + 1 : 0)
        for (k, ri) in visible.enumerated() {
            let r = rows[ri]
            let y = Layout.bodyTop + k
            let e = tree.entries[r.entry]
            let isSel = r.entry == sel
            let st: Style = isSel ? .selected : .normal
            if isSel { c.row(y, style: .selected) }
            var x = 1
            if !filtering { x = c.text(rows.prefix(ri, glyphs: c.g, maxWidth: maxPrefix), x: x, y: y, width: treeW, style: isSel ? .selected : Style(.border, dim: true)) }
            let marker = r.hasChildren ? (r.isCollapsed ? c.g.collapsed : c.g.expanded) : c.g.leaf
            x = c.text(marker + " ", x: x, y: y, width: 1 + treeW - x, style: st)
            var ps = Theme.style(e.phase)
            if isSel { ps.reverse = true }
            x = c.text(c.g.glyph(e.phase) + " ", x: x, y: y, width: 1 + treeW - x, style: ps)
            c.text(e.displayName, x: x, y: y, width: 1 + treeW - x, style: isSel ? Style(.normal, bold: true, reverse: true) : Style(.normal, bold: true))
            c.text(e.phase.word, x: xState, y: y, width: stateW, style: ps)
            c.text(Time.duration(start: e.started, end: e.completed, now: s.now), x: xDur, y: y, width: durW, style: st)
            c.text(e.nodeName, x: xNode, y: y, width: nodeW, style: st)
            if wide { c.text(e.podName, x: xPod, y: y, width: podW, style: isSel ? .selected : .muted) }
            var info = info(tree, r.entry, glyphs: c.g)
            if !wide && info.isEmpty { info = e.podName }
            if r.isCollapsed { info = "(\(countBelow(tree, r.entry)) hidden) " + info }
            if s.pendingRequest(ref, entry: e.name) != nil {
                let p = s.pendingRequest(ref, entry: e.name)!
                info = "[\(p.action == .retry ? "retry" : "cancel") pending] " + info
            }
            let infoX = wide ? xInfo : xPod
            c.text(info, x: infoX, y: y, width: c.width - infoX - 1, style: isSel ? .selected : Style(e.phase.isNotStarted || e.phase == .skipped ? .pending : .muted))
        }
    }

    /// "needs job2 ✔ job4 ●" plus the wait reason, or the failure message.
    static func info(_ tree: FlowTree, _ i: Int, glyphs: GlyphSet) -> String {
        let e = tree.entries[i]
        var parts: [String] = []
        let needs = tree.otherNeeds(i)
        if !needs.isEmpty { parts.append("needs " + needs.map { "\($0.name) \(glyphs.glyph($0.phase))" }.joined(separator: " ")) }
        let why = tree.waitReason(i)
        if !why.isEmpty { parts.append(why) }
        if e.phase == .failed {
            var f = e.reason
            if !e.message.isEmpty { f += (f.isEmpty ? "" : ": ") + e.message }
            if let code = e.exitCode, !f.contains("exit code") { f += (f.isEmpty ? "" : ", ") + "exit code \(code)" }
            if !f.isEmpty { parts.append(f) }
        }
        if e.attempts > 1 { parts.append("attempt \(e.attempts)") }
        return parts.joined(separator: "; ")
    }

    static func countBelow(_ tree: FlowTree, _ i: Int) -> Int {
        var n = 0
        var stack = tree.children[i]
        while let j = stack.popLast() { n += 1; stack += tree.children[j] }
        return n
    }

    /// Title row shared by the flow and DaemonJob views.
    static func objectTitle(_ c: inout Canvas, _ s: AppState, _ row: FlowRow) {
        var x = c.text("\(row.ref.kind.rawValue) \(row.displayNamespace)/\(row.displayName)", x: 1, y: 1,
                       width: c.width / 2, style: Style(.accent, bold: true))
        x = c.phase(row.phase, x: x + 2, y: 1, width: 14)
        c.progress(row.succeeded, row.total, x: x + 2, y: 1, width: 16, selected: false)
        x += 2 + 16 + 1
        x = c.text(Time.duration(start: row.started, end: row.completed, now: s.now), x: x, y: 1, width: 8)
        if !row.message.isEmpty { c.text(row.message, x: x + 2, y: 1, width: c.width - x - 3, style: .muted) }
    }

    /// "5 entries: 1 ● Running · 1 ◷ Waiting · 3 ✔ Succeed".
    static func summary(_ c: inout Canvas, _ counts: [(Phase, Int)], total: Int, noun: String, y: Int, trailer: String = "") {
        var x = c.text("\(total) \(noun): ", x: 1, y: y, style: .muted)
        for (k, (p, n)) in counts.enumerated() {
            if k > 0 { x = c.text(c.g.separator, x: x, y: y, style: .muted) }
            x = c.text("\(n) \(c.g.glyph(p)) \(p.word)", x: x, y: y, style: Theme.style(p))
        }
        if !trailer.isEmpty { c.text(trailer, x: x, y: y, style: .muted) }
    }
}
