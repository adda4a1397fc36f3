/// Terminal column widths: East Asian wide and fullwidth characters and emoji take 2 columns,
/// combining marks and invisible characters 0, everything else 1. A fixed table (not the C
/// library's `wcwidth`), so layouts do not depend on the locale the tests run under.
public enum DisplayWidth {
    /// Columns taken by one Unicode scalar.
    public static func of(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x300 { return v < 0x20 || (0x7F..<0xA0).contains(v) ? 0 : 1 }
        if Sanitizer.isCombining(s) || Sanitizer.isInvisible(v) { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    /// Columns taken by one grapheme cluster: its base's width, 2 if any scalar is an emoji shown
    /// as an emoji (flags, skin tones), never more than 2.
    public static func of(_ c: Character) -> Int {
        var width = 0
        for s in c.unicodeScalars {
            if width == 0 { width = of(s) }
            if s.value >= 0x1F000 && s.properties.isEmojiPresentation { width = 2 }
        }
        return min(width, 2)
    }

    /// Columns taken by a string.
    public static func of(_ text: String) -> Int {
        if Sanitizer.isPlainASCII(text) { return text.utf8.count }
        var total = 0
        for c in text { total += of(c) }
        return total
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1,
             0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
             0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
             0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
             0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
             0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18AFF,
             0x1B000...0x1B2FF, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
             0x1F300...0x1F320, 0x1F32D...0x1F335, 0x1F337...0x1F37C, 0x1F37E...0x1F393,
             0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0, 0x1F3F4, 0x1F3F8...0x1F43E,
             0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D, 0x1F54B...0x1F54E, 0x1F550...0x1F567,
             0x1F57A, 0x1F595...0x1F596, 0x1F5A4, 0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC,
             0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC,
             0x1F7E0...0x1F7EB, 0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

extension DisplayWidth {
    /// The longest prefix of `text` that fits in `width` columns; when the text is cut, it ends in
    /// `ellipsis` (itself counted). A wide character never straddles the edge.
    public static func truncate(_ text: String, to width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if Sanitizer.isPlainASCII(text) && text.utf8.count <= width { return text }
        if of(text) <= width { return text }
        let ellipsisWidth = of(ellipsis)
        guard ellipsisWidth <= width else { return String(repeating: ".", count: width) }
        let budget = width - ellipsisWidth
        var used = 0
        var out = ""
        for c in text {
            let w = of(c)
            if used + w > budget { break }
            used += w
            out.append(c)
        }
        return out + ellipsis
    }

    /// `text` truncated or padded with spaces to exactly `width` columns.
    public static func fit(_ text: String, to width: Int, ellipsis: String = "…") -> String {
        let t = truncate(text, to: width, ellipsis: ellipsis)
        let w = of(t)
        return w < width ? t + String(repeating: " ", count: width - w) : t
    }

    /// Splits `text` into pieces of at most `width` columns (for wrapped log lines).
    public static func wrap(_ text: String, to width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        var used = 0
        for c in text {
            let w = of(c)
            if used + w > width {
                lines.append(current)
                current = ""
                used = 0
            }
            current.append(c)
            used += w
        }
        lines.append(current)
        return lines
    }
}
