import Foundation
import Kube

extension KubeletStateMachine {
    /// Decides about the pod stored under `key` (`pod`: its cached object, `nil` when gone).
    /// `nodes` are the cached nodes by name.
    ///
    /// A pod the kubelets have not accepted yet is accepted when it is bound to a Ready node and
    /// passes admission, rejected when it fails admission, left Pending (with a message) when
    /// its node does not exist, and left alone while its node is NotReady. An accepted pod's
    /// program is advanced to `now`, or stopped when the pod is being deleted (exit 137) or its
    /// node went NotReady or away (`NodeLost`); a running pod on a node with an untolerated
    /// `NoExecute` taint is evicted. The status is written when its rendering changed, and a
    /// stopped pod being deleted gets the final delete once its finalizers are gone.
    mutating func visit(key: String, pod current: JSONValue?, nodes: [String: JSONValue],
                        now: Duration, wallTime: Date) -> [Action] {
        var actions: [Action] = []
        let currentUID = current?[path: "metadata.uid"]?.stringValue
        if let gone = forget(key: key, unlessUID: currentUID) {
            actions.append(.removeLogs(namespace: gone.namespace, pod: gone.name))
        }
        guard let pod = current, let nodeName = pod[path: "spec.nodeName"]?.stringValue, !nodeName.isEmpty,
              let uid = currentUID else { return actions }
        let name = pod[path: "metadata.name"]?.stringValue ?? ""
        let namespace = pod[path: "metadata.namespace"]?.stringValue ?? "default"
        let node = nodes[nodeName]
        let nodeReady = node.map(Scheduler.isReady) ?? false
        let deleting = pod[path: "metadata.deletionTimestamp"] != nil
        let date = { (offset: Duration) in wallTime.addingTimeInterval(ShellInterpreter.seconds(offset - now)) }

        var effects: [PodLifecycle.Effect] = []
        var entry: Entry
        if let existing = entries[uid] {
            // Finished and reported: nothing to do until it is deleted.
            if existing.reportedFinished, !deleting || existing.deleteSent { return actions }
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
                        actions.append(.evict(pod: pod, status: Self.evictionStatus(pod, wallTime: wallTime), taint: taint))
                    }
                }
            }
        } else {
            if ControlPlane.isTerminal(pod) {
                if deleting, Self.mayDelete(pod) { actions.append(.delete(pod: pod)) }
                return actions
            }
            guard let node else {
                if deleting {
                    // No kubelet will ever confirm it: delete it for good, as PodGC does.
                    if Self.mayDelete(pod) { actions.append(.delete(pod: pod)) }
                } else if let status = Self.waitingForNodeStatus(pod, node: nodeName) {
                    actions.append(.markWaitingForNode(pod: pod, status: status))
                }
                return actions
            }
            guard nodeReady || deleting else { return actions }  // its kubelet is down: stays Pending
            if !deleting, let rejection = Scheduler.kubeletAdmission(pod: pod, node: node) {
                actions.append(.reject(pod: pod, status: Self.rejectionStatus(pod, reason: rejection.reason,
                                                                              message: rejection.message, wallTime: wallTime),
                                       reason: rejection.reason, message: rejection.message))
                return actions
            }
            let hostIP = (node[path: "status.addresses"]?.arrayValue ?? [])
                .first { $0["type"] == "InternalIP" }?["address"]?.stringValue ?? "172.18.0.2"
            entry = Entry(lifecycle: PodLifecycle(pod: pod, now: now, speed: speed, podIP: allocatePodIP(), hostIP: hostIP),
                          namespace: namespace, name: name)
            effects = deleting ? entry.lifecycle.kill(at: now) : entry.lifecycle.advance(to: now)
        }

        for effect in effects {
            switch effect {
            case .log(let container, let text, let at):
                actions.append(.appendLog(namespace: namespace, pod: name, container: container, line: text, at: date(at)))
            case .exited(let container):
                actions.append(.endLog(namespace: namespace, pod: name, container: container))
            }
        }
        let status = entry.lifecycle.status(previous: pod["status"], now: now, date: date)
        if status != entry.written {
            actions.append(.writeStatus(pod: pod, status: status))  // `succeeded` records it
        } else if entry.lifecycle.isFinished {
            entry.reportedFinished = true
        }
        if deleting, entry.lifecycle.isFinished, !entry.deleteSent, Self.mayDelete(pod) {
            actions.append(.delete(pod: pod))
        }
        store(entry, uid: uid, key: key)
        return actions
    }

    /// The final delete waits for the pod's finalizers (an API server with graceful deletion
    /// keeps the object until they are gone); their removal changes the pod, which brings it back.
    static func mayDelete(_ pod: JSONValue) -> Bool {
        (pod[path: "metadata.finalizers"]?.arrayValue ?? []).isEmpty
    }

    /// The pod's status with `DisruptionTarget=True DeletionByTaintManager`.
    static func evictionStatus(_ pod: JSONValue, wallTime: Date) -> JSONValue {
        var status = pod["status"] ?? .emptyObject
        status["conditions"] = .array(ControlPlane.setCondition(status["conditions"]?.arrayValue ?? [], [
            "type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
            "message": "Taint manager: deleting due to NoExecute taint",
        ], now: wallTime))
        return status
    }

    /// The status of a pod admission refused: phase Failed with the predicate's reason.
    static func rejectionStatus(_ pod: JSONValue, reason: String, message: String, wallTime: Date) -> JSONValue {
        var status = pod["status"] ?? .emptyObject
        status["phase"] = "Failed"
        status["reason"] = .string(reason)
        status["message"] = .string(message)
        status["startTime"] = status["startTime"] ?? .string(KubeTimestamp.time(wallTime))
        return status
    }

    /// The status of a pod bound to a node that does not exist (it starts if that node is
    /// added); `nil` when the pod already says so.
    static func waitingForNodeStatus(_ pod: JSONValue, node: String) -> JSONValue? {
        let message = "node \"\(node)\" not found: the pod stays Pending until a node with that name exists"
        guard pod[path: "status.message"]?.stringValue != message else { return nil }
        var status = pod["status"] ?? .emptyObject
        status["phase"] = status["phase"] ?? "Pending"
        status["message"] = .string(message)
        return status
    }
}
