import Foundation
import HeapModule
import Kube

extension ControlPlane {
    /// One pod the simulated kubelets have accepted.
    struct KubeletEntry {
        var lifecycle: PodLifecycle
        var namespace: String
        var name: String
        /// The status last written (or being written); `nil` forces a write.
        var written: JSONValue?
        var deleteSent = false
        /// The terminal status has been stored.
        var reportedFinished = false
        /// The taint manager has asked for the pod's deletion.
        var evicted = false
    }

    /// Runs every pod bound to a Ready node: one loop owns all lifecycles, visits a pod when it
    /// changes, when its node changes and when its next program step is due (the caches' change
    /// feeds and indexes say which), and writes pod status only when it changed.
    func kubeletLoop() async {
        var wakeups = kubeletWakeup.stream.makeAsyncIterator()
        var entries: [String: KubeletEntry] = [:]
        /// Pod key → the uid of its entry.
        var uids: [String: String] = [:]
        /// Pod key → when its next program step is due.
        var due: [String: Duration] = [:]
        /// The same deadlines by time; an entry whose key has since moved or gone is stale and skipped.
        var deadlines = Heap<PodDeadline>()
        /// Pods whose last write failed, retried at `retryAt`.
        var retryKeys: Set<String> = []
        var retryAt: Duration?
        var nextIP: UInt32 = 0
        var deadline: Duration?
        while await wait(on: kubeletWakeup, iterator: &wakeups, deadline: deadline) {
            guard synced else { continue }
            let now = time.elapsed()
            var retry: Set<String> = []
            let nodes = Dictionary(nodeCache.snapshot.compactMap { n in n[path: "metadata.name"]?.stringValue.map { ($0, n) } },
                                   uniquingKeysWith: { a, _ in a })
            var visit = podCache.drainChanges(for: .kubelet)
            for nodeKey in nodeCache.drainChanges(for: .kubelet) {
                let nodeName = nodeKey.hasPrefix("/") ? String(nodeKey.dropFirst()) : nodeKey
                visit.formUnion(podCache.objects(in: Self.byNode, nodeName).map(ObjectCache.key))
            }
            while let next = deadlines.min, next.at <= now {
                _ = deadlines.popMin()
                if due[next.key] == next.at { visit.insert(next.key) }
            }
            if let at = retryAt, at <= now {
                visit.formUnion(retryKeys)
                retryKeys = []
                retryAt = nil
            }
            for key in visit.sorted() {
                if Task.isCancelled { return }
                let current = podCache.get(key: key)
                let currentUID = current?[path: "metadata.uid"]?.stringValue
                if let old = uids[key], old != currentUID {
                    if let gone = entries.removeValue(forKey: old) { podLogs.remove(namespace: gone.namespace, pod: gone.name) }
                    uids[key] = nil
                }
                due[key] = nil  // set again below while its program still has steps
                guard let pod = current, let nodeName = pod[path: "spec.nodeName"]?.stringValue, !nodeName.isEmpty,
                      let uid = currentUID else { continue }
                let name = pod[path: "metadata.name"]?.stringValue ?? ""
                let namespace = pod[path: "metadata.namespace"]?.stringValue ?? "default"
                let node = nodes[nodeName]
                let nodeReady = node.map(Scheduler.isReady) ?? false
                let deleting = pod[path: "metadata.deletionTimestamp"] != nil
                var effects: [PodLifecycle.Effect] = []
                var entry: KubeletEntry
                if let existing = entries[uid] {
                    // Finished and reported: nothing to do until it is deleted.
                    if existing.reportedFinished, !deleting || existing.deleteSent { continue }
                    entry = existing
                    if !entry.lifecycle.isFinished {
                        if deleting {
                            effects = entry.lifecycle.kill(at: now)
                        } else if !nodeReady {
                            effects = entry.lifecycle.kill(at: now, reason: "NodeLost",
                                                           message: "Node \(nodeName) which was running pod \(name) is unresponsive")
                        } else {
                            effects = entry.lifecycle.advance(to: now)
                            if !entry.evicted, let node, let taint = Scheduler.untoleratedNoExecuteTaint(pod: pod, node: node) {
                                if await evict(pod, taint: taint) { entry.evicted = true } else { retry.insert(key) }
                            }
                        }
                    }
                } else {
                    if Self.isTerminal(pod) {
                        if deleting, await confirmDeletion(pod) == .failed { retry.insert(key) }
                        continue
                    }
                    guard let node else {
                        if deleting {
                            // No kubelet will ever confirm it: delete it for good, as PodGC does.
                            if await confirmDeletion(pod) == .failed { retry.insert(key) }
                        } else if await reportMissingNode(pod, node: nodeName) {
                            retry.insert(key)
                        }
                        continue
                    }
                    guard nodeReady || deleting else { continue }  // its kubelet is down: stays Pending
                    if !deleting, let rejection = Scheduler.kubeletAdmission(pod: pod, node: node) {
                        if await reject(pod, reason: rejection.reason, message: rejection.message) { retry.insert(key) }
                        continue
                    }
                    let ip = "10.244.\((nextIP / 250) % 250).\(nextIP % 250 + 2)"
                    nextIP &+= 1
                    let hostIP = (node[path: "status.addresses"]?.arrayValue ?? [])
                        .first { $0["type"] == "InternalIP" }?["address"]?.stringValue ?? "172.18.0.2"
                    entry = KubeletEntry(lifecycle: PodLifecycle(pod: pod, now: now, speed: speed, podIP: ip, hostIP: hostIP),
                                         namespace: namespace, name: name)
                    effects = deleting ? entry.lifecycle.kill(at: now) : entry.lifecycle.advance(to: now)
                }
                for effect in effects {
                    switch effect {
                    case .log(let container, let text, let at):
                        podLogs.append(namespace: namespace, pod: name, container: container, line: text, at: time.date(at))
                    case .exited(let container):
                        podLogs.markTerminated(namespace: namespace, pod: name, container: container)
                    }
                }
                let status = entry.lifecycle.status(previous: pod["status"], now: now, date: time.date)
                if status != entry.written {
                    do {
                        try await patchStatus(podCache, object: pod, status: status)
                        entry.written = status
                        jobWakeup.signal()
                    } catch where isNotFound(error) {
                        entry.written = status
                    } catch {
                        logger.warning("pod status write failed; retrying", metadata: ["pod.name": "\(namespace)/\(name)", "error": "\(error)"])
                        retry.insert(key)
                    }
                }
                if entry.written == status, entry.lifecycle.isFinished { entry.reportedFinished = true }
                if deleting, entry.lifecycle.isFinished, !entry.deleteSent {
                    let current = podCache.get(namespace: namespace, name: name) ?? pod
                    switch await confirmDeletion(current) {
                    case .sent: entry.deleteSent = true
                    case .waitingForFinalizers: break  // re-checked when the pod changes
                    case .failed: retry.insert(key)
                    }
                }
                entries[uid] = entry
                uids[key] = uid
                if let at = entry.lifecycle.nextWakeup {
                    due[key] = at
                    deadlines.insert(PodDeadline(at: at, key: key))
                }
            }
            if !retry.isEmpty {
                retryKeys.formUnion(retry)
                retryAt = min(retryAt ?? .seconds(Int64.max / 4), now + .seconds(1))
            }
            while let next = deadlines.min, due[next.key] != next.at { _ = deadlines.popMin() }
            deadline = [deadlines.min?.at, retryAt].compactMap { $0 }.min()
        }
    }

    enum DeletionOutcome { case sent, waitingForFinalizers, failed }

    /// The kubelet's final delete of a stopped pod whose finalizers are gone (an API server with
    /// graceful deletion keeps the object until then).
    func confirmDeletion(_ pod: JSONValue) async -> DeletionOutcome {
        guard (pod[path: "metadata.finalizers"]?.arrayValue ?? []).isEmpty else { return .waitingForFinalizers }
        do {
            let remaining = try await api.delete(.pods, namespace: pod[path: "metadata.namespace"]?.stringValue,
                                                 name: pod[path: "metadata.name"]?.stringValue ?? "",
                                                 options: DeleteOptions(gracePeriodSeconds: 0,
                                                                        preconditionUID: pod[path: "metadata.uid"]?.stringValue))
            if remaining == nil { podCache.remove(pod) }
            return .sent
        } catch where isNotFound(error) || isConflict(error) {
            return .sent
        } catch {
            logger.warning("pod delete failed; retrying", metadata: ["pod.name": "\(Self.key(pod))", "error": "\(error)"])
            return .failed
        }
    }

    /// The taint manager's eviction of a running pod from a node with an untolerated `NoExecute`
    /// taint: condition DisruptionTarget, an event, then a delete (the kubelet then stops it).
    /// Returns `false` to retry later.
    func evict(_ pod: JSONValue, taint: Taint) async -> Bool {
        let namespace = pod[path: "metadata.namespace"]?.stringValue ?? "default"
        let name = pod[path: "metadata.name"]?.stringValue ?? ""
        var status = pod["status"] ?? .emptyObject
        status["conditions"] = .array(Self.setCondition(status["conditions"]?.arrayValue ?? [], [
            "type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
            "message": "Taint manager: deleting due to NoExecute taint",
        ], now: time.now()))
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

    /// The kubelet refuses a pod it may not run: phase Failed with the predicate's reason, and a
    /// Warning event. Returns `true` to retry later.
    func reject(_ pod: JSONValue, reason: String, message: String) async -> Bool {
        var status = pod["status"] ?? .emptyObject
        status["phase"] = "Failed"
        status["reason"] = .string(reason)
        status["message"] = .string(message)
        status["startTime"] = status["startTime"] ?? .string(KubeTimestamp.time(time.now()))
        do {
            try await patchStatus(podCache, object: pod, status: status)
        } catch where isNotFound(error) {
            return false
        } catch {
            logger.warning("pod status write failed; retrying", metadata: ["pod.name": "\(Self.key(pod))", "error": "\(error)"])
            return true
        }
        jobWakeup.signal()
        await recordEvent(about: Self.withKind(pod, "Pod"), type: "Warning", reason: reason, message: message, component: "kubelet")
        return false
    }

    /// A pod bound (by its creator) to a node that does not exist stays Pending with a message;
    /// it starts if that node is added. Returns `true` to retry later.
    func reportMissingNode(_ pod: JSONValue, node: String) async -> Bool {
        let message = "node \"\(node)\" not found: the pod stays Pending until a node with that name exists"
        guard pod[path: "status.message"]?.stringValue != message else { return false }
        var status = pod["status"] ?? .emptyObject
        status["phase"] = status["phase"] ?? "Pending"
        status["message"] = .string(message)
        do {
            try await patchStatus(podCache, object: pod, status: status)
            return false
        } catch where isNotFound(error) {
            return false
        } catch {
            logger.warning("pod status write failed; retrying", metadata: ["pod.name": "\(Self.key(pod))", "error": "\(error)"])
            return true
        }
    }
}

/// When a pod's next program step is due, ordered by time (the kubelet's deadline heap).
struct PodDeadline: Comparable {
    var at: Duration
    var key: String

    static func < (a: PodDeadline, b: PodDeadline) -> Bool { (a.at, a.key) < (b.at, b.key) }
}
