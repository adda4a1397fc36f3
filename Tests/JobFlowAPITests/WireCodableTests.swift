import Foundation
import JobFlowAPI
import Kube
import Testing

/// Spec and status values are Codable in their wire form, with any encoder.
@Suite struct WireCodableTests {
    func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(value))
    }

    @Test func aJobFlowSpecRoundTripsThroughFoundation() throws {
        let stored: JSONValue = [
            "globalParams": ["nodeName": "node1", "env": [["name": "FOO", "value": "bar"]], "labels": ["team": "data"]],
            "failurePolicy": "FailFast",
            "shareVolumes": [["name": "shared", "emptyDir": [:]]],
            "flows": [
                ["name": "a", "jobTemplate": ["template": ["spec": ["containers": [["name": "c", "image": "busybox"]]]]]],
                ["name": "b", "dependencies": ["a"], "jobTemplateRef": "t", "shareVolumeMounts": [["name": "shared", "mountPath": "/d"]]],
            ],
        ]
        let spec = JobFlowSpec.decode(stored).spec
        #expect(spec.json == stored)
        #expect(try roundTrip(spec).json == stored)
    }

    @Test func aDaemonJobSpecKeepsItsInlineJobSpec() throws {
        let stored: JSONValue = ["excludeNodeList": "node1, node2", "backoffLimit": 2,
                                 "template": ["spec": ["containers": [["name": "c", "image": "busybox"]]]]]
        let spec = try #require(DaemonJobSpec.decode(stored).spec)
        #expect(spec.json == stored)
        #expect(try roundTrip(spec).json == stored)
    }

    @Test func statusesRoundTripWithUnknownWordsKept() throws {
        let stored: JSONValue = [
            "state": "Running", "progress": "1/2", "message": "running: b", "conditions": [],
            "jobs": [["name": "a", "jobName": "f-a", "phase": "Succeed", "reason": "Completed", "attempts": 1],
                     ["name": "b", "jobName": "f-b", "phase": "Suspended", "attempts": 1]],
        ]
        let status = JobFlowStatus(json: stored)
        #expect(try roundTrip(status) == status)
        #expect(try roundTrip(status).json == stored)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(EntryStatus.self, from: Data(#"{"phase":"Failed"}"#.utf8)) }
    }
}
