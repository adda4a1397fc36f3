import Foundation
import Logging
import Synchronization
import Testing
@testable import Kube

private let logger = Logger(label: "test.lease")
private let wall = Date(timeIntervalSince1970: 1_767_225_600.25)  // 2026-01-01T00:00:00.250000Z

private func config(_ identity: String) -> LeaderElectionConfiguration {
    LeaderElectionConfiguration(namespace: "ops", name: "jobflow", identity: identity)
}

private func elector(_ api: any KubeAPI, _ identity: String, clock: ManualClock) throws -> LeaderElector {
    try LeaderElector(api: api, configuration: config(identity), clock: clock, wallClock: { wall }, random: { 0 }, logger: logger)
}

private func lease(_ api: FakeKubeAPI) -> JSONValue? { api.stored(.leases, namespace: "ops", name: "jobflow") }

/// Counts calls of the leadership callbacks.
private final class Flags: Sendable {
    let started = Mutex(0)
    let stopped = Mutex(0)
}

@Suite struct LeaderElectorTests {
    @Test func configurationIsValidated() {
        var c = config("me")
        c.renewDeadline = .seconds(20)
        #expect(throws: LeaderElectionError.self) { try c.validate() }
        c = config("me")
        c.retryPeriod = .seconds(9)  // 1.2 × 9 > 10
        #expect(throws: LeaderElectionError.self) { try c.validate() }
        #expect(throws: Never.self) { try config("me").validate() }
    }

    @Test func microTimeIsUTCWithSixDigits() {
        #expect(KubeTimestamp.microTime(wall) == "2026-01-01T00:00:00.250000Z")
        #expect(KubeTimestamp.time(Date(timeIntervalSince1970: 951_827_696)) == "2000-02-29T12:34:56Z")
    }

    @Test func acquiresWhenTheLeaseIsAbsent() async throws {
        let api = FakeKubeAPI()
        let a = try elector(api, "a", clock: ManualClock())
        #expect(await a.tryAcquireOrRenew())
        #expect(a.isLeader)
        let spec = try #require(lease(api)?["spec"])
        #expect(spec["holderIdentity"] == "a")
        #expect(spec["leaseDurationSeconds"] == 15)
        #expect(spec["acquireTime"] == "2026-01-01T00:00:00.250000Z")
        #expect(spec["renewTime"] == spec["acquireTime"])
        #expect(spec["leaseTransitions"] == 0)
    }

    @Test func createRaceLostToAnotherCandidateLosesTheRound() async throws {
        let api = FakeKubeAPI()
        api.failNext(.create, with: apiError(409, "AlreadyExists"))
        let a = try elector(api, "a", clock: ManualClock())
        #expect(await a.tryAcquireOrRenew() == false)
        #expect(!a.isLeader)
    }

    @Test func waitsWhileAnotherHolderRenewsThenTakesOverAfterLeaseDurationWithoutChange() async throws {
        let api = FakeKubeAPI()
        let clock = ManualClock()
        let a = try elector(api, "a", clock: clock)
        let b = try elector(api, "b", clock: clock)
        #expect(await a.tryAcquireOrRenew())
        #expect(await b.tryAcquireOrRenew() == false)
        // a keeps renewing: every renew changes the record, so b's wait restarts.
        for _ in 0..<10 {
            clock.advance(by: .seconds(2))
            #expect(await a.tryAcquireOrRenew())
            #expect(await b.tryAcquireOrRenew() == false)
        }
        #expect(b.status.holderIdentity == "a")
        #expect(b.status.sinceObservedChange == .zero)
        // a stops renewing (crashed). b waits leaseDuration on its own clock since the last change.
        clock.advance(by: .seconds(14))
        #expect(await b.tryAcquireOrRenew() == false)
        #expect(b.status.sinceObservedChange == .seconds(14))
        clock.advance(by: .seconds(1))
        #expect(await b.tryAcquireOrRenew())
        let spec = try #require(lease(api)?["spec"])
        #expect(spec["holderIdentity"] == "b")
        #expect(spec["leaseTransitions"] == 1)
    }

    @Test func renewKeepsAcquireTimeAndTransitions() async throws {
        let api = FakeKubeAPI()
        let clock = ManualClock()
        let now = Mutex(wall)
        let a = try LeaderElector(api: api, configuration: config("a"), clock: clock, wallClock: { now.withLock { $0 } },
                                  random: { 0 }, logger: logger)
        #expect(await a.tryAcquireOrRenew())
        now.withLock { $0 = $0.addingTimeInterval(2) }
        clock.advance(by: .seconds(2))
        #expect(await a.tryAcquireOrRenew())
        let spec = try #require(lease(api)?["spec"])
        #expect(spec["acquireTime"] == "2026-01-01T00:00:00.250000Z")
        #expect(spec["renewTime"] == "2026-01-01T00:00:02.250000Z")
        #expect(spec["leaseTransitions"] == 0)
        #expect(a.status.renewTime == "2026-01-01T00:00:02.250000Z")
    }

    @Test func conflictOnTakeoverLosesTheRound() async throws {
        let api = FakeKubeAPI()
        let clock = ManualClock()
        api.seed(.leases, ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                           "metadata": ["name": "jobflow", "namespace": "ops"],
                           "spec": ["holderIdentity": "gone", "leaseDurationSeconds": 15, "leaseTransitions": 3]])
        let b = try elector(api, "b", clock: clock)
        #expect(await b.tryAcquireOrRenew() == false)
        clock.advance(by: .seconds(15))
        api.failNext(.update, with: apiError(409, "Conflict"))
        #expect(await b.tryAcquireOrRenew() == false)
        #expect(!b.isLeader)
        #expect(b.status.lastError?.apiError?.isConflict == true)
        #expect(await b.tryAcquireOrRenew())
        #expect(lease(api)?[path: "spec.leaseTransitions"] == 4)
    }

    @Test func anEmptyHolderIsTakenAtOnce() async throws {
        let api = FakeKubeAPI()
        api.seed(.leases, ["metadata": ["name": "jobflow", "namespace": "ops"], "spec": ["holderIdentity": ""]])
        let b = try elector(api, "b", clock: ManualClock())
        #expect(await b.tryAcquireOrRenew())
    }

    @Test func renewFailuresPastTheDeadlineStopLeading() async throws {
        let fake = FakeKubeAPI()
        let api = PartitionableAPI(fake)
        let clock = ManualClock(autoAdvance: true)
        let a = try elector(api, "a", clock: clock)
        let flags = Flags()
        await a.run(onStartedLeading: {
            flags.started.withLock { $0 += 1 }
            api.isDown = true
        }, onStoppedLeading: { flags.stopped.withLock { $0 += 1 } })
        #expect(flags.started.withLock { $0 } == 1)
        #expect(flags.stopped.withLock { $0 } == 1)
        #expect(!a.isLeader)
        // Renews every 2 s fail; it steps down at the first failed round at or past 10 s after the
        // acquire. (Each round also arms a deadline sleep; on an auto-advancing clock that sleep may
        // move time to 10 s before it is cancelled, so the stop comes at 10 or 12 s.)
        #expect(clock.now.offset >= .seconds(10) && clock.now.offset <= .seconds(12))
        #expect(clock.requestedSleeps.first == .seconds(2))
    }

    @Test func aHungRenewIsCutAtTheRenewDeadline() async throws {
        let api = FakeKubeAPI()
        let clock = ManualClock(autoAdvance: true)
        let a = try elector(api, "a", clock: clock)
        let flags = Flags()
        await a.run(onStartedLeading: {
            flags.started.withLock { $0 += 1 }
            api.hangNext(.get)
        }, onStoppedLeading: { flags.stopped.withLock { $0 += 1 } })
        #expect(flags.stopped.withLock { $0 } == 1)
        #expect(!a.isLeader)
        // Renew at 2 s hangs; it is abandoned when the deadline (10 s after the acquire) comes.
        #expect(clock.requestedSleeps == [.seconds(2), .seconds(8)])
        #expect(a.status.lastError != nil)
    }

    @Test func releasesTheLeaseWhenCancelled() async throws {
        let api = FakeKubeAPI()
        let clock = ManualClock()
        let a = try elector(api, "a", clock: clock)
        let flags = Flags()
        let running = Task {
            await a.run(onStartedLeading: { flags.started.withLock { $0 += 1 } },
                        onStoppedLeading: { flags.stopped.withLock { $0 += 1 } })
        }
        await clock.waitForSleepers(count: 1)  // leading, waiting to renew
        #expect(a.isLeader)
        running.cancel()
        await running.value
        #expect(flags.stopped.withLock { $0 } == 1)
        let stored = try #require(lease(api))
        #expect(stored[path: "spec.holderIdentity"] == "")
        #expect(!a.isLeader)
    }

    @Test func twoElectorsNeverLeadAtOnceAcrossAPartition() async throws {
        let fake = FakeKubeAPI()
        let clock = ManualClock()
        let linkA = PartitionableAPI(fake)
        let a = try elector(linkA, "a", clock: clock)
        let b = try elector(fake, "b", clock: clock)
        var leaders: [String] = []
        for second in 0..<60 {
            if second == 5 { linkA.isDown = true }   // a is cut off and cannot renew
            if second == 40 { linkA.isDown = false } // a comes back as a follower
            await a.tryAcquireOrRenew()
            await b.tryAcquireOrRenew()
            #expect(!(a.isLeader && b.isLeader), "both lead at t=\(second)s")
            leaders.append(a.isLeader ? "a" : b.isLeader ? "b" : "-")
            clock.advance(by: .seconds(1))
        }
        // a led until 10 s after its last renew (t=4 → steps down at t=14); b took over once the
        // record had not changed for 15 s on its clock (t=19).
        #expect(leaders[4] == "a" && leaders[13] == "a")
        #expect(leaders[14] == "-")
        #expect(leaders[19] == "b" && leaders[59] == "b")
    }
}
