/// Makes text that came from the cluster (names, messages, log lines) safe to draw.
///
/// Rules: escape sequences (CSI, OSC incl. OSC 8/52, DCS/SOS/PM/APC strings, two-byte ESC
/// sequences) and their C1 equivalents are removed whole; other C0/C1 controls and DEL are removed;
/// tab and line/paragraph separators become a space; bidi controls, zero-width characters, the BOM,
/// soft hyphen and variation selectors are removed; a combining mark with no base is removed and at
/// most `maxCombining` marks follow a base; invalid UTF-8 becomes U+FFFD. Pure and allocation-light:
/// printable ASCII returns unchanged without copying.
public enum Sanitizer {
    /// Combining marks kept after one base character ("zalgo" text is capped).
    public static let maxCombining = 3

    /// Repairs invalid UTF-8 (each bad sequence becomes U+FFFD) and sanitises the result.
    public static func sanitize<Bytes: Collection>(bytes: Bytes) -> String where Bytes.Element == UInt8 {
        sanitize(String(decoding: bytes, as: UTF8.self))
    }

    /// The text with everything unsafe to draw removed (see the type's rules).
    public static func sanitize(_ text: String) -> String {
        if isPlainASCII(text) { return text }
        var out = String.UnicodeScalarView()
        var state = ScanState.text
        var combiningRun = 0
        var hasBase = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch state {
            case .escape:
                switch v {
                case 0x5B: state = .csi                             // ESC [
                case 0x5D: state = .string                          // ESC ] (OSC)
                case 0x50, 0x58, 0x5E, 0x5F: state = .string        // ESC P/X/^/_ (DCS, SOS, PM, APC)
                case 0x20...0x2F: state = .escapeIntermediate       // ESC ( B and friends
                default: state = .text                              // ESC + final byte: drop both
                }
                continue
            case .escapeIntermediate:
                if !(0x20...0x2F).contains(v) { state = .text }
                continue
            case .csi:
                if v == 0x1B { state = .escape }                    // a new sequence interrupts
                else if (0x40...0x7E).contains(v) || v < 0x20 { state = .text }
                continue
            case .string:
                if v == 0x07 || v == 0x9C { state = .text }         // BEL or C1 ST ends it
                else if v == 0x1B { state = .stringEscape }         // ESC \ ends it
                continue
            case .stringEscape:
                state = v == 0x5C ? .text : (v == 0x1B ? .stringEscape : .string)
                continue
            case .text:
                break
            }
            switch v {
            case 0x1B: state = .escape; continue
            case 0x9B: state = .csi; continue
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F: state = .string; continue
            case 0x09, 0x2028, 0x2029:
                out.append(" "); hasBase = true; combiningRun = 0; continue
            case 0x00...0x1F, 0x7F...0x9F: continue
            default: break
            }
            if isInvisible(v) { continue }
            if isCombining(scalar) {
                guard hasBase, combiningRun < maxCombining else { continue }
                combiningRun += 1
                out.append(scalar)
                continue
            }
            hasBase = true
            combiningRun = 0
            out.append(scalar)
        }
        return String(out)
    }

    /// Sanitised text on one line: newlines and carriage returns become spaces first.
    public static func singleLine(_ text: String) -> String {
        if isPlainASCII(text) { return text }
        var t = text
        if t.contains(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            t = String(t.map { $0 == "\n" || $0 == "\r\n" || $0 == "\r" ? " " : $0 })
        }
        return sanitize(t)
    }

    @inline(__always)
    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private enum ScanState { case text, escape, escapeIntermediate, csi, string, stringEscape }

    /// Bidi controls, zero-width and other invisible format characters.
    static func isInvisible(_ v: UInt32) -> Bool {
        switch v {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B...0x180F,
             0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F, 0x3164, 0xFE00...0xFE0F,
             0xFEFF, 0xFFA0, 0xFFF9...0xFFFB, 0x1D173...0x1D17A, 0xE0000...0xE007F,
             0xE0100...0xE01EF:
            return true
        default:
            return false
        }
    }

    static func isCombining(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x300 { return false }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return true
        default: return false
        }
    }
}
