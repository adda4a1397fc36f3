import Foundation
import Kube

/// Durations and ages the way kubectl prints them (apimachinery's `HumanDuration`).
public enum HumanDuration {
    /// "5s", "2m31s", "15m", "5h2m", "3d18h", "400d", "2y10d".
    public static func format(seconds total: Double) -> String {
        let seconds = Int(total.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let d = (hours / 24) % 365
            return d == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(d)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an RFC 3339 timestamp at `now`; `<unknown>` when absent or unparsable.
    public static func age(of timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = parse(timestamp) else { return "<unknown>" }
        return format(seconds: now.timeIntervalSince(date))
    }

    static func parse(_ s: String) -> Date? {
        KubeTimestamp.parse(s)
    }
}
