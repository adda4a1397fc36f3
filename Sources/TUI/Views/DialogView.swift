/// The confirmation dialog: a box in the middle naming the action and everything it affects.
enum DialogView {
    static func draw(_ c: inout Canvas, _ conf: Confirmation) {
        let ascii = c.g == .ascii
        let lines = [conf.title, ""] + conf.lines + ["", "y / Enter: \(conf.action == .retry ? "retry" : "cancel")    n / Esc: keep as is"]
        let inner = min(c.width - 6, max(40, lines.map(DisplayWidth.of).max() ?? 0))
        let w = inner + 4
        let h = lines.count + 2
        let x0 = (c.width - w) / 2, y0 = max(1, (c.height - h) / 2)
        let frame = Style(conf.action == .cancel ? .failed : .warning, bold: true)
        let (tl, tr, bl, br, hz, vt) = ascii ? ("+", "+", "+", "+", "-", "|") : ("┌", "┐", "└", "┘", "─", "│")
        c.grid.fill(x: x0, y: y0, width: w, height: h)
        c.text(tl + String(repeating: hz, count: w - 2) + tr, x: x0, y: y0, style: frame)
        for (i, l) in lines.enumerated() {
            let y = y0 + 1 + i
            c.text(vt, x: x0, y: y, style: frame)
            c.text(l, x: x0 + 2, y: y, width: inner, style: i == 0 ? Style(.normal, bold: true) : .normal)
            c.text(vt, x: x0 + w - 1, y: y, style: frame)
        }
        c.text(bl + String(repeating: hz, count: w - 2) + br, x: x0, y: y0 + h - 1, style: frame)
    }
}
