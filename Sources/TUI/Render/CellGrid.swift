/// A width × height screen in memory: views draw into it, the terminal draws its difference with
/// the previous frame. Writes are clipped to the grid; nothing here knows about curses.
public struct CellGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Writes `text` at (x, y), clipped at `maxWidth` columns (or the grid's edge); returns the
    /// column after the last one written. `text` must already be sanitised.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return x }
        let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
        var col = x
        if Sanitizer.isPlainASCII(text) {
            for byte in text.utf8 {
                if col >= limit { break }
                if col >= 0 {
                    if cells[y * width + col].width != 1 { clearWide(at: col, y: y) }
                    cells[y * width + col] = Cell(String(UnicodeScalar(byte)), style: style)
                }
                col += 1
            }
            return col
        }
        for c in text {
            let w = DisplayWidth.of(c)
            if w == 0 {
                // A stray zero-width cluster joins the cell before it.
                if col > 0, col - 1 < width, col - 1 >= x {
                    var base = col - 1
                    while base > 0 && cells[y * width + base].width == 0 { base -= 1 }
                    cells[y * width + base].text.append(c)
                }
                continue
            }
            if col + w > limit { break }
            if col >= 0 {
                clearWide(at: col, y: y)
                cells[y * width + col] = Cell(String(c), style: style, width: UInt8(w))
                if w == 2 {
                    clearWide(at: col + 1, y: y)
                    cells[y * width + col + 1] = .continuation(style)
                }
            }
            col += w
        }
        return col
    }

    /// Overwriting half of a wide character blanks its other half.
    private mutating func clearWide(at x: Int, y: Int) {
        let i = y * width + x
        if cells[i].width == 0, x > 0 { cells[i - 1] = Cell(" ", style: cells[i - 1].style) }
        if cells[i].width == 2, x + 1 < width { cells[i + 1] = Cell(" ", style: cells[i + 1].style) }
    }

    /// Fills a rectangle with blanks in `style`.
    public mutating func fill(x: Int = 0, y: Int, width w: Int? = nil, height h: Int = 1, style: Style = .normal) {
        let x0 = max(0, x), x1 = min(width, x + (w ?? width))
        guard x0 < x1 else { return }
        for row in max(0, y)..<min(height, y + h) {
            for col in x0..<x1 { cells[row * width + col] = Cell(" ", style: style) }
        }
    }

    /// The grid's text, one line per row, trailing spaces trimmed (for golden files and tests).
    public func text() -> String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for x in 0..<width { line += cells[y * width + x].text }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

/// A run of changed cells on one row: what the terminal has to draw.
public struct GridRun: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var cells: [Cell]
}

extension CellGrid {
    /// The runs that turn `old` into `self`. A size change redraws everything. Unchanged cells are
    /// skipped; a run never starts on the right half of a wide character.
    public func diff(from old: CellGrid?) -> [GridRun] {
        var runs: [GridRun] = []
        let full = old == nil || old!.width != width || old!.height != height
        for y in 0..<height {
            var x = 0
            let base = y * width
            while x < width {
                if !full && old!.cells[base + x] == cells[base + x] { x += 1; continue }
                var start = x
                if start > 0 && cells[base + start].width == 0 { start -= 1 }
                var end = x + 1
                while end < width && (full || old!.cells[base + end] != cells[base + end] || cells[base + end].width == 0) {
                    end += 1
                }
                runs.append(GridRun(x: start, y: y, cells: Array(cells[(base + start)..<(base + end)])))
                x = end
            }
        }
        return runs
    }
}
