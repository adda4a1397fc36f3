import Logging
import Testing
@testable import Kube

private let logger = Logger(label: "test.queue.priority")

/// The work queue's priority lane: order, promotion, and the queue's guarantees kept.
@Suite struct WorkQueuePriorityTests {
    @Test func priorityKeysGoAheadOfNormalOnesInTheirOwnOrder() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        queue.add("n1")
        queue.add("n2")
        queue.add("p1", priority: .high)
        queue.add("n3")
        queue.add("p2", priority: .high)
        #expect(queue.depth == 5)
        #expect(queue.metrics().priorityDepth == 2)
        var order: [String] = []
        for _ in 0..<5 { order.append(await queue.next() ?? "-") }
        #expect(order == ["p1", "p2", "n1", "n2", "n3"])
        #expect(queue.depth == 0)
    }

    @Test func aNormalKeyAddedAgainWithPriorityIsPromotedAndHandedOutOnce() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        queue.add("a")
        queue.add("b")
        queue.add("b", priority: .high)
        queue.add("b")  // already waiting (with priority): nothing changes
        #expect(queue.depth == 2)
        #expect(await queue.next() == "b")
        #expect(await queue.next() == "a")
        queue.done("b")
        queue.done("a")
        // The dead normal-lane entry of "b" is skipped: nothing more to hand out.
        #expect(queue.depth == 0)
        async let late = queue.next()
        queue.add("c")
        #expect(await late == "c")
    }

    @Test func aPriorityKeyIsNotDemotedByANormalAdd() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        queue.add("n")
        queue.add("p", priority: .high)
        queue.add("p")
        #expect(await queue.next() == "p")
        #expect(await queue.next() == "n")
    }

    @Test func aPriorityAddWhileProcessingWaitsForDoneThenGoesFirst() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        queue.add("a")
        #expect(await queue.next() == "a")
        queue.add("n")
        queue.add("a", priority: .high)  // "a" is being processed: not handed out twice
        #expect(queue.depth == 1)
        queue.done("a")  // re-queued now, in the priority lane
        #expect(queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "n")
    }

    @Test func aPromotedKeyLeavesNoStaleEntryBehindAfterItIsRequeued() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        queue.add("a")
        queue.add("x")
        queue.add("a", priority: .high)  // promoted: its normal entry is dead
        #expect(await queue.next() == "a")
        queue.add("a")  // added while processing: queued again by done
        queue.done("a")
        // "x" then "a" (its new entry), and "a" only once although the dead entry precedes "x".
        #expect(await queue.next() == "x")
        #expect(await queue.next() == "a")
        #expect(queue.depth == 0)
        queue.done("x")
        queue.done("a")
        #expect(queue.metrics().handedOut == 3)
    }

    @Test func delayedAddsArriveInTheNormalLane() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        queue.add("d", after: .seconds(1))
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        while queue.depth == 0 { await Task.yield() }
        queue.add("p", priority: .high)
        #expect(await queue.next() == "p")
        #expect(await queue.next() == "d")
    }

    @Test func aWaitingWorkerTakesAPriorityAddAtOnce() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        async let key = queue.next()
        while queue.metrics().inFlight == 0 {
            queue.add("p", priority: .high)
            await Task.yield()
        }
        #expect(await key == "p")
        #expect(queue.depth == 0)
    }

    @Test func shutDownIgnoresPriorityAdds() async {
        let queue = WorkQueue(clock: ManualClock(), logger: logger)
        await queue.shutDown()
        queue.add("p", priority: .high)
        #expect(queue.depth == 0)
        #expect(await queue.next() == nil)
    }
}
