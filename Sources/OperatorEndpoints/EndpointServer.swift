import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server (SwiftNIO) answering GET/HEAD on a fixed set of paths, for `/metrics`,
/// `/healthz` and `/readyz`.
///
/// Each route is a synchronous closure producing a complete response; it runs on the server's
/// event loop, so it must be quick (read a snapshot, render text). Unknown paths get 404, other
/// methods 405; query strings are ignored. Connections are kept alive when the client asks.
public final class EndpointServer: Sendable {
    public typealias Route = @Sendable () -> EndpointResponse

    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let stopped = Atomic<Bool>(false)
    /// The address actually bound (the port the kernel chose when asked for 0).
    public let boundPort: Int

    private init(channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.channel = channel
        self.group = group
        self.boundPort = channel.localAddress?.port ?? 0
    }

    /// Binds `host:port` and starts answering `routes` (path → response). Throws
    /// `EndpointServerError` when the address cannot be bound (in use, not local, bad name).
    public static func start(host: String, port: Int, routes: [String: Route]) async throws(EndpointServerError) -> EndpointServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(RouteHandler(routes: routes))
                    }
                }
                .bind(host: host, port: port).get()
            return EndpointServer(channel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw EndpointServerError(address: BindAddress.listen(host: host, port: port).description, reason: Self.explain(error))
        }
    }

    /// Stops listening, closes open connections and the event loop. Later calls do nothing.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    private static func explain(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case 98, 48: return "address already in use"  // EADDRINUSE on Linux, Darwin
            case 99, 49: return "address not available on this host"  // EADDRNOTAVAIL
            case 13, 1: return "permission denied"
            default: return "\(io)"
            }
        }
        return "\(error)"
    }
}

/// Why an endpoint could not start.
public struct EndpointServerError: Error, Sendable, CustomStringConvertible {
    public var address: String
    public var reason: String
    public var description: String { "cannot listen on \(address): \(reason)" }
}

/// Answers one request at a time per connection from the route table.
final class RouteHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: [String: EndpointServer.Route]
    private var head: HTTPRequestHead?

    init(routes: [String: EndpointServer.Route]) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break  // ignored: no route takes a body
        case .end:
            guard let request = head else { return }
            head = nil
            respond(to: request, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = String(request.uri.prefix { $0 != "?" && $0 != "#" })
        let response: EndpointResponse
        if request.method != .GET && request.method != .HEAD {
            response = .text(405, "method not allowed")
        } else if let route = routes[path] {
            response = route()
        } else {
            response = .text(404, "not found; try " + routes.keys.sorted().joined(separator: ", "))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD, !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
