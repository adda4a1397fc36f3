/// RFC 3339 timestamps and short human durations, without Foundation formatters (cheap enough
/// for ten thousand rows per frame).
public enum Time {
    /// Seconds since the epoch for "2026-11-25T03:57:21Z" (fractions and offsets accepted).
    public static func parse(_ s: String?) -> Int64? {
        guard let s else { return nil }
        let b = Array(s.utf8)
        guard b.count >= 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + len) {
                let d = b[i]
                guard d >= 0x30 && d <= 0x39 else { return nil }
                v = v * 10 + Int64(d - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
              let mi = num(14, 2), let sec = num(17, 2), (1...12).contains(mo) else { return nil }
        var offset: Int64 = 0
        var i = 19
        if i < b.count && b[i] == 0x2E { i += 1; while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 } }
        if i + 5 < b.count + 0 && (b[i] == 0x2B || b[i] == 0x2D), let oh = num(i + 1, 2), let om = num(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (b[i] == 0x2B ? 1 : -1)
        }
        return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// "45s", "2m31s", "3h12m", "4d5h" — kubectl style.
    public static func short(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60 == 0 ? "" : "\(s % 60)s")" }
        if s < 86400 { return "\(s / 3600)h\((s % 3600) / 60 == 0 ? "" : "\((s % 3600) / 60)m")" }
        return "\(s / 86400)d\((s % 86400) / 3600 == 0 ? "" : "\((s % 86400) / 3600)h")"
    }

    /// Duration from start to completion, or to `now` while still running; "" if never started.
    public static func duration(start: Int64?, end: Int64?, now: Int64) -> String {
        guard let start else { return "" }
        return short((end ?? now) - start)
    }
}
