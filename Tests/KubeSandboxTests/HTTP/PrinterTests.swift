import Foundation
import Kube
import Testing
@testable import KubeSandbox

@Suite struct PrinterTests {
    let now = Date(timeIntervalSince1970: 10_000)

    func pod(_ status: JSONValue, deleting: Bool = false) -> JSONValue {
        var p: JSONValue = ["metadata": ["name": "p", "creationTimestamp": "1970-01-01T02:00:00Z"],
                            "spec": ["containers": [["name": "a"], ["name": "b"]]], "status": status]
        if deleting { p["metadata"]?["deletionTimestamp"] = "1970-01-01T02:40:00Z" }
        return p
    }

    @Test func podStatusColumn() {
        #expect(PodPrinter.status(pod(["phase": "Pending"])) == "Pending")
        #expect(PodPrinter.status(pod(["phase": "Pending", "containerStatuses": [
            ["name": "a", "state": ["waiting": ["reason": "ContainerCreating"]]]]])) == "ContainerCreating")
        #expect(PodPrinter.status(pod(["phase": "Running", "containerStatuses": [
            ["name": "a", "ready": true, "state": ["running": ["startedAt": "x"]]],
            ["name": "b", "state": ["waiting": ["reason": "CrashLoopBackOff"]]]]])) == "CrashLoopBackOff")
        #expect(PodPrinter.status(pod(["phase": "Succeeded", "containerStatuses": [
            ["name": "a", "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]]]])) == "Completed")
        #expect(PodPrinter.status(pod(["phase": "Failed", "containerStatuses": [
            ["name": "a", "state": ["terminated": ["exitCode": 3]]]]])) == "ExitCode:3")
        #expect(PodPrinter.status(pod(["phase": "Pending", "initContainerStatuses": [
            ["name": "i", "state": ["waiting": ["reason": "PodInitializing"]]]]])) == "Init:0/0")
        #expect(PodPrinter.status(pod(["phase": "Running"], deleting: true)) == "Terminating")
    }

    @Test func podCells() {
        let p = pod(["phase": "Running", "podIP": "10.0.0.1", "containerStatuses": [
            ["name": "a", "ready": true, "restartCount": 2, "state": ["running": .emptyObject],
             "lastState": ["terminated": ["finishedAt": "1970-01-01T02:41:00Z"]]]]])
        let cells = PodPrinter.cells(p, now: now)
        #expect(cells[0...4] == ["p", "1/2", "Running", "2 (5m40s ago)", "46m"])
        #expect(cells[5] == "10.0.0.1")
    }

    @Test func jobCells() {
        let job: JSONValue = ["metadata": ["name": "j", "creationTimestamp": "1970-01-01T02:00:00Z"],
                              "spec": ["completions": 3, "parallelism": 1, "selector": ["matchLabels": ["k": "v"]],
                                       "template": ["spec": ["containers": [["name": "c", "image": "busybox"]]]]],
                              "status": ["succeeded": 3, "startTime": "1970-01-01T02:00:00Z", "completionTime": "1970-01-01T02:02:31Z",
                                         "conditions": [["type": "Complete", "status": "True"]]]]
        #expect(JobPrinter.cells(job, now: now) == ["j", "Complete", "3/3", "2m31s", "46m", "c", "busybox", "k=v"])
    }

    @Test func jsonPathSubset() {
        let o: JSONValue = ["status": ["conditions": [["type": "A", "status": "False"], ["type": "Ready", "status": "True"]]],
                            "spec": ["items": [["n": 1], ["n": 2]]]]
        #expect(JSONPath.evaluate(".status.conditions[?(@.type==\"Ready\")].status", o) == ["True"])
        #expect(JSONPath.evaluate(".spec.items[*].n", o) == [1, 2])
        #expect(JSONPath.evaluate(".spec.items[1].n", o) == [2])
        #expect(JSONPath.evaluate(".missing.x", o).isEmpty)
    }
}
