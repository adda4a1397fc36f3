import Foundation
import Kube
import Testing
@testable import KubeSandbox

/// The kubelet's decisions on plain values: pods and nodes are JSON values, time is whatever
/// the test says (no clock, no sleeping), and actions are only looked at, never performed.
@Suite struct KubeletStateMachineTests {
    typealias Action = KubeletStateMachine.Action
    static let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    /// The machine plus the world it looks at; a pass visits what the machine picks and treats
    /// every action as performed (a status write is stored on the pod) unless `failing` says so.
    struct World {
        var machine = KubeletStateMachine(speed: 1)
        var pods: [String: JSONValue] = [:]
        var nodes: [String: JSONValue] = ["node-1": NodeSpec(name: "node-1").object(index: 0, now: epoch)]
        /// When the machine asked to be woken, after the last pass.
        var wakeup: Duration?

        mutating func add(_ pod: JSONValue) { pods[ObjectCache.key(pod)] = pod }

        mutating func pass(at now: Duration, changed: Set<String> = [],
                           failing: (Action) -> Bool = { _ in false }) -> [Action] {
            var all: [Action] = []
            for key in machine.beginPass(changed: changed, now: now) {
                let actions = machine.visit(key: key, pod: pods[key], nodes: nodes, now: now,
                                            wallTime: epoch.addingTimeInterval(ShellInterpreter.seconds(now)))
                for action in actions {
                    if failing(action) {
                        machine.failed(action)
                        continue
                    }
                    if case .writeStatus(_, let status) = action { pods[key]?["status"] = status }
                    machine.succeeded(action)
                }
                all += actions
            }
            wakeup = machine.endPass(now: now)
            return all
        }
    }

    static func pod(_ name: String = "p", uid: String = "u1", node: String? = "node-1", script: String = "true",
                    restartPolicy: String = "Never") -> JSONValue {
        var pod: JSONValue = [
            "metadata": ["name": .string(name), "namespace": "ns", "uid": .string(uid)],
            "spec": ["restartPolicy": .string(restartPolicy),
                     "containers": [["name": "main", "image": "busybox", "command": ["sh", "-c", .string(script)]]]],
            "status": ["phase": "Pending"],
        ]
        if let node { pod[path: "spec.nodeName"] = .string(node) }
        return pod
    }

    static func writes(_ actions: [Action]) -> [JSONValue] {
        actions.compactMap { if case .writeStatus(_, let status) = $0 { status } else { nil } }
    }

    static func mainState(_ status: JSONValue?) -> JSONValue? { status?[path: "containerStatuses"]?[0]?["state"] }

    @Test func acceptsABoundPodThenStartsItsContainer() {
        var w = World()
        w.add(Self.pod(script: "sleep 5"))
        let accepted = w.pass(at: .zero, changed: ["ns/p"])
        #expect(accepted.count == 1)
        let pending = Self.writes(accepted).first
        #expect(pending?["phase"] == "Pending")
        #expect(Self.mainState(pending)?[path: "waiting.reason"] == "ContainerCreating")
        #expect(pending?["hostIP"] == "172.18.0.2")
        #expect(pending?["startTime"] == "2023-11-14T22:13:20Z")
        #expect(w.wakeup == .milliseconds(500), "wake up when ContainerCreating is over")

        #expect(w.pass(at: .milliseconds(499)).isEmpty, "nothing is due yet")
        let started = Self.writes(w.pass(at: .milliseconds(500))).first
        #expect(started?["phase"] == "Running")
        #expect(started?["podIP"] == "10.244.0.2")
        #expect(Self.mainState(started)?[path: "running.startedAt"] == "2023-11-14T22:13:20Z")
        #expect(w.wakeup == .milliseconds(5_500), "wake up when the program ends")
    }

    @Test func aCommandExitingZeroSucceedsThePod() {
        var w = World()
        w.add(Self.pod(script: "echo hi; sleep 2; exit 0"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        let started = w.pass(at: .milliseconds(500))
        #expect(started.first == .appendLog(namespace: "ns", pod: "p", container: "main", line: "hi",
                                            at: Self.epoch.addingTimeInterval(0.5)))
        let finished = w.pass(at: .milliseconds(2_500))
        #expect(finished.first == .endLog(namespace: "ns", pod: "p", container: "main"))
        let status = Self.writes(finished).first
        #expect(status?["phase"] == "Succeeded")
        #expect(Self.mainState(status)?[path: "terminated.exitCode"] == 0)
        #expect(Self.mainState(status)?[path: "terminated.reason"] == "Completed")
        #expect(w.machine.entry(forKey: "ns/p")?.reportedFinished == true)
        #expect(w.wakeup == nil, "a finished pod needs no timer")
        #expect(w.pass(at: .seconds(3), changed: ["ns/p"]).isEmpty, "finished and reported: nothing more to say")
    }

    @Test func aCommandExitingOneFailsThePod() {
        var w = World()
        w.add(Self.pod(script: "sleep 1; exit 1"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        _ = w.pass(at: .milliseconds(500))
        let finished = w.pass(at: .milliseconds(1_500))
        #expect(finished.contains(.endLog(namespace: "ns", pod: "p", container: "main")))
        let status = Self.writes(finished).first
        #expect(status?["phase"] == "Failed")
        #expect(Self.mainState(status)?[path: "terminated.exitCode"] == 1)
        #expect(Self.mainState(status)?[path: "terminated.reason"] == "Error")
    }

    @Test func aLateWakeUpReplaysEveryStepThatWasDue() {
        var w = World()
        w.add(Self.pod(script: "echo a; sleep 1; echo b; sleep 1"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        let actions = w.pass(at: .seconds(10))
        #expect(actions.filter { if case .appendLog = $0 { true } else { false } }.count == 2)
        #expect(Self.writes(actions).first?["phase"] == "Succeeded", "one write for the whole catch-up")
        #expect(Self.writes(actions).count == 1)
    }

    @Test func aDeadlineOfAPodThatWentAwayWakesNothing() {
        var w = World()
        w.add(Self.pod(script: "sleep 5"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        #expect(w.wakeup == .milliseconds(500))
        w.pods["ns/p"] = nil
        let gone = w.pass(at: .milliseconds(100), changed: ["ns/p"])
        #expect(gone == [.removeLogs(namespace: "ns", pod: "p")])
        #expect(w.wakeup == nil, "its deadline is dropped")
        #expect(w.machine.beginPass(changed: [], now: .seconds(1)).isEmpty)
    }

    @Test func aNodeGoingNotReadyFailsItsRunningPodsWithNodeLost() {
        var w = World()
        w.add(Self.pod(script: "sleep 100"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        _ = w.pass(at: .milliseconds(500))
        w.nodes["node-1"] = NodeSpec(name: "node-1", ready: false).object(index: 0, now: Self.epoch)
        let lost = w.pass(at: .seconds(2), changed: ["ns/p"])
        #expect(lost.first == .endLog(namespace: "ns", pod: "p", container: "main"))
        let status = Self.writes(lost).first
        #expect(status?["phase"] == "Failed")
        #expect(status?["reason"] == "NodeLost")
        #expect(status?["message"] == "Node node-1 which was running pod p is unresponsive")
        #expect(Self.mainState(status)?[path: "terminated.exitCode"] == 137)
    }

    @Test func aNodeThatWentAwayFailsItsRunningPods() {
        var w = World()
        w.add(Self.pod(script: "sleep 100"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        _ = w.pass(at: .milliseconds(500))
        w.nodes = [:]
        let status = Self.writes(w.pass(at: .seconds(2), changed: ["ns/p"])).first
        #expect(status?["reason"] == "NodeLost")
        #expect(Self.mainState(status)?[path: "terminated.finishedAt"] == "2023-11-14T22:13:22Z")
    }

    @Test func aPodOnANotReadyNodeWaitsUnaccepted() {
        var w = World()
        w.nodes["node-1"] = NodeSpec(name: "node-1", ready: false).object(index: 0, now: Self.epoch)
        w.add(Self.pod())
        #expect(w.pass(at: .zero, changed: ["ns/p"]).isEmpty)
        #expect(w.machine.entry(forKey: "ns/p") == nil)
        w.nodes["node-1"] = NodeSpec(name: "node-1").object(index: 0, now: Self.epoch)
        #expect(Self.writes(w.pass(at: .seconds(1), changed: ["ns/p"])).first?["phase"] == "Pending")
    }

    @Test func aPodBoundToAMissingNodeSaysSoOnce() {
        var w = World()
        w.add(Self.pod(node: "node-9"))
        let first = w.pass(at: .zero, changed: ["ns/p"])
        guard case .markWaitingForNode(_, let status) = first.first else {
            Issue.record("expected markWaitingForNode, got \(first)")
            return
        }
        #expect(status["phase"] == "Pending")
        #expect(status["message"] == "node \"node-9\" not found: the pod stays Pending until a node with that name exists")
        w.pods["ns/p"]?["status"] = status
        #expect(w.pass(at: .seconds(1), changed: ["ns/p"]).isEmpty)
    }

    @Test func admissionRejectsAPodTheNodeDoesNotMatch() {
        var w = World()
        var pod = Self.pod()
        pod[path: "spec.nodeSelector"] = ["disk": "ssd"]
        w.add(pod)
        let actions = w.pass(at: .seconds(3), changed: ["ns/p"])
        guard case .reject(_, let status, let reason, let message) = actions.first, actions.count == 1 else {
            Issue.record("expected one reject, got \(actions)")
            return
        }
        #expect(reason == "NodeAffinity")
        #expect(message == "Pod was rejected: Predicate NodeAffinity failed")
        #expect(status["phase"] == "Failed")
        #expect(status["startTime"] == "2023-11-14T22:13:23Z")
        #expect(w.machine.entry(forKey: "ns/p") == nil, "a rejected pod is never run")
    }

    @Test func anUntoleratedNoExecuteTaintEvictsARunningPodOnce() {
        var w = World()
        w.add(Self.pod(script: "sleep 100"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        w.nodes["node-1"] = NodeSpec(name: "node-1", taints: [Taint(key: "gpu", value: "broken", effect: "NoExecute")])
            .object(index: 0, now: Self.epoch)
        let actions = w.pass(at: .seconds(1), changed: ["ns/p"])
        guard case .evict(_, let status, let taint) = actions.first else {
            Issue.record("expected an eviction first, got \(actions)")
            return
        }
        #expect(taint.key == "gpu")
        let condition = status["conditions"]?.arrayValue?.first { $0["type"] == "DisruptionTarget" }
        #expect(condition?["reason"] == "DeletionByTaintManager")
        #expect(condition?["lastTransitionTime"] == "2023-11-14T22:13:21Z")
        #expect(!w.pass(at: .seconds(2), changed: ["ns/p"]).contains { if case .evict = $0 { true } else { false } })
    }

    @Test func deletionStopsThePodAndDeletesItOnceItsFinalizersAreGone() {
        var w = World()
        w.add(Self.pod(script: "sleep 100"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        _ = w.pass(at: .milliseconds(500))
        w.pods["ns/p"]?[path: "metadata.deletionTimestamp"] = "2023-11-14T22:13:21Z"
        w.pods["ns/p"]?[path: "metadata.finalizers"] = ["batch.kubernetes.io/job-tracking"]
        let stopped = w.pass(at: .seconds(1), changed: ["ns/p"])
        let status = Self.writes(stopped).first
        #expect(status?["phase"] == "Failed")
        #expect(Self.mainState(status)?[path: "terminated.exitCode"] == 137)
        #expect(!stopped.contains { if case .delete = $0 { true } else { false } }, "a finalizer holds the delete")

        w.pods["ns/p"]?[path: "metadata.finalizers"] = []
        let deleted = w.pass(at: .seconds(2), changed: ["ns/p"])
        #expect(deleted.count == 1)
        guard case .delete(let pod) = deleted.first else { return }
        #expect(pod[path: "metadata.uid"] == "u1")
        #expect(w.pass(at: .seconds(3), changed: ["ns/p"]).isEmpty, "the delete is sent once")
    }

    @Test func aFailedWriteIsRetriedASecondLater() {
        var w = World()
        w.add(Self.pod(script: "sleep 100"))
        let failed = w.pass(at: .zero, changed: ["ns/p"]) { if case .writeStatus = $0 { true } else { false } }
        #expect(Self.writes(failed).count == 1)
        #expect(w.wakeup == .milliseconds(500), "the program step comes before the retry")
        _ = w.pass(at: .milliseconds(500)) { _ in true }
        #expect(w.wakeup == .seconds(1), "the retry is due a second after the first failure")
        #expect(Self.writes(w.pass(at: .seconds(1))).first?["phase"] == "Running", "written again on retry")
        #expect(w.wakeup == .milliseconds(100_500))
    }

    @Test func aPodReplacedUnderItsNameStartsAfreshWithItsOwnLogs() {
        var w = World()
        w.add(Self.pod(script: "sleep 100"))
        _ = w.pass(at: .zero, changed: ["ns/p"])
        w.add(Self.pod(uid: "u2", script: "sleep 100"))
        let actions = w.pass(at: .seconds(1), changed: ["ns/p"])
        #expect(actions.first == .removeLogs(namespace: "ns", pod: "p"))
        #expect(Self.writes(actions).first?[path: "containerStatuses"]?[0]?[path: "state.waiting.reason"] == "ContainerCreating")
        #expect(Self.writes(actions).first?["podIP"] == nil)
        #expect(w.machine.entry(forKey: "ns/p")?.lifecycle.uid == "u2")
    }

    @Test func terminalPodsAreNeverRunAndDeletedOnlyWhenBeingDeleted() {
        var w = World()
        var done = Self.pod()
        done[path: "status.phase"] = "Succeeded"
        w.add(done)
        #expect(w.pass(at: .zero, changed: ["ns/p"]).isEmpty)
        w.pods["ns/p"]?[path: "metadata.deletionTimestamp"] = "2023-11-14T22:13:21Z"
        let actions = w.pass(at: .seconds(1), changed: ["ns/p"])
        #expect(actions.count == 1)
        #expect({ if case .delete = actions.first { true } else { false } }())
    }

    @Test func podIPsAreHandedOutInAcceptanceOrder() {
        var w = World()
        for (i, name) in ["a", "b", "c"].enumerated() { w.add(Self.pod(name, uid: "u\(i)")) }
        _ = w.pass(at: .zero, changed: ["ns/a", "ns/b", "ns/c"])
        let ips = Self.writes(w.pass(at: .milliseconds(500))).compactMap { $0["podIP"]?.stringValue }
        #expect(ips == ["10.244.0.2", "10.244.0.3", "10.244.0.4"])
    }
}
