import Foundation
import Kube
import NIOCore
import NIOHTTP1
import NIOPosix

/// The client's own cost per request: sequential keep-alive GETs against an in-process NIO
/// HTTP/1.1 server that answers a fixed 4 KB JSON body straight from the event loop, so the
/// server's work is a few microseconds and the numbers are mostly `CurlTransport` + `KubeClient`.
enum ClientOnlyBench {
    final class FixedResponder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let body: ByteBuffer
        let head: HTTPResponseHead

        init(body: ByteBuffer) {
            self.body = body
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .end = unwrapInboundIn(data) {
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    static func object() -> [UInt8] {
        let filler = String(repeating: "x", count: 3900)
        let json = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"four-kb","namespace":"default","resourceVersion":"12","uid":"3c1b0f7e-0000-0000-0000-000000000001"},"data":{"payload":"\#(filler)"}}"#
        return Array(json.utf8)
    }

    static func run() async throws -> [Result] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bytes = object()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FixedResponder(body: ByteBuffer(bytes: bytes)))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        let base = "http://127.0.0.1:\(port)"
        let count = Int(ProcessInfo.processInfo.environment["BENCH_GET_COUNT"] ?? "") ?? 50_000
        let transport = try CurlTransport(options: TransportOptions(maxConcurrentTransfers: 64))
        let client = KubeClient(server: base, transport: transport, pacing: nil)
        let path = Resource.configMaps.objectPath(namespace: "default", name: "four-kb")
        let request = HTTPRequest(method: "GET", url: base + path,
                                  headers: [HTTPHeader("Accept", "application/json"), HTTPHeader("User-Agent", "jobflow-tui")],
                                  timeout: .seconds(60))
        var results: [Result] = []

        let raw = try await measure(count: count) {
            let r = try await transport.send(request)
            precondition(r.status == 200 && r.body.count == bytes.count)
        }
        results.append(result("CurlTransport.send", raw, count))
        let full = try await measure(count: count) {
            _ = try await client.get(.configMaps, namespace: "default", name: "four-kb")
        }
        results.append(result("KubeClient.get", full, count))
        transport.shutdown()
        try await channel.close()
        try await group.shutdownGracefully()
        return results
    }

    static func measure(count: Int, _ body: () async throws -> Void) async throws -> (Double, Duration, Duration) {
        for _ in 0..<min(2000, count / 10) { try await body() }
        var samples: [Duration] = []
        samples.reserveCapacity(count)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<count {
            let t0 = clock.now
            try await body()
            samples.append(clock.now - t0)
        }
        let total = clock.now - start
        samples.sort()
        return (Double(count) / total.seconds, Measure.percentile(samples, 50), Measure.percentile(samples, 99))
    }

    static func result(_ what: String, _ m: (Double, Duration, Duration), _ count: Int) -> Result {
        let (rate, p50, p99) = m
        print("clientonly \(what): \(Int(rate)) req/s, p50 \(Measure.format(p50)), p99 \(Measure.format(p99))")
        return Result(name: "\(what), 4 KB, trivial local server", workload: "\(count) sequential keep-alive GETs, in-process NIO server answering a fixed body",
                      value: "\(Int(rate)) req/s, p50 \(Measure.format(p50)), p99 \(Measure.format(p99))",
                      target: "—", pass: true)
    }
}
