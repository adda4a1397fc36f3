import Foundation
import Kube

extension ControlPlane {
    /// Binds pending pods: a pod is tried when it changes, and every pending pod again when a
    /// node changes or a failed write is due for a retry. Pods for another `spec.schedulerName`
    /// are left alone. Pods per node are counted incrementally from the pod cache's change feed.
    func schedulerLoop() async {
        var wakeups = schedulerWakeup.stream.makeAsyncIterator()
        var retryAt: Duration?
        /// Pods waiting for a node, by key.
        var pending: Set<String> = []
        /// Pod key → the node it counts against (bound and not terminal).
        var counted: [String: String] = [:]
        var perNode: [String: Int] = [:]
        func count(_ key: String, on node: String?) {
            guard counted[key] != node else { return }
            if let old = counted[key] { perNode[old, default: 1] -= 1 }
            if let node { perNode[node, default: 0] += 1 }
            counted[key] = node
        }
        while await wait(on: schedulerWakeup, iterator: &wakeups, deadline: retryAt) {
            guard synced else { continue }
            let retryAll = retryAt.map { $0 <= time.elapsed() } ?? false
            if retryAll { retryAt = nil }
            let changed = podCache.drainChanges(for: .scheduler)
            let nodesChanged = !nodeCache.drainChanges(for: .scheduler).isEmpty
            for key in changed {
                let pod = podCache.get(key: key)
                let node = pod.flatMap { p in Self.isTerminal(p) ? nil : p[path: "spec.nodeName"]?.stringValue }
                count(key, on: node?.isEmpty == false ? node : nil)
                if let pod, Self.needsScheduling(pod) { pending.insert(key) } else { pending.remove(key) }
            }
            let candidates = (nodesChanged || retryAll) ? pending : pending.intersection(changed)
            guard !candidates.isEmpty else { continue }
            let nodes = nodeCache.snapshot
            for key in candidates.sorted() {
                if Task.isCancelled { return }
                guard let pod = podCache.get(key: key) else { continue }
                do {
                    switch Scheduler.decide(pod: pod, nodes: nodes, podsPerNode: perNode) {
                    case .bind(let node):
                        try await bind(pod, to: node)
                        count(key, on: node)
                        pending.remove(key)
                    case .unschedulable(let message):
                        try await markUnschedulable(pod, message: message)
                    }
                } catch where isNotFound(error) {
                    // deleted meanwhile
                } catch {
                    logger.warning("scheduling failed; retrying", metadata: ["pod.name": "\(Self.key(pod))", "error": "\(error)"])
                    retryAt = min(retryAt ?? .seconds(Int64.max / 4), time.elapsed() + .seconds(1))
                }
            }
        }
    }

    static func key(_ object: JSONValue) -> String { ObjectCache.key(object) }

    static func isTerminal(_ pod: JSONValue) -> Bool {
        let phase = pod[path: "status.phase"]?.stringValue
        return phase == "Succeeded" || phase == "Failed"
    }

    static func needsScheduling(_ pod: JSONValue) -> Bool {
        let schedulerName = pod[path: "spec.schedulerName"]?.stringValue ?? "default-scheduler"
        return (pod[path: "spec.nodeName"]?.stringValue ?? "").isEmpty
            && pod[path: "metadata.deletionTimestamp"] == nil
            && !isTerminal(pod)
            && (schedulerName == "default-scheduler" || schedulerName.isEmpty)
    }

    /// PodScheduled=True first (so the kubelet, which keeps that condition, never races it
    /// away), then `spec.nodeName`, then the `Scheduled` event.
    func bind(_ pod: JSONValue, to node: String) async throws {
        let name = pod[path: "metadata.name"]?.stringValue ?? ""
        let namespace = pod[path: "metadata.namespace"]?.stringValue ?? "default"
        var status = pod["status"] ?? .emptyObject
        status["phase"] = status["phase"] ?? "Pending"
        status["conditions"] = .array(Self.setCondition(status["conditions"]?.arrayValue ?? [],
                                                        ["type": "PodScheduled", "status": "True"], now: time.now()))
        try await patchStatus(podCache, object: pod, status: status)
        let bound = try await api.patch(.pods, namespace: namespace, name: name, patch: .merge(["spec": ["nodeName": .string(node)]]),
                                        subresource: nil, options: PatchOptions())
        podCache.upsert(bound)
        kubeletWakeup.signal()
        jobWakeup.signal()
        await recordEvent(about: Self.withKind(bound, "Pod"), type: "Normal", reason: "Scheduled",
                          message: "Successfully assigned \(namespace)/\(name) to \(node)", component: "default-scheduler")
    }

    /// PodScheduled=False/Unschedulable with the scheduler's message; the FailedScheduling event
    /// is recorded only when the message changes.
    func markUnschedulable(_ pod: JSONValue, message: String) async throws {
        let old = (pod[path: "status.conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "PodScheduled" }
        if old?["status"] == "False", old?["reason"] == "Unschedulable", old?["message"]?.stringValue == message { return }
        var status = pod["status"] ?? .emptyObject
        status["phase"] = status["phase"] ?? "Pending"
        status["conditions"] = .array(Self.setCondition(status["conditions"]?.arrayValue ?? [],
                                                        ["type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                                         "message": .string(message)], now: time.now()))
        try await patchStatus(podCache, object: pod, status: status)
        await recordEvent(about: Self.withKind(pod, "Pod"), type: "Warning", reason: "FailedScheduling", message: message,
                          component: "default-scheduler")
    }

    /// Replaces the condition of the same type; `lastTransitionTime` changes only with the status.
    static func setCondition(_ conditions: [JSONValue], _ condition: JSONValue, now: Date) -> [JSONValue] {
        var c = condition
        let old = conditions.first { $0["type"] == condition["type"] }
        c["lastProbeTime"] = nil
        c["lastTransitionTime"] = old?["status"] == condition["status"] ? (old?["lastTransitionTime"] ?? .string(KubeTimestamp.time(now)))
            : .string(KubeTimestamp.time(now))
        return conditions.filter { $0["type"] != condition["type"] } + [c]
    }

    static func withKind(_ object: JSONValue, _ kind: String) -> JSONValue {
        var o = object
        if o["kind"] == nil { o["kind"] = .string(kind) }
        if o["apiVersion"] == nil { o["apiVersion"] = kind == "Job" ? "batch/v1" : "v1" }
        return o
    }
}
