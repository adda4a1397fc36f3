import Testing
@testable import Kube

@Suite struct ManualClockTests {
    @Test func sleepersWakeOnlyWhenTheirDeadlinePasses() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(5)) }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await sleeper.value
        #expect(clock.sleeperCount == 0)
        #expect(clock.now.offset == .seconds(5))
        #expect(clock.requestedSleeps == [.seconds(5)])
    }

    @Test func cancellingASleeperThrows() async {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(5)) }
        await clock.waitForSleepers(count: 1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func autoAdvanceMovesTimeToTheDeadline() async throws {
        let clock = ManualClock(autoAdvance: true)
        try await clock.sleep(for: .seconds(3))
        #expect(clock.now.offset == .seconds(3))
    }

    @Test func pastDeadlinesReturnAtOnce() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(10))
        try await clock.sleep(until: .init(offset: .seconds(2)), tolerance: nil)
        #expect(clock.sleeperCount == 0)
    }
}
