import Foundation
import Kube

/// A Job's condition list with the API's transition-time rules.
struct JobConditions {
    var items: [JSONValue]
    let now: Date

    init(_ items: [JSONValue], now: Date) {
        self.items = items
        self.now = now
    }

    func isTrue(_ type: String) -> Bool { trueCondition(type) != nil }

    func trueCondition(_ type: String) -> (type: String, reason: String, message: String)? {
        guard let c = items.first(where: { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }) else { return nil }
        return (type, c["reason"]?.stringValue ?? "", c["message"]?.stringValue ?? "")
    }

    /// Sets a condition; probe and transition times are `now` when its status changes.
    mutating func set(_ type: String, _ value: Bool, reason: String, message: String) {
        let statusText = value ? "True" : "False"
        let ts = JSONValue.string(KubeTimestamp.time(now))
        let condition: JSONValue = ["type": .string(type), "status": .string(statusText), "reason": .string(reason),
                                    "message": .string(message), "lastProbeTime": ts, "lastTransitionTime": ts]
        if let i = items.firstIndex(where: { $0["type"]?.stringValue == type }) {
            if items[i]["status"]?.stringValue == statusText && items[i]["reason"]?.stringValue == reason { return }
            items[i] = condition
        } else {
            items.append(condition)
        }
    }
}
