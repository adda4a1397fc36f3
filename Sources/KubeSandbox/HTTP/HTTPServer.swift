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
///
/// Requests the handler answers at once are answered on the event loop (head, body and end in
/// one flush); only deferred answers (fault-injected latency) and streamed bodies run on a task.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (HTTPRequest) -> HTTPHandling

    let handler: Handler
    let maxBodyBytes: Int
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let serverChannel = Mutex<(any Channel)?>(nil)
    /// Open connections, closed by `stop`.
    let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    /// Tasks answering deferred or streamed requests, awaited by `stop`.
    let tasks = Mutex<(next: Int, running: [Int: Task<Void, Never>])>((0, [:]))

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
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(server: self))
                }
            }
            .bind(host: host, port: port).get()
        serverChannel.withLock { $0 = server }
        return server.localAddress?.port ?? port
    }

    func stop() async {
        let channel = serverChannel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await channel?.close()
        let open = connections.withLock { c -> [any Channel] in
            defer { c = [:] }
            return Array(c.values)
        }
        // Closing a connection cancels its running stream (channelInactive).
        for connection in open { try? await connection.close() }
        while true {
            let running = tasks.withLock { Array($0.running.values) }
            if running.isEmpty { break }
            for task in running {
                task.cancel()
                await task.value
            }
        }
        try? await group.shutdownGracefully()
    }

    /// Runs `work` on a task that `stop` waits for; returns the task.
    func spawn(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        tasks.withLock { t in
            let id = t.next
            t.next += 1
            let task = Task { [self] in
                await work()
                _ = tasks.withLock { $0.running.removeValue(forKey: id) }
            }
            t.running[id] = task
            return task
        }
    }

    /// RFC 1123 date as HTTP wants it: `Wed, 25 Nov 2026 03:59:29 GMT`.
    static func httpDate(_ date: Date) -> String { KubeTimestamp.httpDate(date) }

    static func responseHead(_ response: HTTPResponse, keepAlive: Bool) -> HTTPResponseHead {
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Date", value: HTTPServer.httpDate(Date()))
        headers.replaceOrAdd(name: "Audit-Id", value: UUID().uuidString.lowercased())
        headers.replaceOrAdd(name: "Cache-Control", value: "no-cache, private")
        switch response.body {
        case .full(let bytes):
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        case .stream:
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            headers.replaceOrAdd(name: "Connection", value: "close")
        }
        return HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
    }

    /// Writes a complete response (one flush); closes the connection after it unless `keepAlive`.
    static func writeFull(_ response: HTTPResponse, bytes: [UInt8], keepAlive: Bool, on channel: any Channel) {
        let head = responseHead(response, keepAlive: keepAlive)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: bytes))), promise: nil)
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
    }

    /// Writes a response from a task: complete bodies as `writeFull`; streamed bodies chunk by
    /// chunk, then closes the connection. A chunk's write is awaited only while the channel is
    /// not writable (its outbound buffer is above NIO's high-water mark), so a slow reader holds
    /// the producer back while a fast one is not made to wait for every flush.
    static func write(_ response: HTTPResponse, keepAlive: Bool, on channel: any Channel) async {
        switch response.body {
        case .full(let bytes):
            writeFull(response, bytes: bytes, keepAlive: keepAlive, on: channel)
        case .stream(let produce):
            let head = responseHead(response, keepAlive: false)
            do {
                try await channel.writeAndFlush(HTTPServerResponsePart.head(head))
            } catch {
                channel.close(promise: nil)
                return
            }
            await produce { chunk in
                try Task.checkCancellation()
                let written = channel.eventLoop.makePromise(of: Void.self)
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: chunk))), promise: written)
                if !channel.isWritable { try await written.futureResult.get() }
            }
            try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            try? await channel.close()
        }
    }
}

/// One connection: assembles requests (head, capped body, end), answers those the handler
/// answers at once right here on the event loop, hands the rest to a task that is cancelled
/// when the client goes away. `HTTPServerPipelineHandler` (in front) holds back pipelined
/// requests until the current response has ended.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: HTTPServer
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false
    /// The task answering the current request (deferred or streamed), cancelled on disconnect.
    var task: Task<Void, Never>?

    init(server: HTTPServer) {
        self.server = server
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        server.connections.withLock { $0[ObjectIdentifier(channel)] = channel }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let id = ObjectIdentifier(context.channel)
        _ = server.connections.withLock { $0.removeValue(forKey: id) }
        task?.cancel()
        task = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        server.logger.debug("connection ended", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
            // libcurl asks before sending large bodies; answer at once instead of letting it wait.
            if h.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: .continue))), promise: nil)
            }
        case .body(let buffer):
            if body.count + buffer.readableBytes > server.maxBodyBytes {
                tooLarge = true
                body = []
            } else if !tooLarge {
                body.append(contentsOf: buffer.readableBytesView)
            }
        case .end:
            guard let h = head else { return }
            head = nil
            let channel = context.channel
            if tooLarge {
                tooLarge = false
                let e = HTTPResponse.error(.init(code: 413, reason: "RequestEntityTooLarge",
                                                 message: "Request entity too large: limit is \(server.maxBodyBytes)"))
                if case .full(let bytes) = e.body { HTTPServer.writeFull(e, bytes: bytes, keepAlive: false, on: channel) }
                return
            }
            let request = HTTPRequest(method: h.method.rawValue, uri: h.uri, headers: h.headers.map { ($0.name, $0.value) }, body: body)
            body = []
            let keepAlive = h.isKeepAlive
            switch server.handler(request) {
            case .response(let response):
                if case .full(let bytes) = response.body {
                    HTTPServer.writeFull(response, bytes: bytes, keepAlive: keepAlive, on: channel)
                } else {
                    task = server.spawn { await HTTPServer.write(response, keepAlive: false, on: channel) }
                }
            case .deferred(let work):
                task = server.spawn {
                    let response = await work()
                    let streamed: Bool
                    if case .stream = response.body { streamed = true } else { streamed = false }
                    await HTTPServer.write(response, keepAlive: keepAlive && !streamed, on: channel)
                }
            }
        }
    }
}
