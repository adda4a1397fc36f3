import Kube

/// Timestamps as the UI counts them (whole seconds) and short human durations, without Foundation
/// formatters (cheap enough for ten thousand rows per frame).
public enum Time {
    /// Seconds since the epoch for "2026-11-25T03:57:21Z" (fractions and offsets accepted):
    /// `KubeTimestamp`'s parser, the project's one, in the whole seconds the UI counts in.
    public static func parse(_ s: String?) -> Int64? {
        KubeTimestamp.parse(s).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
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
