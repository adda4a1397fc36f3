/// How many colours the terminal offers (after NO_COLOR / --no-color are applied).
public enum ColorMode: Sendable, Hashable {
    case full256, basic8, monochrome
}

/// Glyphs for states, tree lines and bars. `unicode` needs a UTF-8 locale; `ascii` works anywhere.
public struct GlyphSet: Sendable, Hashable {
    public var tee: String, corner: String, pipe: String, space: String
    public var barFull: String, barEmpty: String
    public var ellipsis: String
    public var collapsed: String, expanded: String, leaf: String
    public var separator: String
    public var phases: [Phase: String]

    public func glyph(_ p: Phase) -> String { phases[p.category] ?? "?" }

    public static let unicode = GlyphSet(
        tee: "├─ ", corner: "└─ ", pipe: "│  ", space: "   ",
        barFull: "█", barEmpty: "░", ellipsis: "…",
        collapsed: "▸", expanded: "▾", leaf: " ", separator: " · ",
        phases: [.waiting: "◷", .pending: "○", .running: "●", .terminating: "◌", .succeeded: "✔",
                 .failed: "✖", .cancelled: "⊘", .skipped: "↷", .unknown(""): "?"])

    public static let ascii = GlyphSet(
        tee: "|- ", corner: "`- ", pipe: "|  ", space: "   ",
        barFull: "#", barEmpty: ".", ellipsis: "~",
        collapsed: "+", expanded: "-", leaf: " ", separator: " | ",
        phases: [.waiting: "[..]", .pending: "[--]", .running: "[>>]", .terminating: "[<<]",
                 .succeeded: "[ok]", .failed: "[!!]", .cancelled: "[xx]", .skipped: "[~~]", .unknown(""): "[??]"])
}

/// Glyphs and colours for one terminal. Views ask the theme for glyphs; the terminal adapter asks
/// it for colours. Every style also carries bold/reverse/dim so monochrome stays readable.
public struct Theme: Sendable, Hashable {
    public var glyphs: GlyphSet
    public var colorMode: ColorMode

    public init(glyphs: GlyphSet = .unicode, colorMode: ColorMode = .full256) {
        self.glyphs = glyphs
        self.colorMode = colorMode
    }

    public static let unicode = Theme(glyphs: .unicode)
    public static let ascii = Theme(glyphs: .ascii, colorMode: .basic8)

    /// Options decided from flags and the environment: `--ascii` or a locale that is not UTF-8
    /// picks ASCII glyphs; `--no-color`, a non-empty NO_COLOR or TERM=dumb pick monochrome.
    public static func resolve(ascii: Bool, noColor: Bool, environment: [String: String],
                               terminalColors: Int) -> Theme {
        let locale = environment["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["LANG"] ?? ""
        let utf8 = locale.uppercased().contains("UTF-8") || locale.uppercased().contains("UTF8")
        let mono = noColor || !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
            || terminalColors < 8
        let mode: ColorMode = mono ? .monochrome : (terminalColors >= 256 ? .full256 : .basic8)
        return Theme(glyphs: (ascii || !utf8) ? .ascii : .unicode, colorMode: mode)
    }

    /// The role that shows a phase.
    public static func role(_ p: Phase) -> ColorRole {
        switch p {
        case .succeeded: .ok
        case .running, .terminating: .running
        case .pending, .waiting: .pending
        case .failed: .failed
        case .cancelled, .skipped, .unknown: .muted
        }
    }

    /// Style for a phase: colour plus an attribute that survives monochrome.
    public static func style(_ p: Phase) -> Style {
        switch p {
        case .failed: Style(.failed, bold: true)
        case .running: Style(.running, bold: true)
        case .cancelled, .skipped: Style(.muted, dim: true)
        default: Style(role(p))
        }
    }

    /// Foreground colour of a role (curses colour number; -1 = terminal default), or nil in
    /// monochrome where only attributes are used.
    public func foreground(_ role: ColorRole) -> Int16? {
        switch colorMode {
        case .monochrome: return nil
        case .basic8:
            switch role {
            case .normal, .selection: return -1
            case .muted, .border: return -1
            case .accent, .header: return 6      // cyan
            case .ok: return 2                   // green
            case .running: return 4              // blue
            case .pending: return 3              // yellow
            case .failed: return 1               // red
            case .warning: return 3
            }
        case .full256:
            switch role {
            case .normal, .selection: return -1
            case .muted, .border: return 244
            case .accent: return 45
            case .header: return 81
            case .ok: return 70
            case .running: return 39
            case .pending: return 178
            case .failed: return 196
            case .warning: return 214
            }
        }
    }
}
