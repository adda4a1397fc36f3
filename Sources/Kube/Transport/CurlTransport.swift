/// The libcurl transport: one multi handle on one thread, keep-alive and HTTP/2 connection reuse,
/// TLS with in-memory credentials, kubectl's proxy rules, bounded streaming bodies.
///
/// Requests beyond `maxConcurrentTransfers` wait in a FIFO queue. Cancelling the calling task
/// aborts the transfer; so does dropping a streaming body. See docs/transport.md.
public final class CurlTransport: HTTPTransport {
    private let loop: CurlEventLoop
    private let proxies: ProxySelector

    /// Starts the curl thread. Throws if libcurl cannot be initialised.
    public init(options: TransportOptions) throws(TransportError) {
        loop = try CurlEventLoop(options: options)
        proxies = ProxySelector(explicitProxy: options.proxyURL, environment: options.environment)
    }

    deinit { loop.shutdown() }

    /// The event loop's counters (fast-path use, loop passes), for tests.
    var loopStats: CurlEventLoop.Stats { loop.stats }

    /// Requests that found their easy handle still configured by an identical plain GET (for tests).
    var reusedHandles: Int { loop.reusedHandles.load(ordering: .relaxed) }

    /// Fails every pending and running request with `.cancelled` and stops the curl thread.
    /// Later requests fail at once. Does not wait for the thread to exit.
    public func shutdown() { loop.shutdown() }

    /// `shutdown()`, then waits (at most `timeout`) until the curl thread has left libcurl, so the
    /// process can exit safely. Returns whether it did in time.
    @discardableResult
    public func close(timeout: Duration) async -> Bool {
        loop.shutdown()
        return await loop.waitForExit(timeout: timeout)
    }

    public func close() async { await close(timeout: .seconds(2)) }

    /// Sends `request` and collects the final response (1xx skipped; body capped at 256 MiB).
    /// Waits in the FIFO queue when `maxConcurrentTransfers` are running. Cancelling the task
    /// aborts the transfer and throws `.cancelled`.
    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let transfer = try makeTransfer(request)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                transfer.completion = .collect(continuation)
                // When the transport is idle this runs the transfer on this thread (bounded by
                // `callerDriveBudget`) and may resume the continuation before returning.
                if loop.drive(transfer) { return }
                if !loop.submit(.start(transfer)) {
                    continuation.resume(returning: .failure(shutDownError(request)))
                }
            }
        } onCancel: {
            loop.submit(.cancel(transfer))
        }
        return try result.get()
    }

    /// Sends `request` and returns when the final response's headers are in; the body follows in
    /// a ~1 MiB bounded `ByteStream` that pauses the transfer while full. Dropping the stream or
    /// cancelling its reader aborts the transfer; transfer errors end the stream with a `TransportError`.
    public func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
        let transfer = try makeTransfer(request)
        let (stream, sink) = ByteStream.makeStream(capacity: loop.options.streamCapacity)
        transfer.pendingStream = stream
        transfer.sink = sink
        // The handlers run on the consumer's thread; they only post commands to the curl thread.
        // They hold the transfer until the sink finishes, which drops them.
        sink.onDemand { [loop] in loop.submit(.resume(transfer)) }
        sink.onTermination { [loop] in loop.submit(.cancel(transfer)) }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPStreamingResponse, TransportError>, Never>) in
                transfer.completion = .stream(continuation)
                if !loop.submit(.start(transfer)) {
                    transfer.pendingStream = nil
                    sink.finish(throwing: shutDownError(request))
                    continuation.resume(returning: .failure(shutDownError(request)))
                }
            }
        } onCancel: {
            loop.submit(.cancel(transfer))
        }
        return try result.get()
    }

    private func makeTransfer(_ request: HTTPRequest) throws(TransportError) -> CurlTransfer {
        guard let url = RequestURL(request.url) else {
            throw TransportError(kind: .invalidRequest, message: "not an absolute http(s) URL", url: request.url)
        }
        return CurlTransfer(request: request, url: url, proxy: proxies.proxy(for: url),
                            maxBodyBytes: loop.options.maxResponseBytes)
    }

    private func shutDownError(_ request: HTTPRequest) -> TransportError {
        TransportError(kind: .cancelled, message: "transport shut down", url: request.url)
    }
}
