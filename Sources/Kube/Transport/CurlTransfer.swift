import CCurl

/// One request in flight: its easy-handle setup, the curl callbacks and how it completes.
///
/// `@unchecked Sendable`: it is created on the caller's thread, then handed to the curl thread
/// through `CurlEventLoop`'s mutex-protected command queue (which orders the hand-off). From then
/// on every mutable field is read and written only on the curl thread, in callbacks or commands.
final class CurlTransfer: @unchecked Sendable {
    enum Completion {
        case collect(CheckedContinuation<Result<HTTPResponse, TransportError>, Never>)
        case stream(CheckedContinuation<Result<HTTPStreamingResponse, TransportError>, Never>)
    }

    enum Phase { case created, queued, active, done }

    /// Why the transfer stopped early on our side (curl only reports a write error).
    enum Abort { case bodyTooLarge, consumerGone }

    let request: HTTPRequest
    let url: RequestURL
    let proxy: String?
    /// The largest body `send` collects.
    let maxBodyBytes: Int
    var completion: Completion?

    // Curl thread only from here on.
    var phase = Phase.created
    var cancelRequested = false
    var isHead = false
    var easy: CurlEasy?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var connectToList: UnsafeMutablePointer<curl_slist>?
    var status = 0
    var headers: [HTTPHeader] = []
    var headersComplete = false
    var body: [UInt8] = []
    var abort: Abort?
    /// Streaming only: the stream until it is handed to the caller, and its sink.
    var pendingStream: ByteStream?
    var sink: ByteStreamSink?
    /// Streaming only: we asked curl to stop receiving until the consumer drains the buffer.
    var receivePaused = false

    init(request: HTTPRequest, url: RequestURL, proxy: String?, maxBodyBytes: Int) {
        self.request = request
        self.url = url
        self.proxy = proxy
        self.maxBodyBytes = maxBodyBytes
    }

    var isStreaming: Bool { sink != nil }

    // MARK: Callbacks (curl thread)

    /// One header line, CRLF included. A status line starts a new header block (1xx responses
    /// and anything before the final response are dropped); the empty line ends it.
    func receivedHeaderLine(_ line: UnsafeRawBufferPointer) {
        if headersComplete { return } // trailers
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        let bytes = UnsafeRawBufferPointer(rebasing: line[0..<end])
        if bytes.isEmpty {
            if status >= 200 { finishHeaders() }
            return
        }
        if bytes.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            status = Self.statusCode(in: bytes)
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: bytes[..<colon], as: UTF8.self)
        var start = colon + 1
        while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        var stop = bytes.count
        while stop > start, bytes[stop - 1] == 0x20 || bytes[stop - 1] == 0x09 { stop -= 1 }
        headers.append(HTTPHeader(name, String(decoding: bytes[start..<stop], as: UTF8.self)))
    }

    private static func statusCode(in line: UnsafeRawBufferPointer) -> Int {
        guard let space = line.firstIndex(of: 0x20) else { return 0 }
        var code = 0
        var i = space + 1
        while i < line.count, line[i] >= 0x30, line[i] <= 0x39, i < space + 4 {
            code = code * 10 + Int(line[i] - 0x30)
            i += 1
        }
        return code
    }

    private func finishHeaders() {
        headersComplete = true
        guard sink != nil else {
            // Reserve for the announced length, but only up to 8 MiB: a HEAD response or a lying
            // server must not make us allocate what may never arrive.
            if !isHead, let length = easy?.contentLength, length > 0 {
                body.reserveCapacity(min(length, maxBodyBytes, 8 << 20))
            }
            return
        }
        guard case .stream(let continuation)? = completion, let stream = pendingStream else { return }
        completion = nil
        pendingStream = nil
        continuation.resume(returning: .success(HTTPStreamingResponse(status: status, headers: headers, body: stream)))
    }

    /// Body bytes. Returns what curl expects from a write callback.
    func receivedBody(_ data: UnsafeRawBufferPointer) -> Int {
        guard let sink else {
            if body.count + data.count > maxBodyBytes {
                abort = .bodyTooLarge
                return 0
            }
            body.append(contentsOf: data)
            return data.count
        }
        if !headersComplete { finishHeaders() }
        // Backpressure. `yield` always keeps the chunk, so once it says `.pause` these bytes are
        // consumed and must not be redelivered: we return their full count and call
        // curl_easy_pause(RECV) from inside the callback, which stops curl reading the socket.
        // libcurl may still have a few already-read bytes for this transfer (for example the rest
        // of a chunked-decoding buffer) and call us again before it notices the pause; those we
        // have NOT yielded, so we refuse them with CURL_WRITEFUNC_PAUSE and curl keeps them and
        // delivers them again after the unpause. Either way each byte reaches the sink exactly once.
        if receivePaused { return Int(jf_writefunc_pause()) }
        switch sink.yield(Array(data)) {
        case .more:
            return data.count
        case .pause:
            receivePaused = true
            if let handle = easy?.handle { curl_easy_pause(handle, jf_pause_recv()) }
            return data.count
        case .consumerGone:
            abort = .consumerGone
            return 0
        }
    }

    // MARK: Completion (curl thread, no lock held)

    /// Delivers the outcome: resumes the awaiting call, or ends the body stream.
    func complete(with outcome: Result<Void, TransportError>) {
        phase = .done
        switch (outcome, completion) {
        case (.success, .collect(let c)?):
            completion = nil
            let response = HTTPResponse(status: status, headers: headers, body: body)
            body = []
            c.resume(returning: .success(response))
        case (.failure(let error), .collect(let c)?):
            completion = nil
            c.resume(returning: .failure(error))
        case (.success, .stream?):
            finishHeaders()
            sink?.finish()
        case (.failure(let error), .stream(let c)?):
            completion = nil
            sink?.finish(throwing: error) // before dropping the stream, so no termination handler runs
            pendingStream = nil
            c.resume(returning: .failure(error))
        case (_, nil):
            if case .failure(let error) = outcome { sink?.finish(throwing: error) } else { sink?.finish() }
        }
        sink = nil
        pendingStream = nil
    }

    /// The error for a curl result, taking our own aborts into account.
    func error(for code: CURLcode, detail: String) -> TransportError {
        switch abort {
        case .bodyTooLarge?:
            return TransportError(kind: .aborted, message: "response body larger than \(maxBodyBytes) bytes", url: request.url)
        case .consumerGone?:
            return TransportError(kind: .cancelled, message: "the reader of the response stopped", url: request.url)
        case nil:
            return CurlError.transportError(code: code, detail: detail, url: request.url, viaProxy: proxy != nil)
        }
    }

    /// Frees the lists handed to curl; only after the handle left the multi handle.
    func releaseLists() {
        curl_slist_free_all(headerList)
        curl_slist_free_all(connectToList)
        headerList = nil
        connectToList = nil
    }
}
