/// The logs key's container list: a small box in the middle, init containers marked, the
/// selection in reverse video.
enum PickerView {
    static func draw(_ c: inout Canvas, _ p: ContainerPicker) {
        let ascii = c.g == .ascii
        let title = "Logs of which container? (pod \(Sanitizer.singleLine(p.pod)))"
        let labels = p.choices.map { $0.displayName + ($0.isInit ? "  (init)" : "") }
        // At most as many rows as fit; the list scrolls to keep the selection visible.
        let maxRows = max(1, c.height - 10)
        let first = max(0, min(p.selected - maxRows + 1, p.choices.count - maxRows))
        let shown = Array(labels.indices.dropFirst(first).prefix(maxRows))
        let inner = min(c.width - 6, max(40, DisplayWidth.of(title), (labels.map(DisplayWidth.of).max() ?? 0) + 4))
        let w = inner + 4, h = shown.count + 4
        let x0 = (c.width - w) / 2, y0 = max(1, (c.height - h) / 2)
        let frame = Style(.accent, bold: true)
        let (tl, tr, bl, br, hz, vt) = ascii ? ("+", "+", "+", "+", "-", "|") : ("┌", "┐", "└", "┘", "─", "│")
        c.grid.fill(x: x0, y: y0, width: w, height: h)
        c.text(tl + String(repeating: hz, count: w - 2) + tr, x: x0, y: y0, style: frame)
        for y in (y0 + 1)..<(y0 + h - 1) {
            c.text(vt, x: x0, y: y, style: frame)
            c.text(vt, x: x0 + w - 1, y: y, style: frame)
        }
        c.text(title, x: x0 + 2, y: y0 + 1, width: inner, style: Style(.normal, bold: true))
        for (k, i) in shown.enumerated() {
            let y = y0 + 3 + k
            let sel = i == p.selected
            if sel { c.grid.fill(x: x0 + 1, y: y, width: w - 2, style: .selected) }
            c.text((sel ? (ascii ? "> " : "› ") : "  ") + labels[i], x: x0 + 2, y: y, width: inner,
                   style: sel ? .selected : (p.choices[i].isInit ? .muted : .normal))
        }
        c.text(bl + String(repeating: hz, count: w - 2) + br, x: x0, y: y0 + h - 1, style: frame)
    }
}
