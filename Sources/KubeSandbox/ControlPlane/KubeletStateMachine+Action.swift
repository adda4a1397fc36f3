import Foundation
import Kube

extension KubeletStateMachine {
    /// What the loop must do outside the state machine, in the order given. Writes carry the
    /// pod as the loop saw it (the status patch is the diff against its `status`) and the full
    /// status to store. After performing one the loop calls `succeeded(_:)` (also when the pod
    /// was already gone) or `failed(_:)` (the pod is visited again a second later).
    enum Action: Sendable, Equatable {
        /// A container wrote `line` at `at`: append it to the pod's log.
        case appendLog(namespace: String, pod: String, container: String, line: String, at: Date)
        /// A container stopped for good: its log stream ends.
        case endLog(namespace: String, pod: String, container: String)
        /// The pod object is gone (or another pod took its name): drop its logs.
        case removeLogs(namespace: String, pod: String)
        /// Merge-patch the pod's status from `pod.status` to `status` (the lifecycle's rendering);
        /// on success the Job controller is woken.
        case writeStatus(pod: JSONValue, status: JSONValue)
        /// The taint manager's eviction for an untolerated `NoExecute` taint: write `status`
        /// (condition DisruptionTarget), record a `TaintManagerEviction` event, delete the pod.
        case evict(pod: JSONValue, status: JSONValue, taint: Taint)
        /// Admission refused the pod: write `status` (phase Failed) and a Warning event.
        case reject(pod: JSONValue, status: JSONValue, reason: String, message: String)
        /// The pod is bound to a node that does not exist: write `status` (the message saying so).
        case markWaitingForNode(pod: JSONValue, status: JSONValue)
        /// The kubelet's final delete of a stopped pod whose finalizers are gone (grace 0, the
        /// pod's uid as precondition).
        case delete(pod: JSONValue)

        /// The pod the action is about; `nil` for log actions.
        var pod: JSONValue? {
            switch self {
            case .writeStatus(let pod, _), .evict(let pod, _, _), .reject(let pod, _, _, _),
                 .markWaitingForNode(let pod, _), .delete(let pod):
                return pod
            case .appendLog, .endLog, .removeLogs:
                return nil
            }
        }
    }
}
