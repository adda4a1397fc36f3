import Foundation
import Kube
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The HTTP/1.1 listener (SwiftNIO): reads requests (bodies capped), hands them to a handler,
/// writes full or streamed (chunked) responses with the channel's backpressure, keeps
/// connections alive. Streams are cancelled when the client disconnects.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    let handler: Handler
    let maxBodyBytes: Int
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let serverChannel = Mutex<(any Channel)?>(nil)
    let acceptTask = Mutex<Task<Void, Never>?>(nil)
    /// Open connections, closed by `stop`.
    let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

    init(maxBodyBytes: Int = 3 * 1024 * 1024, logger: Logger, handler: @escaping Handler) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Binds and starts accepting; returns the bound port.
    func start(host: String, port: Int) async throws -> Int {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        serverChannel.withLock { $0 = server.channel }
        let boundPort = server.channel.localAddress?.port ?? port
        let task = Task { [self] in
            do {
                try await server.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            } catch {
                logger.debug("listener ended", metadata: ["error": "\(error)"])
            }
        }
        acceptTask.withLock { $0 = task }
        return boundPort
    }

    func stop() async {
        let channel = serverChannel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await channel?.close()
        let task = acceptTask.withLock { t -> Task<Void, Never>? in
            defer { t = nil }
            return t
        }
        let open = connections.withLock { c -> [any Channel] in
            defer { c = [:] }
            return Array(c.values)
        }
        for connection in open { try? await connection.close() }
        task?.cancel()
        await task?.value
        try? await group.shutdownGracefully()
    }

    /// What the reader tells the writer: the client went away; cancel the running stream.
    final class ConnectionSignal: Sendable {
        let state = Mutex<(closed: Bool, current: Task<Void, Never>?)>((false, nil))
        func close() {
            let t = state.withLock { s -> Task<Void, Never>? in
                s.closed = true
                return s.current
            }
            t?.cancel()
        }
        func run(_ task: Task<Void, Never>) {
            let closed = state.withLock { s -> Bool in
                s.current = task
                return s.closed
            }
            if closed { task.cancel() }
        }
        func clear() { state.withLock { $0.current = nil } }
    }

    enum Incoming: Sendable {
        case request(HTTPRequest, keepAlive: Bool)
        case tooLarge
    }

    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let maxBody = maxBodyBytes
        let id = ObjectIdentifier(connection.channel)
        connections.withLock { $0[id] = connection.channel }
        defer { connections.withLock { _ = $0.removeValue(forKey: id) } }
        do {
            try await connection.executeThenClose { inbound, outbound in
                let (requests, continuation) = AsyncStream<Incoming>.makeStream()
                let signal = ConnectionSignal()
                let reader = Task {
                    var head: HTTPRequestHead?
                    var body: [UInt8] = []
                    var tooLarge = false
                    do {
                        for try await part in inbound {
                            switch part {
                            case .head(let h):
                                head = h
                                body = []
                                tooLarge = false
                                // libcurl asks before sending large bodies; answer at once instead of letting it wait.
                                if h.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                                    try await outbound.write(.head(HTTPResponseHead(version: h.version, status: .continue)))
                                }
                            case .body(var buffer):
                                if body.count + buffer.readableBytes > maxBody {
                                    tooLarge = true
                                    body = []
                                } else if !tooLarge, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                                    body.append(contentsOf: bytes)
                                }
                            case .end:
                                guard let h = head else { continue }
                                if tooLarge {
                                    continuation.yield(.tooLarge)
                                } else {
                                    let headers = h.headers.map { ($0.name, $0.value) }
                                    continuation.yield(.request(HTTPRequest(method: h.method.rawValue, uri: h.uri, headers: headers, body: body),
                                                                keepAlive: h.isKeepAlive))
                                }
                                head = nil
                            }
                        }
                    } catch {}
                    continuation.finish()
                    signal.close()
                }
                defer { reader.cancel() }
                for await incoming in requests {
                    switch incoming {
                    case .tooLarge:
                        let e = HTTPResponse.error(.init(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(maxBody)"))
                        try await write(e, keepAlive: false, to: outbound, signal: signal)
                        return
                    case .request(let request, let keepAlive):
                        let response = await handler(request)
                        let streamed: Bool
                        if case .stream = response.body { streamed = true } else { streamed = false }
                        try await write(response, keepAlive: keepAlive && !streamed, to: outbound, signal: signal)
                        if !keepAlive || streamed { return }
                    }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// RFC 1123 date as HTTP wants it: `Wed, 25 Nov 2026 03:59:29 GMT`.
    static func httpDate(_ date: Date) -> String { KubeTimestamp.httpDate(date) }

    func write(_ response: HTTPResponse, keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
               signal: ConnectionSignal) async throws {
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Date", value: HTTPServer.httpDate(Date()))
        headers.replaceOrAdd(name: "Audit-Id", value: UUID().uuidString.lowercased())
        headers.replaceOrAdd(name: "Cache-Control", value: "no-cache, private")
        switch response.body {
        case .full(let bytes):
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(bytes: bytes))), .end(nil)])
        case .stream(let produce):
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            headers.replaceOrAdd(name: "Connection", value: "close")
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            try await outbound.write(.head(head))
            let task = Task {
                await produce { chunk in
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                }
            }
            signal.run(task)
            await task.value
            signal.clear()
            try? await outbound.write(.end(nil))
        }
    }
}
