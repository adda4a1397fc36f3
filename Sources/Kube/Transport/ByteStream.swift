import Synchronization

/// The body of a streaming response: chunks of bytes in arrival order, with a bounded buffer.
///
/// The producer (a transport) calls `ByteStreamSink.yield`; once more than `capacity` bytes are
/// waiting it is told to pause, and its demand handler runs when the consumer has drained the
/// buffer to half. So a slow consumer holds the socket still instead of growing memory.
/// Dropping the last reference to the `ByteStream`, or cancelling the task that iterates it, runs
/// the termination handler once, which the transport uses to abort the transfer.
public final class ByteStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = any Error

    let storage: ByteStreamStorage

    init(storage: ByteStreamStorage) { self.storage = storage }

    deinit { storage.consumerGone() }

    /// A stream and the sink that feeds it. `capacity` is in bytes.
    public static func makeStream(capacity: Int = 1 << 20) -> (stream: ByteStream, sink: ByteStreamSink) {
        let storage = ByteStreamStorage(capacity: capacity)
        return (ByteStream(storage: storage), ByteStreamSink(storage: storage))
    }

    /// A finished stream holding `bytes` (for test doubles and for bodies read in full).
    public static func of(_ bytes: [UInt8]) -> ByteStream {
        let (stream, sink) = makeStream(capacity: Swift.max(1, bytes.count))
        if !bytes.isEmpty { _ = sink.yield(bytes) }
        sink.finish()
        return stream
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        // Holds the stream so it stays alive (and the transfer running) while iterated.
        let stream: ByteStream
        public mutating func next() async throws -> [UInt8]? { try await stream.storage.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }

    /// Reads the rest of the stream into one array, failing past `limit` bytes.
    public func collect(limit: Int = 64 << 20) async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in self {
            all.append(contentsOf: chunk)
            if all.count > limit { throw TransportError(kind: .aborted, message: "response larger than \(limit) bytes", url: "") }
        }
        return all
    }
}

/// The producer's side of a `ByteStream`.
public struct ByteStreamSink: Sendable {
    let storage: ByteStreamStorage

    public enum YieldResult: Sendable, Equatable {
        /// Keep sending.
        case more
        /// The buffer is over capacity: stop reading until the demand handler runs.
        case pause
        /// Nobody will read any more: abort the transfer.
        case consumerGone
    }

    /// Appends a chunk. The chunk is always kept (unless the consumer is gone); the result says
    /// whether to keep sending.
    @discardableResult
    public func yield(_ chunk: [UInt8]) -> YieldResult { storage.yield(chunk) }

    /// Ends the stream, with an error or cleanly. Later calls are ignored.
    public func finish(throwing error: (any Error)? = nil) { storage.finish(error) }

    /// Runs (on the consumer's thread, outside any lock) when a paused producer may send again.
    public func onDemand(_ handler: @escaping @Sendable () -> Void) { storage.setDemandHandler(handler) }

    /// Runs once when the consumer stops reading before the end (drops the stream or cancels).
    public func onTermination(_ handler: @escaping @Sendable () -> Void) { storage.setTerminationHandler(handler) }

    /// Whether the consumer has gone away.
    public var isConsumerGone: Bool { storage.isConsumerGone }
}

final class ByteStreamStorage: Sendable {
    struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var bufferedBytes = 0
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var producerPaused = false
        var demandHandler: (@Sendable () -> Void)?
        var terminationHandler: (@Sendable () -> Void)?
        var consumerGone = false
    }

    let capacity: Int
    let state = Mutex(State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var isConsumerGone: Bool { state.withLock { $0.consumerGone } }

    func yield(_ chunk: [UInt8]) -> ByteStreamSink.YieldResult {
        enum Next { case resume(CheckedContinuation<[UInt8]?, any Error>), result(ByteStreamSink.YieldResult) }
        let next: Next = state.withLock { s in
            if s.consumerGone || s.finished { return .result(.consumerGone) }
            if let waiter = s.waiter {
                s.waiter = nil
                return .resume(waiter)
            }
            s.chunks.append(chunk)
            s.bufferedBytes += chunk.count
            if s.bufferedBytes > capacity {
                s.producerPaused = true
                return .result(.pause)
            }
            return .result(.more)
        }
        switch next {
        case .resume(let waiter):
            waiter.resume(returning: chunk)
            return .more
        case .result(let result):
            return result
        }
    }

    func finish(_ error: (any Error)?) {
        let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { s in
            if s.finished { return nil }
            s.finished = true
            s.failure = error
            s.demandHandler = nil
            s.terminationHandler = nil
            let w = s.waiter
            s.waiter = nil
            return w
        }
        guard let waiter else { return }
        if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    func setDemandHandler(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.demandHandler = handler }
    }

    func setTerminationHandler(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s -> Bool in
            if s.consumerGone && !s.finished { return true }
            s.terminationHandler = handler
            return false
        }
        if runNow { handler() }
    }

    func consumerGone() {
        let handler: (@Sendable () -> Void)? = state.withLock { s in
            if s.consumerGone { return nil }
            s.consumerGone = true
            s.chunks = []
            s.head = 0
            s.bufferedBytes = 0
            let h = s.terminationHandler
            s.terminationHandler = nil
            s.demandHandler = nil
            return s.finished ? nil : h
        }
        handler?()
    }

    /// Takes the oldest buffered chunk, and the demand handler to run (outside the lock) when a
    /// paused producer may now resume.
    func popLocked(_ s: inout State) -> ([UInt8], (@Sendable () -> Void)?)? {
        guard s.head < s.chunks.count else { return nil }
        let chunk = s.chunks[s.head]
        s.head += 1
        s.bufferedBytes -= chunk.count
        if s.head == s.chunks.count {
            s.chunks.removeAll(keepingCapacity: true)
            s.head = 0
        } else if s.head > 64 {
            s.chunks.removeFirst(s.head)
            s.head = 0
        }
        var demand: (@Sendable () -> Void)?
        if s.producerPaused && s.bufferedBytes <= capacity / 2 {
            s.producerPaused = false
            demand = s.demandHandler
        }
        return (chunk, demand)
    }

    func next() async throws -> [UInt8]? {
        enum Step { case chunk([UInt8], (@Sendable () -> Void)?), end((any Error)?), wait }
        let step: Step = state.withLock { s in
            if let (chunk, demand) = popLocked(&s) { return .chunk(chunk, demand) }
            if s.finished { return .end(s.failure) }
            return .wait
        }
        switch step {
        case .chunk(let chunk, let demand):
            demand?()
            return chunk
        case .end(let error):
            if let error { throw error }
            return nil
        case .wait:
            break
        }
        if Task.isCancelled {
            consumerGone()
            throw CancellationError()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                enum Now { case park, chunk([UInt8], (@Sendable () -> Void)?), end((any Error)?) }
                let now: Now = state.withLock { s in
                    if let (chunk, demand) = popLocked(&s) { return .chunk(chunk, demand) }
                    if s.finished { return .end(s.failure) }
                    if s.consumerGone { return .end(CancellationError()) }
                    s.waiter = continuation
                    return .park
                }
                switch now {
                case .park: break
                case .chunk(let chunk, let demand):
                    continuation.resume(returning: chunk)
                    demand?()
                case .end(let error):
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: nil) }
                }
            }
        } onCancel: {
            let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { s in
                let w = s.waiter
                s.waiter = nil
                return w
            }
            waiter?.resume(throwing: CancellationError())
            consumerGone()
        }
    }
}
