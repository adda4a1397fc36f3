import Foundation
import Kube
import Logging

extension ControlPlane {
    /// Runs every pod bound to a Ready node. The decisions are `KubeletStateMachine`'s; this loop
    /// only reads, asks and performs: on each wake-up it reads what changed from the caches'
    /// change feeds (a pod, or the node it is on), lets the machine pick the pods to visit (those
    /// plus the ones whose program step or retry is due), performs each pod's actions in order,
    /// reports how each went, and sleeps until the next change or the deadline the machine gives.
    func kubeletLoop() async {
        var wakeups = kubeletWakeup.stream.makeAsyncIterator()
        var kubelet = KubeletStateMachine(speed: speed)
        var deadline: Duration?
        while await wait(on: kubeletWakeup, iterator: &wakeups, deadline: deadline) {
            guard synced else { continue }
            let now = time.elapsed()
            let wallTime = time.date(now)
            let nodes = Dictionary(nodeCache.snapshot.compactMap { n in n[path: "metadata.name"]?.stringValue.map { ($0, n) } },
                                   uniquingKeysWith: { a, _ in a })
            var changed = podCache.drainChanges(for: .kubelet)
            for nodeKey in nodeCache.drainChanges(for: .kubelet) {
                let nodeName = nodeKey.hasPrefix("/") ? String(nodeKey.dropFirst()) : nodeKey
                changed.formUnion(podCache.objects(in: Self.byNode, nodeName).map(ObjectCache.key))
            }
            for key in kubelet.beginPass(changed: changed, now: now) {
                if Task.isCancelled { return }
                let actions = kubelet.visit(key: key, pod: podCache.get(key: key), nodes: nodes, now: now, wallTime: wallTime)
                for action in actions {
                    if await perform(action) { kubelet.succeeded(action) } else { kubelet.failed(action) }
                }
            }
            deadline = kubelet.endPass(now: now)
        }
    }

    /// Performs one of the kubelet's actions. Returns `false` when it failed and must be
    /// retried; an object already gone (`NotFound`) counts as done.
    func perform(_ action: KubeletStateMachine.Action) async -> Bool {
        switch action {
        case .appendLog(let namespace, let pod, let container, let line, let at):
            podLogs.append(namespace: namespace, pod: pod, container: container, line: line, at: at)
            return true
        case .endLog(let namespace, let pod, let container):
            podLogs.markTerminated(namespace: namespace, pod: pod, container: container)
            return true
        case .removeLogs(let namespace, let pod):
            podLogs.remove(namespace: namespace, pod: pod)
            return true
        case .writeStatus(let pod, let status):
            do {
                try await patchStatus(podCache, object: pod, status: status)
                jobWakeup.signal()
                return true
            } catch {
                return tolerateNotFound(error, pod, "pod status write failed; retrying")
            }
        case .evict(let pod, let status, let taint):
            return await evict(pod, status: status, taint: taint)
        case .reject(let pod, let status, let reason, let message):
            do {
                try await patchStatus(podCache, object: pod, status: status)
            } catch {
                return tolerateNotFound(error, pod, "pod status write failed; retrying")
            }
            jobWakeup.signal()
            await recordEvent(about: Self.withKind(pod, "Pod"), type: "Warning", reason: reason, message: message, component: "kubelet")
            return true
        case .markWaitingForNode(let pod, let status):
            do {
                try await patchStatus(podCache, object: pod, status: status)
                return true
            } catch {
                return tolerateNotFound(error, pod, "pod status write failed; retrying")
            }
        case .delete(let pod):
            do {
                let remaining = try await api.delete(.pods, namespace: pod[path: "metadata.namespace"]?.stringValue,
                                                     name: pod[path: "metadata.name"]?.stringValue ?? "",
                                                     options: DeleteOptions(gracePeriodSeconds: 0,
                                                                            preconditionUID: pod[path: "metadata.uid"]?.stringValue))
                if remaining == nil { podCache.remove(pod) }
                return true
            } catch where isConflict(error) {
                return true  // another pod has the name now: this one is gone
            } catch {
                return tolerateNotFound(error, pod, "pod delete failed; retrying")
            }
        }
    }

    /// The taint manager's eviction: the DisruptionTarget condition, an event, then a delete
    /// (the kubelet then stops the pod). Returns `false` to retry later.
    private func evict(_ pod: JSONValue, status: JSONValue, taint: Taint) async -> Bool {
        let namespace = pod[path: "metadata.namespace"]?.stringValue ?? "default"
        let name = pod[path: "metadata.name"]?.stringValue ?? ""
        do {
            try await patchStatus(podCache, object: pod, status: status)
            await recordEvent(about: Self.withKind(pod, "Pod"), type: "Normal", reason: "TaintManagerEviction",
                              message: "Marking for deletion Pod \(namespace)/\(name)", component: "taint-eviction-controller")
            if let remaining = try await api.delete(.pods, namespace: namespace, name: name, options: DeleteOptions()) {
                podCache.upsert(remaining)
            }
            kubeletWakeup.signal()
            return true
        } catch where isNotFound(error) {
            return true
        } catch {
            logger.warning("eviction failed; retrying", metadata: ["pod.name": "\(namespace)/\(name)", "taint": "\(taint.key)", "error": "\(error)"])
            return false
        }
    }

    /// `true` when `error` is NotFound (the pod is gone: done); otherwise logs `message` and
    /// returns `false` (retry).
    private func tolerateNotFound(_ error: any Error, _ pod: JSONValue, _ message: Logger.Message) -> Bool {
        if isNotFound(error) { return true }
        logger.warning(message, metadata: ["pod.name": "\(Self.key(pod))", "error": "\(error)"])
        return false
    }
}
