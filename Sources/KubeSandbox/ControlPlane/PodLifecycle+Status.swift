import Foundation
import Kube

extension PodLifecycle {
    /// Renders `Pod.status`. `previous` is the status the pod carries now: conditions whose
    /// status did not change keep their `lastTransitionTime`. `date` turns clock offsets into dates.
    public func status(previous: JSONValue?, now: Duration, date: @escaping (Duration) -> Date) -> JSONValue {
        let ts = { (d: Duration) in JSONValue.string(KubeTimestamp.time(date(d))) }
        let started: Bool = { if case .creating = stage { return false } else { return true } }()
        let initDone: Bool
        switch stage {
        case .creating: initDone = initContainers.isEmpty
        case .initializing: initDone = false
        case .running: initDone = true
        case .finished: initDone = initContainers.allSatisfy { if case .terminated(0, _, _, _) = $0.state { true } else { false } }
        }
        let allRunning = stage == .running && containers.allSatisfy { if case .running = $0.state { true } else { false } }
        let terminal = stage == .finished

        var conditions: [(type: String, status: Bool, reason: String?, message: String?)] = []
        conditions.append(("PodReadyToStartContainers", started && !terminal, nil, nil))
        if initDone {
            conditions.append(("Initialized", true, nil, nil))
        } else {
            let pending = initContainers.filter { if case .terminated(0, _, _, _) = $0.state { false } else { true } }.map(\.name)
            conditions.append(("Initialized", false, "ContainersNotInitialized",
                               "containers with incomplete status: [\(pending.joined(separator: " "))]"))
        }
        if terminal {
            conditions.append(("ContainersReady", false, "PodCompleted", nil))
            conditions.append(("Ready", false, "PodCompleted", nil))
        } else if allRunning {
            conditions.append(("ContainersReady", true, nil, nil))
            conditions.append(("Ready", true, nil, nil))
        } else {
            let unready = containers.filter { if case .running = $0.state { false } else { true } }.map(\.name)
            let message = "containers with unready status: [\(unready.joined(separator: " "))]"
            conditions.append(("ContainersReady", false, "ContainersNotReady", message))
            conditions.append(("Ready", false, "ContainersNotReady", message))
        }
        conditions.append(("PodScheduled", true, nil, nil))

        let old = previous?["conditions"]?.arrayValue ?? []
        let rendered: [JSONValue] = conditions.map { c in
            let statusText = c.status ? "True" : "False"
            let kept = old.first { $0["type"]?.stringValue == c.type && $0["status"]?.stringValue == statusText }
            var o: JSONValue = ["type": .string(c.type), "status": .string(statusText), "lastProbeTime": nil,
                                "lastTransitionTime": kept?["lastTransitionTime"] ?? ts(now)]
            if let r = c.reason { o["reason"] = .string(r) }
            if let m = c.message { o["message"] = .string(m) }
            return o
        }

        var status: JSONValue = [
            "phase": .string(phase),
            "conditions": .array(rendered),
            "hostIP": .string(hostIP),
            "hostIPs": [["ip": .string(hostIP)]],
            "startTime": previous?["startTime"] ?? ts(acceptedAt),
            "qosClass": "BestEffort",
        ]
        if started {
            status["podIP"] = .string(podIP)
            status["podIPs"] = [["ip": .string(podIP)]]
        }
        if let reason { status["reason"] = .string(reason) }
        if let message { status["message"] = .string(message) }
        if !initContainers.isEmpty {
            status["initContainerStatuses"] = .array(initContainers.map { render($0, isInit: true, ts: ts) })
        }
        status["containerStatuses"] = .array(containers.map { render($0, isInit: false, ts: ts) })
        return status
    }

    private func render(_ c: Container, isInit: Bool, ts: (Duration) -> JSONValue) -> JSONValue {
        func state(_ s: ContainerState) -> JSONValue {
            switch s {
            case .waiting(let reason, _):
                var w: JSONValue = ["reason": .string(reason)]
                if reason == "CrashLoopBackOff" {
                    let delay = crashLoopDelay(restartCount: c.restartCount)
                    w["message"] = .string("back-off \(Int(ShellInterpreter.seconds(delay * speed)))s restarting failed container=\(c.name) pod=\(name)_\(namespace)(\(uid))")
                }
                return ["waiting": w]
            case .running(let start, _):
                return ["running": ["startedAt": ts(start)]]
            case .terminated(let code, let reason, let start, let finish):
                var t: JSONValue = ["exitCode": .int(Int64(code)), "reason": .string(reason),
                                    "startedAt": ts(start), "finishedAt": ts(finish)]
                if reason == "ContainerStatusUnknown" {
                    t["message"] = "The container could not be located when the pod was terminated"
                }
                return ["terminated": t]
            }
        }
        let running: Bool = { if case .running = c.state { true } else { false } }()
        var o: JSONValue = [
            "name": .string(c.name),
            "image": .string(c.image),
            "imageID": .string(c.image.isEmpty ? "" : "sandbox.local/\(c.image)@sha256:\(Self.hex("\(c.image)", length: 64))"),
            "ready": .bool(isInit ? c.isDone && c.program.exitCode == 0 : running),
            "started": .bool(running),
            "restartCount": .int(Int64(c.restartCount)),
            "state": state(c.state),
            "lastState": c.lastState.map(state) ?? .emptyObject,
        ]
        if case .waiting(let reason, _) = c.state, reason != "CrashLoopBackOff" {
            // never started: no container ID yet
        } else {
            o["containerID"] = .string("containerd://\(Self.hex("\(uid)/\(c.name)/\(c.restartCount)", length: 64))")
        }
        return o
    }

    /// A deterministic hex string of `length` digits derived from `seed` (FNV-1a, repeated).
    static func hex(_ seed: String, length: Int) -> String {
        var out = ""
        var salt: UInt64 = 0
        while out.count < length {
            var h: UInt64 = 0xcbf29ce484222325 ^ salt
            for b in seed.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            let part = String(h, radix: 16)
            out += String(repeating: "0", count: 16 - part.count) + part
            salt &+= 1
        }
        return String(out.prefix(length))
    }
}
