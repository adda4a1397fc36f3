import Foundation
import Testing
@testable import Kube

/// The caller-driven fast path of `CurlEventLoop.drive`: a `send` on an idle transport runs on
/// the caller's thread, and hands over to the curl thread when another command arrives, when it
/// is cancelled, or when its budget runs out. Budgets here are either zero or far beyond any
/// response time, so the counters checked do not depend on timing. Serialized: a test that
/// drives a hanging request blocks one cooperative-pool thread until it cancels it (by design of
/// the test's 60 s budget), and two such tests at once would hold both threads of a 2-core box.
@Suite(.serialized) struct CurlTransportFastPathTests {
    static func options(budget: Duration, maxConcurrent: Int = 64) -> TransportOptions {
        var options = TransportOptions(environment: [:], maxConcurrentTransfers: maxConcurrent)
        options.callerDriveBudget = budget
        return options
    }

    @Test func sequentialSendsOnAnIdleTransportRunOnTheCallerAndReuseTheConnection() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .seconds(60)))
        defer { transport.shutdown() }
        for n in [0, 1, 4096, 100_000] {
            let r = try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=\(n)"))
            #expect(r.status == 200 && r.body.count == n)
        }
        let echo = json(try await transport.send(HTTPRequest(method: "POST", url: server.http + "/echo", body: Array("hi".utf8))))
        #expect(echo["body"] as? String == "hi")
        let stats = transport.loopStats
        #expect(stats.drivenToCompletion == 5 && stats.drivenThenHandedOff == 0)
        #expect(stats.loopPasses == 0) // the curl thread never had to wake
        let server2 = try await server.stats(via: transport)
        #expect(server2["connections"] as? Int == 1)
    }

    @Test func aZeroBudgetLeavesEveryTransferToTheCurlThread() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .zero))
        defer { transport.shutdown() }
        for _ in 0..<5 {
            #expect(try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=4096")).body.count == 4096)
        }
        let stats = transport.loopStats
        #expect(stats.drivenToCompletion == 0 && stats.drivenThenHandedOff == 0 && stats.loopPasses >= 5)
        #expect(try await server.stats(via: transport)["connections"] as? Int == 1)
    }

    @Test func anotherRequestTakesTheMultiHandleOverFromADrivingCaller() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .seconds(60)))
        defer { transport.shutdown() }
        let hang = server.http + "/hang"
        let driver = Task { await failureKind { try await transport.send(HTTPRequest(method: "GET", url: hang)) } }
        _ = try await server.waitForStats { ($0["inflight"] as? Int ?? 0) >= 2 } // /hang plus this /stats
        // The curl thread must run this one while /hang is still in flight.
        #expect(try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=10")).body.count == 10)
        #expect(transport.loopStats.drivenThenHandedOff == 1)
        driver.cancel()
        #expect(await driver.value == .cancelled)
    }

    @Test func cancellingADrivingCallerAbortsItsTransfer() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .seconds(60)))
        defer { transport.shutdown() }
        let hang = server.http + "/hang"
        let task = Task { await failureKind { try await transport.send(HTTPRequest(method: "GET", url: hang)) } }
        _ = try await server.waitForStats { ($0["inflight"] as? Int ?? 0) >= 2 }
        task.cancel()
        #expect(await task.value == .cancelled)
        #expect(transport.loopStats.drivenThenHandedOff == 1)
        // Once the curl thread has parked again, the next request takes the fast path again.
        #expect(try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=10")).body.count == 10)
    }

    @Test func shutdownWhileDrivingCancelsTheTransfer() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .seconds(60)))
        let hang = server.http + "/hang"
        let task = Task { await failureKind { try await transport.send(HTTPRequest(method: "GET", url: hang)) } }
        _ = try await server.waitForStats { ($0["inflight"] as? Int ?? 0) >= 2 }
        transport.shutdown()
        #expect(await task.value == .cancelled)
    }

    @Test func closeWaitsUntilTheCurlThreadHasLeftLibcurl() async throws {
        // A process that exits while the curl thread is inside libcurl races OpenSSL's atexit
        // cleanup (a segfault seen in `watch`): close() returns only once the thread is out.
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .zero))
        let hang = server.http + "/hang"
        let task = Task { await failureKind { try await transport.send(HTTPRequest(method: "GET", url: hang)) } }
        _ = try await server.waitForStats { ($0["inflight"] as? Int ?? 0) >= 2 }
        #expect(await transport.close(timeout: .seconds(60)))
        #expect(await task.value == .cancelled)
        // Closed is closed: later requests fail at once, and closing again returns at once.
        #expect(await failureKind { try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=1")) } == .cancelled)
        #expect(await transport.close(timeout: .seconds(60)))
    }

    @Test func concurrentSendsStayWithinTheLimitWhileOneDrives() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .seconds(60), maxConcurrent: 4))
        defer { transport.shutdown() }
        let slow = server.http + "/slow?ms=2", bytes = server.http + "/bytes?n=4096"
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<120 {
                group.addTask {
                    try await transport.send(HTTPRequest(method: "GET", url: i % 2 == 0 ? slow : bytes)).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 120 && statuses.allSatisfy { $0 == 200 })
        let stats = try await server.stats(via: transport)
        #expect((stats["max_inflight"] as? Int ?? 99) <= 4)
        #expect((stats["max_open"] as? Int ?? 99) <= 4)
        #expect(stats["requests"] as? Int == 121)
    }

    @Test func aResponseSlowerThanTheBudgetIsFinishedByTheCurlThread() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .milliseconds(1)))
        defer { transport.shutdown() }
        for _ in 0..<3 {
            #expect(try await transport.send(HTTPRequest(method: "GET", url: server.http + "/slow?ms=200")).status == 200)
        }
        // The first drive misses (a 200 ms answer cannot arrive within 1 ms plus one poll);
        // after a miss the fast path is skipped for a while, so not every request tries.
        let stats = transport.loopStats
        #expect(stats.drivenThenHandedOff >= 1 && stats.drivenToCompletion == 0)
    }

    @Test func anIdleLoopDoesNotRun() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.options(budget: .zero))
        defer { transport.shutdown() }
        for _ in 0..<3 { _ = try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=10")) }
        try await Task.sleep(for: .milliseconds(50)) // let it park after the last completion
        let before = transport.loopStats.loopPasses
        try await Task.sleep(for: .milliseconds(300))
        // Parked on a condition without a timeout: no pass at all while nothing happens.
        #expect(transport.loopStats.loopPasses == before)
    }
}

/// An easy handle that served a plain GET keeps its options for the next identical GET; any other
/// request resets it first, so nothing of one request leaks into the next.
@Suite struct CurlEasyReuseTests {
    @Test func identicalGETsReuseTheHandleAndOtherRequestsLeaveNothingBehind() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: TransportOptions(environment: [:]))
        defer { transport.shutdown() }
        func echo(_ method: String, _ path: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
                  timeout: Duration? = nil) async throws -> [String: Any] {
            var request = HTTPRequest(method: method, url: server.http + path, headers: headers, body: body)
            request.timeout = timeout
            return json(try await transport.send(request))
        }
        let first = try await echo("GET", "/echo?n=1", headers: [HTTPHeader("X-Test", "a")])
        #expect(first["method"] as? String == "GET" && first["x_test"] as? String == "a")
        let second = try await echo("GET", "/echo?n=2", headers: [HTTPHeader("X-Test", "b")])
        #expect(second["path"] as? String == "/echo?n=2" && second["x_test"] as? String == "b")
        #expect(transport.reusedHandles == 1)
        let post = try await echo("POST", "/echo", body: Array("hi".utf8))
        #expect(post["method"] as? String == "POST" && post["body"] as? String == "hi")
        // After the POST: a GET with no body, no content type, no leftover header.
        let after = try await echo("GET", "/echo?n=3")
        #expect(after["method"] as? String == "GET" && after["body"] as? String == "")
        #expect(after["content_type"] is NSNull && after["x_test"] is NSNull)
        let delete = try await echo("DELETE", "/echo")
        #expect(delete["method"] as? String == "DELETE")
        #expect(try await echo("GET", "/echo?n=4")["method"] as? String == "GET")
        #expect(try await echo("GET", "/echo?n=5")["method"] as? String == "GET")
        // A different timeout is a different configuration.
        #expect(try await echo("GET", "/echo?n=6", timeout: .seconds(5))["method"] as? String == "GET")
        #expect(transport.reusedHandles == 2)  // n=2 and n=5
        #expect(try await server.stats(via: transport)["connections"] as? Int == 1)
    }
}
