import Foundation
import Testing
@testable import Kube

@Suite struct CurlTransportStreamingTests {
    static let plain = TransportOptions(environment: [:])

    @Test func slowLinesArriveInOrder() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.http + "/lines?n=5&ms=20"))
        #expect(response.status == 200)
        #expect(response.headers.value(for: "content-type") == "text/plain")
        let text = String(decoding: try await response.body.collect(), as: UTF8.self)
        #expect(text == (0..<5).map { "line \($0)\n" }.joined())
    }

    @Test func aFiveMegabyteLineArrivesIntact() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let size = 5_000_000
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.http + "/bigline?size=\(size)"))
        var received: [UInt8] = []
        for try await chunk in response.body { received.append(contentsOf: chunk) }
        let expected = (0..<size).map { UInt8(97 + $0 % 26) } + [0x0A]
        #expect(received.count == expected.count)
        #expect(received == expected)
    }

    @Test func aSlowConsumerHoldsTheServerBack() async throws {
        let server = try TransportTestServer()
        var options = Self.plain
        options.streamCapacity = 256 << 10
        let transport = try CurlTransport(options: options)
        defer { transport.shutdown() }
        let size = 64 << 20
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.http + "/large?size=\(size)"))
        var iterator = response.body.makeAsyncIterator()
        var total = try await iterator.next()?.count ?? 0
        // Stop reading. Wait until the server's writes stall, then check it could not finish.
        var last = -1, stableFor = 0
        var stats: [String: Any] = [:]
        while stableFor < 3 {
            try await Task.sleep(for: .milliseconds(100))
            stats = try await server.stats()
            let written = stats["large_written"] as? Int ?? 0
            stableFor = written == last ? stableFor + 1 : 0
            last = written
        }
        #expect(stats["large_done"] as? Bool == false)
        #expect(last < size)
        let buffered = response.body.storage.state.withLock { $0.bufferedBytes }
        #expect(buffered <= 2 * options.streamCapacity)
        // Now drain: every byte arrives, once.
        while let chunk = try await iterator.next() { total += chunk.count }
        #expect(total == size)
        #expect(try await server.stats()["large_done"] as? Bool == true)
    }

    @Test func droppingANeverEndingStreamClosesTheConnection() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let forever = server.http + "/forever"
        let reader = Task {
            let response = try await transport.stream(HTTPRequest(method: "GET", url: forever))
            for try await _ in response.body {}
        }
        _ = try await server.waitForStats { ($0["requests"] as? Int ?? 0) >= 2 }
        reader.cancel()
        await #expect(throws: (any Error).self) { try await reader.value }
        var stats = try await server.waitForStats { ($0["forever_closed"] as? Int ?? 0) >= 1 }
        #expect(stats["forever_closed"] as? Int == 1)

        // Dropping the body without reading it also ends the transfer.
        _ = try await transport.stream(HTTPRequest(method: "GET", url: server.http + "/forever"))
        stats = try await server.waitForStats { ($0["forever_closed"] as? Int ?? 0) >= 2 }
        #expect(stats["forever_closed"] as? Int == 2)
    }

    @Test func aTotalTimeoutEndsTheBodyWithTimedOut() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.http + "/forever", timeout: .milliseconds(300)))
        #expect(response.status == 200)
        do {
            for try await _ in response.body {}
            Issue.record("a never-ending body ended")
        } catch let error as TransportError {
            #expect(error.kind == .timedOut)
        }
    }

    @Test func cancellingBeforeHeadersThrowsCancelled() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let hang = server.http + "/hang"
        let task = Task { await failureKind { try await transport.stream(HTTPRequest(method: "GET", url: hang)) } }
        _ = try await server.waitForStats { ($0["inflight"] as? Int ?? 0) >= 2 }
        task.cancel()
        #expect(await task.value == .cancelled)
    }

    @Test func streamErrorsBeforeHeadersAreThrown() async throws {
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        #expect(await failureKind { try await transport.stream(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/")) } == .connectionFailed)
    }
}
