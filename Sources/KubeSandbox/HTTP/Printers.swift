import Foundation
import Kube

/// The Pod row of `kubectl get pods` (printers.go logic, §5 of the reference).
enum PodPrinter {
    static func status(_ o: JSONValue) -> String {
        let status = o["status"] ?? .emptyObject
        var reason = status["reason"]?.stringValue ?? status["phase"]?.stringValue ?? ""
        let initStatuses = status["initContainerStatuses"]?.arrayValue ?? []
        let initCount = (o["spec"]?["initContainers"]?.arrayValue ?? []).count
        var initializing = false
        for (i, c) in initStatuses.enumerated() {
            let state = c["state"] ?? .emptyObject
            if let t = state["terminated"], t["exitCode"]?.intValue == 0 { continue }
            if let t = state["terminated"] {
                if let r = t["reason"]?.stringValue, !r.isEmpty { reason = "Init:" + r }
                else if let s = t["signal"]?.intValue, s != 0 { reason = "Init:Signal:\(s)" }
                else { reason = "Init:ExitCode:\(t["exitCode"]?.intValue ?? 0)" }
            } else if let w = state["waiting"], let r = w["reason"]?.stringValue, !r.isEmpty, r != "PodInitializing" {
                reason = "Init:" + r
            } else {
                reason = "Init:\(i)/\(initCount)"
            }
            initializing = true
            break
        }
        if !initializing {
            var hasRunning = false
            for c in (status["containerStatuses"]?.arrayValue ?? []).reversed() {
                let state = c["state"] ?? .emptyObject
                if let r = state["waiting"]?["reason"]?.stringValue, !r.isEmpty {
                    reason = r
                } else if let t = state["terminated"] {
                    if let r = t["reason"]?.stringValue, !r.isEmpty { reason = r }
                    else if let s = t["signal"]?.intValue, s != 0 { reason = "Signal:\(s)" }
                    else { reason = "ExitCode:\(t["exitCode"]?.intValue ?? 0)" }
                } else if state["running"] != nil, c["ready"]?.boolValue == true {
                    hasRunning = true
                }
            }
            if reason == "Completed" && hasRunning {
                let ready = (status["conditions"]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
                reason = ready ? "Running" : "NotReady"
            }
        }
        let phase = status["phase"]?.stringValue ?? ""
        if o["metadata"]?["deletionTimestamp"] != nil && phase != "Succeeded" && phase != "Failed" {
            reason = status["reason"]?.stringValue == "NodeLost" ? "Unknown" : "Terminating"
        }
        return reason
    }

    static func cells(_ o: JSONValue, now: Date) -> [JSONValue] {
        let statuses = o["status"]?["containerStatuses"]?.arrayValue ?? []
        let total = (o["spec"]?["containers"]?.arrayValue ?? []).count
        let ready = statuses.filter { $0["ready"]?.boolValue == true }.count
        var restarts: Int64 = 0
        var lastRestart: String?
        for c in statuses {
            restarts += c["restartCount"]?.intValue ?? 0
            if let finished = c["lastState"]?["terminated"]?["finishedAt"]?.stringValue, finished > (lastRestart ?? "") { lastRestart = finished }
        }
        var restartText = String(restarts)
        if restarts > 0, let lastRestart { restartText += " (\(HumanDuration.age(of: lastRestart, now: now)) ago)" }
        let gates = (o["spec"]?["readinessGates"]?.arrayValue ?? []).count
        return [.string(o["metadata"]?["name"]?.stringValue ?? ""), .string("\(ready)/\(total)"), .string(status(o)), .string(restartText),
                .string(HumanDuration.age(of: o["metadata"]?["creationTimestamp"]?.stringValue, now: now)),
                .string(o["status"]?["podIP"]?.stringValue ?? "<none>"), .string(o["spec"]?["nodeName"]?.stringValue ?? "<none>"),
                .string(o["status"]?["nominatedNodeName"]?.stringValue ?? "<none>"), .string(gates == 0 ? "<none>" : "0/\(gates)")]
    }
}

/// The Job row of `kubectl get jobs` (STATUS column since 1.30).
enum JobPrinter {
    static func status(_ o: JSONValue) -> String {
        let conditions = o["status"]?["conditions"]?.arrayValue ?? []
        func has(_ t: String) -> Bool { conditions.contains { $0["type"]?.stringValue == t && $0["status"] == "True" } }
        if has("Complete") { return "Complete" }
        if has("Failed") { return "Failed" }
        if o["metadata"]?["deletionTimestamp"] != nil { return "Terminating" }
        if has("Suspended") { return "Suspended" }
        if has("FailureTarget") { return "FailureTarget" }
        return "Running"
    }

    static func cells(_ o: JSONValue, now: Date) -> [JSONValue] {
        let spec = o["spec"] ?? .emptyObject
        let succeeded = o["status"]?["succeeded"]?.intValue ?? 0
        let completions: String
        if let c = spec["completions"]?.intValue {
            completions = "\(succeeded)/\(c)"
        } else if let p = spec["parallelism"]?.intValue, p > 1 {
            completions = "\(succeeded)/1 of \(p)"
        } else {
            completions = "\(succeeded)/1"
        }
        var duration = ""
        if let start = o["status"]?["startTime"]?.stringValue.flatMap(HumanDuration.parse) {
            let end = o["status"]?["completionTime"]?.stringValue.flatMap(HumanDuration.parse) ?? now
            duration = HumanDuration.format(seconds: end.timeIntervalSince(start))
        }
        let containers = spec["template"]?["spec"]?["containers"]?.arrayValue ?? []
        let selector = (spec["selector"]?["matchLabels"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ",")
        return [.string(o["metadata"]?["name"]?.stringValue ?? ""), .string(status(o)), .string(completions), .string(duration),
                .string(HumanDuration.age(of: o["metadata"]?["creationTimestamp"]?.stringValue, now: now)),
                .string(containers.compactMap { $0["name"]?.stringValue }.joined(separator: ",")),
                .string(containers.compactMap { $0["image"]?.stringValue }.joined(separator: ",")),
                .string(selector.isEmpty ? "<none>" : selector)]
    }
}
