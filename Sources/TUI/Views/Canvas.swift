/// Drawing helpers over a grid for one theme: text cut with the theme's ellipsis, bars, glyphs.
struct Canvas {
    var grid: CellGrid
    let theme: Theme

    init(width: Int, height: Int, theme: Theme) {
        grid = CellGrid(width: width, height: height)
        self.theme = theme
    }

    var g: GlyphSet { theme.glyphs }
    var width: Int { grid.width }
    var height: Int { grid.height }

    /// Writes sanitised `text` at (x, y) cut to `width` columns with an ellipsis; returns the next column.
    @discardableResult
    mutating func text(_ text: String, x: Int, y: Int, width: Int? = nil, style: Style = .normal) -> Int {
        let w = min(width ?? (grid.width - x), grid.width - x)
        guard w > 0 else { return x }
        let text = g == .ascii ? Canvas.asciiUI(text) : text
        return grid.put(DisplayWidth.truncate(text, to: w, ellipsis: g.ellipsis), x: x, y: y, style: style)
    }

    /// The UI's own non-ASCII punctuation spelled in ASCII (cluster text is left as it is).
    static func asciiUI(_ text: String) -> String {
        if Sanitizer.isPlainASCII(text) { return text }
        var out = ""
        for ch in text {
            switch ch {
            case "…": out += "..."
            case "—": out += "-"
            case "×": out += "x"
            case "›": out += ">"
            case "↑": out += "Up"
            case "↓": out += "Down"
            case "←": out += "Left"
            case "→": out += "Right"
            case "·": out += "|"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Glyph and word of a phase, e.g. "✔ Succeed"; returns the next column.
    @discardableResult
    mutating func phase(_ p: Phase, x: Int, y: Int, width: Int, selected: Bool = false) -> Int {
        var st = Theme.style(p)
        if selected { st.reverse = true }
        return text("\(g.glyph(p)) \(p.word)", x: x, y: y, width: width, style: st)
    }

    /// A progress bar "███░░ 3/5" of `width` columns in total.
    mutating func progress(_ done: Int, _ total: Int, x: Int, y: Int, width: Int, selected: Bool) {
        let label = " \(done)/\(total)"
        let barWidth = max(0, min(10, width - label.count))
        // Cluster numbers are not trusted: negative or overflowing values must not trap.
        let t = max(0, total), d = min(max(0, done), t)
        let filled = t > 0 ? min(barWidth, Int((Double(d) * Double(barWidth) / Double(t)).rounded())) : 0
        var st = Style(.ok)
        if selected { st.reverse = true }
        var col = text(String(repeating: g.barFull, count: filled), x: x, y: y, width: filled, style: st)
        var empty = Style(.muted, dim: true)
        if selected { empty.reverse = true }
        col = text(String(repeating: g.barEmpty, count: barWidth - filled), x: col, y: y, width: barWidth - filled, style: empty)
        text(label, x: col, y: y, width: width - barWidth, style: selected ? .selected : .normal)
    }

    /// Fills a whole row with a style (selection bars, header background).
    mutating func row(_ y: Int, style: Style) { grid.fill(y: y, style: style) }
}
