/// What a piece of text means, not its colour: the theme turns a role into colours per terminal.
public enum ColorRole: UInt8, Sendable, Hashable, CaseIterable {
    case normal, muted, accent, header, ok, running, pending, failed, warning, selection, border
}

/// How a cell is drawn: a colour role plus attributes that also work without colour.
public struct Style: Sendable, Hashable {
    public var role: ColorRole
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool
    public var underline: Bool

    public init(_ role: ColorRole = .normal, bold: Bool = false, reverse: Bool = false,
                dim: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
    }

    public static let normal = Style()
    public static let muted = Style(.muted, dim: true)
    public static let header = Style(.header, bold: true)
    public static let selected = Style(.selection, reverse: true)
    public static let warning = Style(.warning, bold: true)

    /// The same style with reverse video switched on (selected rows).
    public var selected: Style { var s = self; s.reverse = true; return s }
}

/// One terminal cell: a grapheme cluster (already sanitised) and its style. A wide character
/// occupies its cell and the next, which holds `continuation`.
public struct Cell: Sendable, Hashable {
    public var text: String
    public var style: Style
    /// 0 for the right half of a wide character, otherwise 1 or 2.
    public var width: UInt8

    public init(_ text: String = " ", style: Style = .normal, width: UInt8 = 1) {
        self.text = text
        self.style = style
        self.width = width
    }

    public static let blank = Cell()
    public static func continuation(_ style: Style) -> Cell { Cell("", style: style, width: 0) }
}
