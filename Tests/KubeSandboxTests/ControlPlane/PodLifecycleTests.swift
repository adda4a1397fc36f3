import Foundation
import Kube
import Testing
@testable import KubeSandbox

@Suite struct PodLifecycleTests {
    let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    func pod(_ script: String, restartPolicy: String = "Never", initScript: String? = nil) -> JSONValue {
        var spec: JSONValue = [
            "restartPolicy": .string(restartPolicy),
            "containers": [["name": "main", "image": "busybox", "command": ["sh", "-c", .string(script)],
                            "env": [["name": "GREETING", "value": "hi"]]]],
        ]
        if let initScript {
            spec["initContainers"] = [["name": "setup", "image": "busybox", "command": ["sh", "-c", .string(initScript)]]]
        }
        return ["metadata": ["name": "p", "namespace": "ns", "uid": "u1"], "spec": spec]
    }

    func status(_ l: PodLifecycle, at t: Duration) -> JSONValue {
        l.status(previous: nil, now: t, date: { epoch.addingTimeInterval(ShellInterpreter.seconds($0)) })
    }

    func condition(_ s: JSONValue, _ type: String) -> String? {
        s["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }?["status"]?.stringValue
    }

    @Test func creatingRunningSucceeded() {
        var l = PodLifecycle(pod: pod("echo $GREETING; sleep 10s; echo bye"), now: .zero, speed: 1, podIP: "10.244.0.5", hostIP: "172.18.0.2")
        var s = status(l, at: .zero)
        #expect(s["phase"] == "Pending")
        #expect(s[path: "containerStatuses"]?[0]?[path: "state.waiting.reason"] == "ContainerCreating")
        #expect(s["podIP"] == nil)
        #expect(l.nextWakeup == .milliseconds(500))

        let first = l.advance(to: .milliseconds(500))
        #expect(first == [.log(container: "main", text: "hi", at: .milliseconds(500))])
        s = status(l, at: .milliseconds(500))
        #expect(s["phase"] == "Running")
        #expect(s["podIP"] == "10.244.0.5")
        #expect(s[path: "containerStatuses"]?[0]?[path: "state.running.startedAt"] == "2023-11-14T22:13:20Z")
        #expect(condition(s, "Ready") == "True")
        #expect(condition(s, "Initialized") == "True")
        #expect(l.nextWakeup == .milliseconds(10_500))

        #expect(l.advance(to: .seconds(5)).isEmpty)
        let last = l.advance(to: .seconds(11))
        #expect(last == [.log(container: "main", text: "bye", at: .milliseconds(10_500)), .exited(container: "main")])
        s = status(l, at: .seconds(11))
        #expect(s["phase"] == "Succeeded")
        let terminated = s[path: "containerStatuses"]?[0]?[path: "state.terminated"]
        #expect(terminated?["exitCode"] == 0)
        #expect(terminated?["reason"] == "Completed")
        #expect(terminated?["finishedAt"] == "2023-11-14T22:13:30Z")
        #expect(condition(s, "Ready") == "False")
        #expect(l.nextWakeup == nil)
    }

    @Test func failingContainerAndSpeedFactor() {
        var l = PodLifecycle(pod: pod("sleep 10s && exit 1"), now: .seconds(100), speed: 10, podIP: "10.244.0.5", hostIP: "h")
        #expect(l.nextWakeup == .seconds(100) + .milliseconds(50))
        _ = l.advance(to: .seconds(100) + .milliseconds(50))
        #expect(l.nextWakeup == .seconds(101) + .milliseconds(50))
        #expect(l.advance(to: .seconds(102)) == [.exited(container: "main")])
        let s = status(l, at: .seconds(102))
        #expect(s["phase"] == "Failed")
        #expect(s[path: "containerStatuses"]?[0]?[path: "state.terminated.exitCode"] == 1)
        #expect(s[path: "containerStatuses"]?[0]?[path: "state.terminated.reason"] == "Error")
    }

    @Test func onFailureRestartsInPlace() {
        var l = PodLifecycle(pod: pod("exit 2", restartPolicy: "OnFailure"), now: .zero, speed: 1, podIP: "ip", hostIP: "h")
        #expect(l.advance(to: .seconds(1)).isEmpty)
        var s = status(l, at: .seconds(1))
        #expect(s["phase"] == "Running")
        #expect(s[path: "containerStatuses"]?[0]?["restartCount"] == 1)
        #expect(s[path: "containerStatuses"]?[0]?[path: "state.waiting.reason"] == "CrashLoopBackOff")
        #expect(s[path: "containerStatuses"]?[0]?[path: "lastState.terminated.exitCode"] == 2)
        // Restarts after 10 s, then fails again and waits 20 s.
        _ = l.advance(to: .milliseconds(10_500))
        s = status(l, at: .milliseconds(10_500))
        #expect(s[path: "containerStatuses"]?[0]?["restartCount"] == 2)
        #expect(l.nextWakeup == .milliseconds(30_500))
    }

    @Test func initContainersRunFirst() {
        var l = PodLifecycle(pod: pod("echo main", initScript: "echo init; sleep 2"), now: .zero, speed: 1, podIP: "ip", hostIP: "h")
        let a = l.advance(to: .seconds(1))
        #expect(a == [.log(container: "setup", text: "init", at: .milliseconds(500))])
        var s = status(l, at: .seconds(1))
        #expect(s["phase"] == "Pending")
        #expect(condition(s, "Initialized") == "False")
        #expect(s[path: "containerStatuses"]?[0]?[path: "state.waiting.reason"] == "PodInitializing")
        let b = l.advance(to: .seconds(3))
        #expect(b == [.exited(container: "setup"), .log(container: "main", text: "main", at: .milliseconds(2500)), .exited(container: "main")])
        s = status(l, at: .seconds(3))
        #expect(s["phase"] == "Succeeded")
        #expect(s[path: "initContainerStatuses"]?[0]?[path: "state.terminated.reason"] == "Completed")
    }

    @Test func failedInitContainerFailsThePod() {
        var l = PodLifecycle(pod: pod("echo main", initScript: "exit 1"), now: .zero, speed: 1, podIP: "ip", hostIP: "h")
        _ = l.advance(to: .seconds(1))
        #expect(l.isFinished)
        #expect(l.phase == "Failed")
    }

    @Test func killOnDeletionAndNodeLoss() {
        var l = PodLifecycle(pod: pod("sleep 100"), now: .zero, speed: 1, podIP: "ip", hostIP: "h")
        _ = l.advance(to: .seconds(1))
        #expect(l.kill(at: .seconds(5), reason: "NodeLost", message: "Node node-1 which was running pod p is unresponsive") == [.exited(container: "main")])
        let s = status(l, at: .seconds(5))
        #expect(s["phase"] == "Failed")
        #expect(s["reason"] == "NodeLost")
        #expect(s[path: "containerStatuses"]?[0]?[path: "state.terminated.exitCode"] == 137)

        var waiting = PodLifecycle(pod: pod("sleep 100"), now: .zero, speed: 1, podIP: "ip", hostIP: "h")
        _ = waiting.kill(at: .zero)
        #expect(waiting.phase == "Failed")
        #expect(status(waiting, at: .zero)[path: "containerStatuses"]?[0]?[path: "state.terminated.reason"] == "ContainerStatusUnknown")
    }
}
