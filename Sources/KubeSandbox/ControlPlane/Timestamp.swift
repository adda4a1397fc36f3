import Foundation
import Kube

/// RFC 3339 timestamps as the API writes them (`2024-05-01T10:00:00Z`), second precision.
enum Timestamp {
    static func format(_ date: Date) -> String { KubeTimestamp.time(date) }

    /// `nil` for a missing or malformed timestamp.
    static func parse(_ text: String?) -> Date? { KubeTimestamp.parse(text) }
}
