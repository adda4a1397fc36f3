import Synchronization
@testable import Kube

/// A transport that answers from a script and records every request.
final class ScriptedTransport: HTTPTransport {
    enum Reply: Sendable {
        case response(status: Int, headers: [HTTPHeader] = [], body: String)
        case stream(status: Int, chunks: [[UInt8]])
        case failure(TransportError)
    }

    let state = Mutex<(replies: [Reply], requests: [HTTPRequest])>(([], []))

    init(_ replies: [Reply]) { state.withLock { $0.replies = replies } }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func next(_ request: HTTPRequest) -> Reply {
        state.withLock { s in
            s.requests.append(request)
            return s.replies.isEmpty ? .response(status: 599, body: "script exhausted") : s.replies.removeFirst()
        }
    }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        switch next(request) {
        case .response(let status, let headers, let body): return HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
        case .stream(let status, let chunks): return HTTPResponse(status: status, headers: [], body: chunks.flatMap { $0 })
        case .failure(let error): throw error
        }
    }

    func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
        switch next(request) {
        case .response(let status, let headers, let body):
            return HTTPStreamingResponse(status: status, headers: headers, body: .of(Array(body.utf8)))
        case .stream(let status, let chunks):
            let (stream, sink) = ByteStream.makeStream(capacity: 1 << 30)
            for chunk in chunks { sink.yield(chunk) }
            sink.finish()
            return HTTPStreamingResponse(status: status, headers: [], body: stream)
        case .failure(let error): throw error
        }
    }
}

/// Records the delays the client asked to sleep, without sleeping.
final class SleepRecorder: Sendable {
    let delays = Mutex<[Duration]>([])
    var recorded: [Duration] { delays.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] d in self.delays.withLock { $0.append(d) } }
    }
}
