/// A DaemonJob: one row per node (node, state, duration, Job, exit), then the skipped nodes with
/// their reasons.
enum DaemonJobView {
    static func draw(_ c: inout Canvas, _ s: AppState, _ ref: ResourceRef) {
        guard let model = s.daemonJobModel, let row = s.overview.row(ref) else {
            ScreenView.title(&c, "DaemonJob \(Sanitizer.singleLine(ref.namespace))/\(Sanitizer.singleLine(ref.name))")
            c.text("this DaemonJob no longer exists (Esc goes back)", x: 2, y: Layout.bodyTop, style: .warning)
            return
        }
        FlowView.objectTitle(&c, s, row)
        let wide = c.width >= 120
        // NODE and JOB are as wide as the longest name shown (NODE at most 14 or 24 columns); JOB
        // takes up to 22 or 40, and more while EXIT / REASON keeps 16, so that the Job names a
        // user copies into kubectl are whole whenever the screen allows.
        let shown = s.nodeRows().dropFirst(s.nodeCursor.scroll).prefix(s.bodyHeight)
        let jobNames = shown.map { DisplayWidth.of($0.jobName) }
        let nodeNames = shown.map { DisplayWidth.of($0.displayNode) } + model.skipped.map { DisplayWidth.of($0.node) }
        let nodeW = min(wide ? 24 : 14, max(4, nodeNames.max() ?? 0))
        let stateW = DisplayWidth.of(c.g.glyph(.succeeded)) + 1 + 11, durW = 8
        let xNode = 1, xState = xNode + nodeW + 1, xDur = xState + stateW + 1, xJob = xDur + durW + 1
        let jobW = min(max(wide ? 40 : 22, c.width - xJob - 1 - 16 - 1), max(3, jobNames.max() ?? 0))
        let xExit = xJob + jobW + 1
        FlowView.summary(&c, model.summary(), total: model.nodes.count, noun: model.nodes.count == 1 ? "node" : "nodes", y: 2,
                         trailer: "\(c.g.separator)\(model.skipped.count) skipped")
        // Column headers take the first body row; the list scrolls below them.
        let head = Style(.muted, bold: true)
        let top = Layout.bodyTop
        c.text("NODE", x: xNode, y: top, width: nodeW, style: head)
        c.text("STATE", x: xState, y: top, style: head)
        c.text("DURATION", x: xDur, y: top, style: head)
        c.text("JOB", x: xJob, y: top, style: head)
        c.text("EXIT / REASON", x: xExit, y: top, style: head)
        let rows = s.nodeRows()
        // Lines: node rows, a blank, "skipped nodes" heading, skipped rows.
        var lines: [Line] = rows.enumerated().map { .node($0.offset, $0.element) }
        if !model.skipped.isEmpty {
            lines.append(.heading("skipped nodes (\(model.skipped.count)):"))
            lines += model.skipped.map { .skipped($0) }
        }
        if rows.isEmpty && model.skipped.isEmpty {
            c.text(s.filter(.daemonJob).isEmpty ? "no nodes yet" : "nothing matches the filter (Esc clears it)", x: 2, y: top + 1, style: .muted)
            return
        }
        for (k, line) in lines.dropFirst(s.nodeCursor.scroll).prefix(s.bodyHeight - 1).enumerated() {
            let y = top + 1 + k
            switch line {
            case .node(let i, let n):
                let sel = i == s.nodeCursor.selected
                let st: Style = sel ? .selected : .normal
                if sel { c.row(y, style: .selected) }
                c.text(n.displayNode, x: xNode, y: y, width: nodeW, style: sel ? Style(.normal, bold: true, reverse: true) : Style(.normal, bold: true))
                c.phase(n.phase, x: xState, y: y, width: stateW, selected: sel)
                c.text(Time.duration(start: n.started, end: n.completed, now: s.now), x: xDur, y: y, width: durW, style: st)
                c.text(n.jobName, x: xJob, y: y, width: jobW, style: st)
                var exit: [String] = []
                // The message often says "exit code N" already: do not say it twice.
                if let code = n.exitCode, !n.message.contains("exit code \(code)") { exit.append("exit \(code)") }
                if !n.reason.isEmpty { exit.append(n.reason) }
                if !n.message.isEmpty { exit.append(n.message) }
                if n.attempts > 1 { exit.append("attempt \(n.attempts)") }
                var text = exit.joined(separator: "; ")
                if let p = s.pendingRequest(ref, entry: n.node) { text = "[\(p.action == .retry ? "retry" : "cancel") pending] " + text }
                c.text(text, x: xExit, y: y, width: c.width - xExit - 1, style: sel ? .selected : .muted)
            case .heading(let t):
                c.text(t, x: 1, y: y, style: Style(.muted, bold: true))
            case .skipped(let sk):
                c.text(sk.node, x: xNode, y: y, width: nodeW, style: .muted)
                c.text("\(c.g.glyph(.skipped)) \(sk.reason.isEmpty ? "skipped" : sk.reason)", x: xState, y: y, style: .muted)
            }
        }
    }

    enum Line {
        case node(Int, NodeRow)
        case heading(String)
        case skipped(SkippedNodeRow)
    }
}
