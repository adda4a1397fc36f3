import Foundation
import Testing
@testable import Kube

private let wall = Date(timeIntervalSince1970: 1_767_225_600)

private func held(by holder: String, rv: String, renew: String = "2026-01-01T00:00:00.000000Z") -> JSONValue {
    ["metadata": ["name": "l", "namespace": "ops", "resourceVersion": .string(rv)],
     "spec": ["holderIdentity": .string(holder), "leaseDurationSeconds": 15, "renewTime": .string(renew),
              "acquireTime": "2025-12-31T00:00:00.000000Z", "leaseTransitions": 2]]
}

@Suite struct LeaderElectionStateMachineTests {
    let configuration = LeaderElectionConfiguration(namespace: "ops", name: "l", identity: "me")

    @Test func absentLeaseIsCreatedWithSelfAsHolder() {
        var machine = LeaderElectionStateMachine(configuration: configuration)
        guard case .create(let lease) = machine.decide(current: nil, now: .zero, wallTime: wall) else {
            Issue.record("want create"); return
        }
        #expect(lease[path: "spec.holderIdentity"] == "me")
        #expect(lease[path: "metadata.namespace"] == "ops")
    }

    @Test func expiryIsMeasuredFromTheLastObservedChangeOnTheLocalClock() {
        var machine = LeaderElectionStateMachine(configuration: configuration)
        #expect(machine.decide(current: held(by: "x", rv: "1"), now: .seconds(100), wallTime: wall) == .wait(holder: "x"))
        // Same record 14 s later: still waiting, however old its renewTime claims to be.
        #expect(machine.decide(current: held(by: "x", rv: "1"), now: .seconds(114), wallTime: wall) == .wait(holder: "x"))
        // A new resourceVersion is a change: the wait restarts.
        #expect(machine.decide(current: held(by: "x", rv: "2"), now: .seconds(114), wallTime: wall) == .wait(holder: "x"))
        #expect(machine.decide(current: held(by: "x", rv: "2"), now: .seconds(128), wallTime: wall) == .wait(holder: "x"))
        guard case .update(let lease) = machine.decide(current: held(by: "x", rv: "2"), now: .seconds(129), wallTime: wall) else {
            Issue.record("want takeover"); return
        }
        #expect(lease[path: "spec.holderIdentity"] == "me")
        #expect(lease[path: "spec.leaseTransitions"] == 3)
        #expect(lease[path: "spec.acquireTime"] == "2026-01-01T00:00:00.000000Z")
        #expect(lease[path: "metadata.resourceVersion"] == "2")  // optimistic concurrency on the fetched version
    }

    @Test func renewKeepsAcquireTimeAndStepDownNeedsTheDeadline() {
        var machine = LeaderElectionStateMachine(configuration: configuration)
        machine.writeSucceeded(held(by: "me", rv: "5"), now: .seconds(10))
        #expect(machine.isLeader)
        guard case .update(let lease) = machine.decide(current: held(by: "me", rv: "5"), now: .seconds(12), wallTime: wall) else {
            Issue.record("want renew"); return
        }
        #expect(lease[path: "spec.acquireTime"] == "2025-12-31T00:00:00.000000Z")
        #expect(lease[path: "spec.leaseTransitions"] == 2)
        #expect(lease[path: "spec.renewTime"] == "2026-01-01T00:00:00.000000Z")
        #expect(machine.roundFailed(now: .seconds(19)) == false)
        #expect(machine.isLeader)
        #expect(machine.roundFailed(now: .seconds(20)) == true)
        #expect(!machine.isLeader)
        #expect(machine.releaseObject(wallTime: wall) == nil)  // only a leader releases
    }

    @Test func releaseEmptiesTheHolderButKeepsTheObject() {
        var machine = LeaderElectionStateMachine(configuration: configuration)
        machine.writeSucceeded(held(by: "me", rv: "5"), now: .zero)
        let release = machine.releaseObject(wallTime: wall)
        #expect(release?[path: "spec.holderIdentity"] == "")
        #expect(release?[path: "metadata.resourceVersion"] == "5")
    }
}
