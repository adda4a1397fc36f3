import Foundation
import Kube
import Logging
import Synchronization

/// Watch decode: a watch body of ~4 KB Job events, handed over in 16 KB chunks by an in-memory
/// transport, through the real `KubeClient.watch` → `Informer` → `Store` path with the operator's
/// projection. Measures events per second from the first byte to the last event applied.
enum DecodeBench {
    static let count = 40_000
    static let distinct = 10_000

    /// Serves an empty list, then one watch stream with the prepared body.
    final class BodyTransport: HTTPTransport {
        let chunks: [[UInt8]]
        init(chunks: [[UInt8]]) { self.chunks = chunks }

        func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
            HTTPResponse(status: 200, headers: [], body: Array(#"{"kind":"JobList","metadata":{"resourceVersion":"1"},"items":[]}"#.utf8))
        }

        func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
            let (stream, sink) = ByteStream.makeStream(capacity: 1 << 20)
            let chunks = self.chunks
            Task.detached {
                // Respect backpressure as the curl transport does: wait for demand when paused.
                for chunk in chunks {
                    if sink.yield(chunk) == .pause {
                        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                            let resumed = Mutex(false)
                            sink.onDemand { if !resumed.withLock({ let r = $0; $0 = true; return r }) { c.resume() } }
                        }
                    }
                }
                // Keep the stream open, as a quiet watch would.
            }
            return HTTPStreamingResponse(status: 200, headers: [], body: stream)
        }
    }

    static func run() -> [Result] {
        let lines: [[UInt8]] = (0..<count).map { i in
            (["type": "MODIFIED", "object": Fixtures.job(index: i % distinct, resourceVersion: i + 2)] as JSONValue).serialized() + [0x0A]
        }
        let averageSize = lines.reduce(0) { $0 + $1.count } / count
        let body = lines.flatMap { $0 }
        let chunks = stride(from: 0, to: body.count, by: 16_384).map { Array(body[$0..<min($0 + 16_384, body.count)]) }

        var results: [Result] = []
        for (label, useProjection) in [("full decode", false), ("operator projection", true)] {
            let rate = measure(chunks: chunks, useProjection: useProjection)
            print("decode into store (\(label)): \(count) events of \(averageSize) B → \(Int(rate))/s")
            results.append(Result(name: "watch decode into the informer store (\(label))",
                                  workload: "\(count) MODIFIED events of \(averageSize) B Jobs in 16 KB chunks, KubeClient → Informer → compact Store",
                                  // Full decode is the comparison that shows what the projection saves.
                                  value: "\(Int(rate)) events/s", target: useProjection ? "≥ 20,000/s" : "— (comparison)",
                                  pass: !useProjection || rate >= 20_000))
        }
        return results
    }

    static func measure(chunks: [[UInt8]], useProjection: Bool) -> Double {
        let client = KubeClient(server: "http://bench", transport: BodyTransport(chunks: chunks), pacing: nil)
        var configuration = WatcherStateMachine.Configuration()
        let transform: @Sendable (JSONValue) -> JSONValue
        if useProjection {
            configuration.projection = InformerBench.operatorJobProjection
            transform = { InformerBench.onlyOperatorLabels($0) }
        } else {
            transform = { InformerBench.operatorTransform($0) }
        }
        let store = Store(transform: transform, encoding: .compact)
        let informer = Informer(api: client, resource: .jobs, namespace: nil, store: store,
                                configuration: configuration, logger: Logger(label: "bench"))
        let seen = Mutex(0)
        let done = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let handler: @Sendable () -> Void = {
            if seen.withLock({ $0 += 1; return $0 }) == count { done.withLock { $0 }?.resume() }
        }
        informer.onAdd { _ in handler() }
        informer.onUpdate { _, _ in handler() }
        let semaphore = DispatchSemaphore(value: 0)
        let elapsed = Mutex(Duration.zero)
        Task {
            let start = ContinuousClock.now
            let task = Task { await informer.run() }
            await withCheckedContinuation { c in
                done.withLock { $0 = c }
                if seen.withLock({ $0 }) >= count { c.resume() }
            }
            elapsed.withLock { $0 = ContinuousClock.now - start }
            task.cancel()
            semaphore.signal()
        }
        semaphore.wait()
        return Double(count) / elapsed.withLock { $0 }.seconds
    }
}
