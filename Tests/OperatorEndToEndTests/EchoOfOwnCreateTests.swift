import JobFlowAPI
import Kube
import Testing
@testable import Orchestrator

/// The watch event that shows a Job this replica just created wakes nobody; anything more does.
@Suite("The echo of the operator's own create")
struct EchoOfOwnCreateTests {
    /// As the Job informer hands it to its handlers: transformed.
    static var job: JSONValue { OperatorCaches.jobTransform(raw) }
    static let raw: JSONValue = [
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": ["name": "f-a", "namespace": "default", "uid": "u1", "resourceVersion": "10",
                     "creationTimestamp": "2026-01-01T00:00:00Z",
                     "labels": ["api.practice.com/jobflow": "f", "api.practice.com/attempt": "1", "team": "x"],
                     "ownerReferences": [["apiVersion": "api.practice.com/v1alpha1", "kind": "JobFlow", "name": "f",
                                          "uid": "flow-uid", "controller": true]]],
        "spec": ["template": ["spec": ["containers": [["name": "main", "image": "busybox"]]]]],
    ]

    static func operatorUnderTest() throws -> Operator {
        try Operator(api: UnavailableAPI(), configuration: OperatorConfiguration(namespace: "default", identity: "x", leaderElection: false),
                     logger: Harness.logger("echo"))
    }

    @Test("the ADDED event of a Job just created, as created, is its echo")
    func echo() throws {
        let op = try Self.operatorUnderTest()
        #expect(!op.isEchoOfOwnCreate(Self.job), "nothing created yet")
        op.expectCreated(Self.raw, key: "default/f-a")
        #expect(op.isEchoOfOwnCreate(Self.job))
        // The watch may show it with another resourceVersion or fields the planners do not read.
        var later = Self.job
        later[path: "metadata.resourceVersion"] = "11"
        later[path: "status.active"] = 1
        #expect(op.isEchoOfOwnCreate(later))
    }

    @Test("a Job of that name with another uid, a later state, or never created by us wakes its owner")
    func notEcho() throws {
        let op = try Self.operatorUnderTest()
        op.expectCreated(Self.raw, key: "default/f-a")
        var other = Self.job
        other[path: "metadata.uid"] = "u2"
        #expect(!op.isEchoOfOwnCreate(other))
        var finished = Self.job
        finished[path: "status.conditions"] = [["type": "Complete", "status": "True"]]
        #expect(!op.isEchoOfOwnCreate(finished))
        var deleting = Self.job
        deleting[path: "metadata.deletionTimestamp"] = "2026-01-01T00:00:05Z"
        #expect(!op.isEchoOfOwnCreate(deleting))
        var stranger = Self.job
        stranger[path: "metadata.name"] = "f-b"
        #expect(!op.isEchoOfOwnCreate(stranger))
    }
}
