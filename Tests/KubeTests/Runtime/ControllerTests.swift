import Logging
import Synchronization
import Testing
@testable import Kube

private let logger = Logger(label: "test.controller")

/// Records reconcile calls and lets the test await them one by one.
private final class Calls: Sendable {
    private let keys = Mutex<[String]>([])
    let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    init() { (stream, continuation) = AsyncStream<String>.makeStream() }
    func record(_ key: String) {
        keys.withLock { $0.append(key) }
        continuation.yield(key)
    }
    var all: [String] { keys.withLock { $0 } }
}

/// A one-shot gate a reconcile can wait on.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let open = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if open { c.resume() }
        }
    }
    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        waiters.forEach { $0.resume() }
    }
}

private struct Boom: Error {}
private struct Invalid: TerminalError {}

@Suite struct ControllerTests {
    @Test func requeueAfterRunsTheKeyAgainOnceTheClockAdvances() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        let calls = Calls()
        let controller = Controller(queue: queue, workers: 2, clock: clock, logger: logger) { key in
            calls.record(key)
            return calls.all.count == 1 ? .requeue(after: .seconds(30)) : .awaitChange
        }
        let run = Task { await controller.run() }
        var seen = calls.stream.makeAsyncIterator()
        queue.add("ns/a")
        #expect(await seen.next() == "ns/a")
        await clock.waitForSleepers(count: 1)
        #expect(clock.requestedSleeps == [.seconds(30)])
        clock.advance(by: .seconds(30))
        #expect(await seen.next() == "ns/a")
        await queue.waitUntilIdle()
        #expect(queue.retries(of: "ns/a") == 0)
        #expect(await controller.shutDown(gracePeriod: .seconds(5)))
        await run.value
    }

    @Test func errorsAreRetriedWithBackoffUntilSuccessForgetsThem() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        let calls = Calls()
        let controller = Controller(queue: queue, clock: clock, logger: logger) { key in
            calls.record(key)
            if calls.all.count < 3 { throw Boom() }
            return .awaitChange
        }
        let run = Task { await controller.run() }
        var seen = calls.stream.makeAsyncIterator()
        queue.add("k")
        _ = await seen.next()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .milliseconds(5))
        _ = await seen.next()
        await clock.waitForSleepers(count: 1)
        #expect(clock.requestedSleeps == [.milliseconds(5), .milliseconds(10)])
        clock.advance(by: .milliseconds(10))
        _ = await seen.next()
        await queue.waitUntilIdle()
        #expect(queue.retries(of: "k") == 0)
        #expect(calls.all.count == 3)
        await controller.shutDown(gracePeriod: .seconds(1))
        await run.value
    }

    @Test func terminalErrorsAreNotRetried() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        let calls = Calls()
        let controller = Controller(queue: queue, clock: clock, logger: logger) { key in
            calls.record(key)
            throw Invalid()
        }
        let run = Task { await controller.run() }
        var seen = calls.stream.makeAsyncIterator()
        queue.add("k")
        _ = await seen.next()
        await queue.waitUntilIdle()
        let metrics = queue.metrics()
        #expect(metrics.delayed == 0 && metrics.depth == 0)
        #expect(clock.requestedSleeps.isEmpty)
        await controller.shutDown(gracePeriod: .seconds(1))
        await run.value
        #expect(calls.all == ["k"])
    }

    @Test func customErrorPolicyDecidesTheRequeue() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        let calls = Calls()
        let controller = Controller(queue: queue, clock: clock, logger: logger,
                                    errorPolicy: { _, _ in .requeue(after: .seconds(7)) }) { key in
            calls.record(key)
            throw Boom()
        }
        let run = Task { await controller.run() }
        var seen = calls.stream.makeAsyncIterator()
        queue.add("k")
        _ = await seen.next()
        await clock.waitForSleepers(count: 1)
        #expect(clock.requestedSleeps == [.seconds(7)])
        await controller.shutDown(gracePeriod: .seconds(1))
        await run.value
    }

    @Test func aKeyIsNeverReconciledByTwoWorkersAtOnce() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        let calls = Calls()
        let gate = Gate()
        let inFlight = Mutex<Set<String>>([])
        let overlaps = Mutex(0)
        let controller = Controller(queue: queue, workers: 3, clock: clock, logger: logger) { key in
            if !inFlight.withLock({ $0.insert(key).inserted }) { overlaps.withLock { $0 += 1 } }
            calls.record(key)
            if key == "a" && calls.all.filter({ $0 == "a" }).count == 1 { await gate.wait() }
            inFlight.withLock { _ = $0.remove(key) }
            return .awaitChange
        }
        let run = Task { await controller.run() }
        var seen = calls.stream.makeAsyncIterator()
        queue.add("a")
        #expect(await seen.next() == "a")
        queue.add("a")  // changed again while being reconciled
        queue.add("b")
        #expect(await seen.next() == "b")  // idle workers do not pick up the second "a"
        gate.open()
        #expect(await seen.next() == "a")  // reconciled again once the first run finished
        await queue.waitUntilIdle()
        #expect(overlaps.withLock { $0 } == 0)
        await controller.shutDown(gracePeriod: .seconds(1))
        await run.value
    }

    @Test func gracefulShutdownWaitsForInFlightReconciles() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        let calls = Calls()
        let gate = Gate()
        let controller = Controller(queue: queue, workers: 2, clock: clock, logger: logger) { key in
            calls.record(key)
            await gate.wait()
            return .awaitChange
        }
        let run = Task { await controller.run() }
        var seen = calls.stream.makeAsyncIterator()
        queue.add("a")
        _ = await seen.next()
        let stopped = Task { await controller.shutDown(gracePeriod: .seconds(10)) }
        await clock.waitForSleepers(count: 1)  // shutDown is waiting, with its deadline armed
        queue.add("b")  // not handed out any more
        gate.open()
        #expect(await stopped.value == true)
        await run.value
        #expect(calls.all == ["a"])
    }

    @Test func shutdownGivesUpAfterTheGracePeriod() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock, logger: logger)
        let calls = Calls()
        let controller = Controller(queue: queue, clock: clock, logger: logger) { key in
            calls.record(key)
            await hangUntilCancelled()
            return .awaitChange
        }
        let run = Task { await controller.run() }
        var seen = calls.stream.makeAsyncIterator()
        queue.add("stuck")
        _ = await seen.next()
        let stopped = Task { await controller.shutDown(gracePeriod: .seconds(10)) }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(10))
        #expect(await stopped.value == false)
        run.cancel()  // the owner's hard stop
        await run.value
    }
}
