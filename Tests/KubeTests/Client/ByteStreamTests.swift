import Synchronization
import Testing
@testable import Kube

@Suite struct ByteStreamTests {
    @Test func producerIsToldToPauseAndResumedAtHalfCapacity() async throws {
        let (stream, sink) = ByteStream.makeStream(capacity: 10)
        let demanded = Mutex(0)
        sink.onDemand { demanded.withLock { $0 += 1 } }
        #expect(sink.yield(Array(repeating: 1, count: 6)) == .more)
        #expect(sink.yield(Array(repeating: 2, count: 6)) == .pause)  // 12 > 10: kept, but pause
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next()?.count == 6)  // 6 left: not yet half
        #expect(demanded.withLock { $0 } == 0)
        #expect(try await iterator.next()?.first == 2)  // 0 left: demand
        #expect(demanded.withLock { $0 } == 1)
        sink.finish()
        #expect(try await iterator.next() == nil)
    }

    @Test func droppingTheStreamTerminatesTheProducer() {
        let terminated = Mutex(false)
        var sink: ByteStreamSink?
        do {
            let (stream, s) = ByteStream.makeStream(capacity: 10)
            sink = s
            s.onTermination { terminated.withLock { $0 = true } }
            _ = stream
        }
        #expect(terminated.withLock { $0 })
        #expect(sink?.yield([1]) == .consumerGone)
    }

    @Test func cancellingTheReaderEndsItAndTerminatesTheProducer() async throws {
        let (stream, sink) = ByteStream.makeStream(capacity: 10)
        let terminated = Mutex(false)
        sink.onTermination { terminated.withLock { $0 = true } }
        let reader = Task { () -> Bool in
            do {
                for try await _ in stream {}
                return false
            } catch {
                return error is CancellationError
            }
        }
        reader.cancel()
        #expect(await reader.value)
        #expect(terminated.withLock { $0 })
    }

    @Test func errorsReachTheReaderAfterBufferedData() async throws {
        let (stream, sink) = ByteStream.makeStream(capacity: 100)
        sink.yield([1, 2])
        sink.finish(throwing: TransportError(kind: .aborted, message: "cut", url: "u"))
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next() == [1, 2])
        await #expect(throws: TransportError.self) { _ = try await iterator.next() }
    }

    @Test func aWaitingReaderGetsChunksAsTheyArrive() async throws {
        let (stream, sink) = ByteStream.makeStream(capacity: 100)
        let reader = Task { try await stream.collect() }
        for i in 0..<100 { sink.yield([UInt8(i)]) }
        sink.finish()
        #expect(try await reader.value == (0..<100).map(UInt8.init))
    }
}

@Suite struct ClientRateLimiterTests {
    @Test func burstPassesThenRateIsEnforced() async throws {
        let clock = ManualClock(autoAdvance: true)
        let bucket = ClientRateLimiter(qps: 10, burst: 5, clock: clock)
        for _ in 0..<5 { #expect(try await bucket.acquire() == .zero) }
        let waited = try await bucket.acquire()
        #expect(waited == .milliseconds(100))
        // 20 more requests take 2 s of clock time at 10 QPS.
        let start = clock.now
        for _ in 0..<20 { _ = try await bucket.acquire() }
        #expect(start.duration(to: clock.now) == .seconds(2))
        #expect(bucket.totalWaited == .milliseconds(2100))
    }
}
