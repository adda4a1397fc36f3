import Foundation

/// Formats API timestamps in UTC: `Time` (RFC 3339, seconds) and `MicroTime` (six fraction digits).
public enum KubeTimestamp {
    /// `2006-01-02T15:04:05Z`
    public static func time(_ date: Date) -> String {
        let (civil, _) = split(date)
        return civil + "Z"
    }

    /// `2006-01-02T15:04:05.000000Z`
    public static func microTime(_ date: Date) -> String {
        let (civil, micros) = split(date)
        let digits = String(micros)
        return civil + "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + "Z"
    }

    private static func split(_ date: Date) -> (String, Int) {
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        var seconds = totalMicros / 1_000_000
        var micros = totalMicros % 1_000_000
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (y, m, d) = civilDate(daysSinceEpoch: days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        return (text, Int(micros))
    }

    /// Proleptic Gregorian year, month, day of a day count since 1970-01-01 (400-year era arithmetic).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let shifted = daysSinceEpoch + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
