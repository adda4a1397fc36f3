import JobFlowAPI
import Kube
import Testing
@testable import Orchestrator

/// The operator skips Job and pod updates that leave what the planners read unchanged: these
/// check that "unchanged view" really means "unchanged `ObservedJob`".
@Suite struct WakeUpFilterTests {
    static let job: JSONValue = ["metadata": ["name": "f-a", "uid": "u1"], "status": ["active": 1]]

    static func pod(phase: String = "Pending", node: String? = nil, state: JSONValue? = nil, name: String = "f-a-x",
                    created: String = "2026-01-01T00:00:00Z") -> JSONValue {
        var pod: JSONValue = ["metadata": ["name": .string(name), "creationTimestamp": .string(created),
                                           "labels": ["job-name": "f-a"],
                                           "ownerReferences": [["uid": "u1", "controller": true]]],
                              "status": ["phase": .string(phase)]]
        if let node { pod[path: "spec.nodeName"] = .string(node) }
        if let state { pod[path: "status.containerStatuses"] = [["name": "main", "state": state]] }
        return pod
    }

    @Test func aContainerStartTimeAloneDoesNotChangeThePodView() {
        let a = Self.pod(phase: "Running", node: "n1", state: ["running": ["startedAt": "2026-01-01T00:00:01Z"]])
        let b = Self.pod(phase: "Running", node: "n1", state: ["running": ["startedAt": "2026-01-01T00:00:02Z"]])
        #expect(ObservedJob.PodView(a) == ObservedJob.PodView(b))
    }

    @Test func whatThePlannersReadChangesThePodView() {
        let base = Self.pod(node: "n1", state: ["waiting": ["reason": "ContainerCreating"]])
        let variants = [
            Self.pod(node: "n1", state: ["waiting": ["reason": "ImagePullBackOff"]]),
            Self.pod(node: "n2", state: ["waiting": ["reason": "ContainerCreating"]]),
            Self.pod(phase: "Running", node: "n1", state: ["running": [:]]),
            Self.pod(phase: "Failed", node: "n1", state: ["terminated": ["exitCode": 3, "reason": "Error"]]),
            Self.pod(node: "n1", state: ["waiting": ["reason": "ContainerCreating"]], name: "f-a-y"),
            Self.pod(node: "n1", state: ["waiting": ["reason": "ContainerCreating"]], created: "2026-01-01T00:00:09Z"),
        ]
        for variant in variants { #expect(ObservedJob.PodView(variant) != ObservedJob.PodView(base)) }
    }

    /// Seeded: pods built from random parts; whenever two have the same view, the Job they belong
    /// to is observed identically with either.
    @Test func equalPodViewsGiveEqualObservedJobs() {
        var rng = SplitMix(seed: 42)
        let phases = ["Pending", "Running", "Succeeded", "Failed"]
        let states: [JSONValue] = [["waiting": ["reason": "ContainerCreating"]], ["running": ["startedAt": "t1"]],
                                   ["running": ["startedAt": "t2"]], ["terminated": ["exitCode": 0, "reason": "Completed"]],
                                   ["terminated": ["exitCode": 0, "reason": "Completed", "finishedAt": "t3"]],
                                   ["terminated": ["exitCode": 1, "reason": "Error"]]]
        let pods = (0..<80).map { _ in
            Self.pod(phase: phases[rng.next(phases.count)], node: [nil, "n1", "n2"][rng.next(3)], state: states[rng.next(states.count)])
        }
        var compared = 0
        for a in pods { for b in pods where ObservedJob.PodView(a) == ObservedJob.PodView(b) {
            compared += 1
            #expect(ObservedJob(job: Self.job, pods: [a]) == ObservedJob(job: Self.job, pods: [b]))
        } }
        #expect(compared > pods.count)
    }

    @Test func aJobsActiveCountAloneDoesNotChangeItsObservation() {
        var later = Self.job
        later[path: "status.active"] = 0
        later[path: "status.succeeded"] = 1
        #expect(ObservedJob(job: Self.job, pods: []) == ObservedJob(job: later, pods: []))
        var ready = Self.job
        ready[path: "status.ready"] = 1
        #expect(ObservedJob(job: Self.job, pods: []) != ObservedJob(job: ready, pods: []))
        var done = later
        done[path: "status.conditions"] = [["type": "Complete", "status": "True"]]
        #expect(ObservedJob(job: later, pods: []) != ObservedJob(job: done, pods: []))
    }
}

/// A small deterministic generator for seeded tests.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
