import JobFlowAPI
import Foundation
import Kube
import Testing
@testable import Orchestrator

@Suite struct StatusTests {
    @Test func flowStatusRoundTrips() {
        var w = World(Fixtures.flow([("a", []), ("b", ["a"])]))
        w.step()
        w.finish("a", succeeded: false)
        w.step()
        w.annotate(Keys.retryAnnotation, "a")
        let plan = w.plan()
        let decoded = JobFlowStatus(json: plan.status)
        #expect(decoded.json == plan.status)
        #expect(decoded.handledRequests == [HandledRequest(kind: .retry, value: "a")])
        #expect(decoded.jobs[0].previous?.phase == .failed)
    }

    @Test func daemonJobStatusRoundTrips() {
        var w = World(["kind": "DaemonJob", "metadata": ["name": "dj"], "spec": ["template": ["spec": ["containers": [Fixtures.container()]]]]])
        w.nodes = [Fixtures.node("n1"), Fixtures.node("n2", ready: false)]
        w.step()
        let status = w.status!
        let decoded = DaemonJobStatus(json: status)
        #expect(decoded.nodes.map(\.name) == ["n1"])
        #expect(status["nodes"]?[0]?["node"] == "n1")
        #expect(status["nodes"]?[0]?["name"] == nil)
        #expect(status["skippedNodes"] == [["node": "n2", "reason": "NotReady", "message": "node is not Ready"]])
    }

    @Test func needsWriteOnlyWhenDifferent() {
        let a: JSONValue = ["state": "Running", "jobs": [["name": "a"]]]
        #expect(!StatusDiff.needsWrite(stored: a, computed: a))
        #expect(StatusDiff.needsWrite(stored: nil, computed: a))
        #expect(StatusDiff.needsWrite(stored: a, computed: ["state": "Failed", "jobs": [["name": "a"]]]))
    }

    @Test func timestampsAreRFC3339UTC() {
        #expect(KubeTimestamp.time(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20Z")
        #expect(KubeTimestamp.time(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }

    @Test func garbageObjectsNeverCrashThePlanners() {
        let garbage: [JSONValue] = [.null, 3, ["spec": "x"], ["metadata": ["name": 4], "spec": ["flows": [["name": "a", "dependencies": "b"]]]],
                                    ["metadata": ["name": "f", "annotations": ["api.practice.com/retry": 5]], "spec": ["flows": []], "status": "bad"],
                                    ["metadata": ["name": "f"], "status": ["jobs": [1, ["name": 2], ["name": "a", "attempts": "x", "phase": "Odd"]]]]]
        let junkJobs: [JSONValue] = [.null, ["metadata": ["name": "f-a", "annotations": ["api.practice.com/attempt": "-4"]], "status": ["conditions": "x"]]]
        for object in garbage {
            let flow = FlowPlanner.plan(flow: object, templates: ["t": 5], jobs: junkJobs, pods: [1, ["metadata": 2]], now: Date(timeIntervalSince1970: 0))
            #expect(flow.createdJobs.isEmpty)
            let dj = DaemonJobPlanner.plan(daemonJob: object, nodes: [1, ["metadata": ["name": "n"]]], jobs: junkJobs, pods: [], now: Date(timeIntervalSince1970: 0))
            #expect(dj.createdJobs.isEmpty)
        }
    }

    @Test func expectedJobNamesFollowTheSpec() throws {
        let flow = try Fixtures.example("jobflow-example.yaml")[0]
        #expect(FlowPlanner.expectedJobNames(flow: flow) == (1...5).map { "jobflow-example-job\($0)" })
    }
}

@Suite struct RoutingTests {
    @Test func ownerOfARenderedJobIsItsFlow() throws {
        let plan = World(try Fixtures.example("jobflow-example.yaml")[0]).plan()
        let owner = Routing.owner(of: plan.createdJobs[0])
        #expect(owner?.kind == .jobFlow)
        #expect(owner?.name == "jobflow-example")
        #expect(Routing.owner(of: ["metadata": ["ownerReferences": [["kind": "CronJob", "controller": true]]]]) == nil)
    }

    @Test func templateNamesOfAFlow() throws {
        let flow = try Fixtures.example("jobflow-example-template.yaml")[2]
        #expect(Routing.templateNames(flow: flow) == ["job1-template", "job2-template"])
    }
}
