import Foundation
import Logging
import Synchronization
import Testing
@testable import Kube

private let logger = Logger(label: "test.queue")

@Suite struct WorkQueueTests {
    @Test func aKeyQueuedTwiceIsHandedOutOnce() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(queue.depth == 0)
    }

    @Test func aKeyBeingProcessedIsNotHandedOutAgainUntilDone() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        queue.add("a")
        #expect(await queue.next() == "a")
        queue.add("a")  // added while processing
        queue.add("b")
        #expect(queue.depth == 1)
        #expect(await queue.next() == "b")  // not "a": it is still being processed
        queue.done("a")
        #expect(await queue.next() == "a")  // re-queued by done
        queue.done("a")
        queue.done("b")
        #expect(queue.depth == 0)
    }

    @Test func aWaitingWorkerReceivesTheNextAdd() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        async let key = queue.next()
        queue.add("late")
        #expect(await key == "late")
    }

    @Test func perKeyBackoffDoublesToTheCapAndForgetResets() {
        var limiter = ControllerRateLimiter(baseDelay: .milliseconds(5), maxDelay: .seconds(1000), qps: 1_000_000, burst: 1_000_000)
        var delays: [Duration] = []
        for _ in 0..<20 { delays.append(limiter.delay(for: "k", now: .zero)) }
        #expect(delays.prefix(4) == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40)])
        #expect(delays.last == .seconds(1000))
        #expect(delays.allSatisfy { $0 <= .seconds(1000) })
        #expect(limiter.delay(for: "other", now: .zero) == .milliseconds(5))
        limiter.forget("k")
        #expect(limiter.delay(for: "k", now: .zero) == .milliseconds(5))
    }

    @Test func overallTokenBucketDelaysBurstsBeyondOneHundred() {
        var limiter = ControllerRateLimiter()
        for i in 0..<100 { #expect(limiter.delay(for: "k\(i)", now: .zero) == .milliseconds(5)) }
        // The 101st distinct key waits for a token at 10 qps: 100 ms, more than its 5 ms backoff.
        #expect(limiter.delay(for: "k100", now: .zero) == .milliseconds(100))
        #expect(limiter.delay(for: "k101", now: .zero) == .milliseconds(200))
        // A second later ten tokens have come back (the bucket was 2 in debt).
        #expect(limiter.delay(for: "k102", now: .seconds(1)) == .milliseconds(5))
    }

    @Test func delayedAddFiresOnlyAfterTheClockAdvances() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        queue.add("a", after: .seconds(2))
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .milliseconds(1999))
        #expect(queue.depth == 0)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(await queue.next() == "a")
        #expect(queue.metrics().lastWait["a"] == .zero)  // waited in the delay, not in the queue
    }

    @Test func aKeyWaitingTwiceKeepsTheEarlierDeadline() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        queue.add("a", after: .seconds(10))
        queue.add("a", after: .seconds(20))  // ignored: later than the pending one
        queue.add("a", after: .seconds(3))   // replaces the 10 s one
        #expect(queue.metrics().delayed == 1)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(3))
        #expect(await queue.next() == "a")
        queue.done("a")
        #expect(queue.metrics().delayed == 0)
        #expect(clock.sleeperCount == 0)
        #expect(queue.depth == 0)
    }

    @Test func rateLimitedAddsUseIncreasingDelays() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        queue.addRateLimited("a")
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .milliseconds(5))
        #expect(await queue.next() == "a")
        queue.addRateLimited("a")
        queue.done("a")
        await clock.waitForSleepers(count: 1)
        #expect(clock.requestedSleeps == [.milliseconds(5), .milliseconds(10)])
        #expect(queue.retries(of: "a") == 2)
        queue.forget("a")
        #expect(queue.retries(of: "a") == 0)
    }

    @Test func waitingTimeIsMeasuredPerKey() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        queue.add("a")
        clock.advance(by: .seconds(3))
        #expect(await queue.next() == "a")
        let metrics = queue.metrics()
        #expect(metrics.lastWait["a"] == .seconds(3))
        #expect(metrics.inFlight == 1)
        #expect(metrics.handedOut == 1)
    }

    @Test func shutDownWakesWaitersAndDrainsInFlightKeys() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        queue.add("a")
        #expect(await queue.next() == "a")
        queue.add("b")
        queue.add("c", after: .seconds(1))
        await queue.shutDown()
        #expect(await queue.next() == nil)  // stops handing out keys at once
        queue.add("d")
        #expect(queue.depth == 1)  // "b" stays; "d" was ignored
        let drained = Task { await queue.shutDown(drain: true) }
        queue.done("a")
        await drained.value
        #expect(queue.isShuttingDown)
        #expect(queue.metrics().delayed == 0)
    }

    @Test func cancellingAWaitingNextReturnsNil() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        let waiter = Task { await queue.next() }
        waiter.cancel()
        #expect(await waiter.value == nil)
    }

    @Test func addsFromPlainThreadsReachWorkersWithoutLossOrOverlap() async {
        // The informers' handlers add from their own threads while workers take and finish keys:
        // every key added is processed after its last add, and no key is held by two workers.
        let queue = WorkQueue(logger: logger)
        let keys = (0..<6).map { "k\($0)" }
        let ledger = Ledger()
        let workers = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        while let key = await queue.next() {
                            ledger.state.withLock { l in
                                if !l.holding.insert(key).inserted { l.overlaps += 1 }
                            }
                            try? await Task.sleep(for: .microseconds(100))
                            ledger.state.withLock { l in
                                l.holding.remove(key)
                                l.processed[key, default: 0] += 1
                            }
                            queue.done(key)
                        }
                    }
                }
            }
        }
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            let adders = DispatchGroup()
            for adder in 0..<4 {
                DispatchQueue.global().async(group: adders) {
                    for round in 0..<400 {
                        queue.add(keys[(round * 7 + adder) % keys.count], priority: round % 5 == 0 ? .high : .normal)
                        if round % 4 == 0 { usleep(50) }  // spread the adds over the workers' run
                    }
                }
            }
            adders.notify(queue: .global()) { finished.resume() }
        }
        // Every add happened; wait until the queue has nothing waiting or in flight.
        while queue.metrics().depth > 0 || queue.metrics().inFlight > 0 { await Task.yield() }
        await queue.shutDown(drain: true)
        await workers.value
        let result = ledger.state.withLock { $0 }
        #expect(result.overlaps == 0)
        #expect(Set(result.processed.keys) == Set(keys))
        #expect(result.processed.values.allSatisfy { $0 >= 1 })
    }
}

/// What the workers of the concurrency test held and processed.
private final class Ledger: Sendable {
    let state = Mutex<(holding: Set<String>, overlaps: Int, processed: [String: Int])>(([], 0, [:]))
}
