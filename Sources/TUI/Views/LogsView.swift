/// A pod's log: newest at the bottom when following, wrap and timestamps toggles. Draws only the
/// lines that fit, walking back from the bottom line.
enum LogsView {
    static func draw(_ c: inout Canvas, _ s: AppState, pod: String, container: String?, title: String) {
        let onOff = { (b: Bool) in b ? "on" : "off" }
        let where_ = "pod \(Sanitizer.singleLine(pod))" + (container.map { ", container \(Sanitizer.singleLine($0))" } ?? "")
        ScreenView.title(&c, "Logs \(title) (\(where_))")
        var info = "follow \(onOff(s.logFollow))\(c.g.separator)wrap \(onOff(s.logWrap))\(c.g.separator)timestamps \(onOff(s.logTimestamps))\(c.g.separator)\(s.logs.count) line\(s.logs.count == 1 ? "" : "s")"
        if s.logs.dropped > 0 { info += " (\(s.logs.dropped) older dropped)" }
        if s.logColumn > 0 && !s.logWrap { info += "\(c.g.separator)from column \(s.logColumn + 1)" }
        if let st = s.logStatus { info += c.g.separator + st }
        c.text(info, x: 1, y: 2, style: .muted)
        let f = s.filter(.logs).lowercased()
        let width = c.width - 2
        let h = s.bodyHeight
        guard s.logs.count > 0 else {
            // Once the stream ended, nothing more is coming: say so instead of "waiting".
            c.text(s.logStatus == nil ? "waiting for log lines…" : "the log is empty", x: 2, y: Layout.bodyTop, style: .muted)
            return
        }
        var i = s.logFollow ? s.logs.count - 1 : min(s.logBottom, s.logs.count - 1)
        var rows: [String] = []
        while i >= 0 && rows.count < h {
            let line = s.logs[i]
            i -= 1
            if !f.isEmpty && !line.text.lowercased().contains(f) { continue }
            let text = s.logTimestamps && !line.timestamp.isEmpty ? line.timestamp + " " + line.text : line.text
            if s.logWrap {
                let parts = DisplayWidth.wrap(text, to: width)
                for p in parts.reversed() where rows.count < h { rows.append(p) }
            } else {
                rows.append(s.logColumn > 0 ? dropColumns(text, s.logColumn) : text)
            }
        }
        for (k, r) in rows.reversed().enumerated() {
            let y = Layout.bodyTop + k
            c.text(r, x: 1, y: y, width: width)
        }
    }

    /// The text without its first `columns` display columns (a wide character cut in half goes).
    static func dropColumns(_ text: String, _ columns: Int) -> String {
        var used = 0
        var idx = text.startIndex
        while idx < text.endIndex && used < columns {
            used += DisplayWidth.of(text[idx])
            idx = text.index(after: idx)
        }
        return String(text[idx...])
    }
}
