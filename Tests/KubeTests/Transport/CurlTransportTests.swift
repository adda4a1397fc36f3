import Foundation
import Testing
@testable import Kube

func json(_ response: HTTPResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
}

/// The kind of the TransportError `body` throws, or nil if it succeeds.
func failureKind<T>(_ body: () async throws -> T) async -> TransportError.Kind? {
    do {
        _ = try await body()
        return nil
    } catch let error as TransportError {
        return error.kind
    } catch {
        Issue.record("not a TransportError: \(error)")
        return nil
    }
}

@Suite struct CurlTransportTests {
    static let plain = TransportOptions(environment: [:])

    @Test func methodsWithBodiesReachTheServerIntact() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let get = try await transport.send(HTTPRequest(method: "GET", url: server.http + "/echo?x=1", headers: [HTTPHeader("X-Test", "t")]))
        #expect(get.status == 200)
        #expect(get.headers.contains { $0.name == "X-Mixed-Case" && $0.value == "Yes" })
        let g = json(get)
        #expect(g["method"] as? String == "GET" && g["path"] as? String == "/echo?x=1" && g["x_test"] as? String == "t")
        #expect(g["user_agent"] as? String == "jobflow-tui")
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            let body = Array("{\"m\":\"\(method)\"}".utf8)
            let r = try await transport.send(HTTPRequest(method: method, url: server.http + "/echo",
                                                         headers: [HTTPHeader("Content-Type", "application/json")], body: body))
            let j = json(r)
            #expect(r.status == 200)
            #expect(j["method"] as? String == method)
            #expect(j["body"] as? String == String(decoding: body, as: UTF8.self))
            #expect(j["content_type"] as? String == "application/json")
            #expect(j["expect"] is NSNull) // curl's Expect: 100-continue is disabled
        }
        // No Content-Type of our own: curl must not invent a form type.
        let bare = json(try await transport.send(HTTPRequest(method: "POST", url: server.http + "/echo", body: Array("x".utf8))))
        #expect(bare["content_type"] is NSNull && bare["body"] as? String == "x")
        let notFound = try await transport.send(HTTPRequest(method: "GET", url: server.http + "/nope"))
        #expect(notFound.status == 404)
    }

    @Test func informationalResponsesAreSkipped() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let r = try await transport.send(HTTPRequest(method: "GET", url: server.http + "/early"))
        #expect(r.status == 200)
        #expect(r.headers.value(for: "link") == nil)
        #expect(r.headers.value(for: "x-mixed-case") == "Yes")
    }

    @Test func bodiesOverTheLimitFail() async throws {
        let server = try TransportTestServer()
        var options = Self.plain
        options.maxResponseBytes = 4096
        let transport = try CurlTransport(options: options)
        defer { transport.shutdown() }
        #expect(try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=4096")).body.count == 4096)
        let big = server.http + "/bytes?n=4097"
        #expect(await failureKind { try await transport.send(HTTPRequest(method: "GET", url: big)) } == .aborted)
        #expect(CurlTransportTests.plain.maxResponseBytes == 256 << 20)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        for _ in 0..<25 {
            let r = try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=4096"))
            #expect(r.body.count == 4096)
        }
        let stats = try await server.stats(via: transport)
        #expect(stats["connections"] as? Int == 1)
        #expect(stats["requests"] as? Int == 26)
    }

    @Test func concurrencyIsBoundedAndEveryRequestCompletes() async throws {
        let server = try TransportTestServer()
        var options = Self.plain
        options.maxConcurrentTransfers = 8
        let transport = try CurlTransport(options: options)
        defer { transport.shutdown() }
        let slow = server.http + "/slow?ms=5"
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 {
                group.addTask { try await transport.send(HTTPRequest(method: "GET", url: slow)).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
        let stats = try await server.stats(via: transport)
        #expect((stats["max_inflight"] as? Int ?? 99) <= 8)
        #expect((stats["max_open"] as? Int ?? 99) <= 8)
        #expect(stats["requests"] as? Int == 201)
    }

    @Test func connectionRefusedIsConnectionFailed() async throws {
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        #expect(await failureKind { try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/")) } == .connectionFailed)
    }

    @Test func totalTimeoutOnAHangingRequest() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let kind = await failureKind {
            try await transport.send(HTTPRequest(method: "GET", url: server.http + "/hang", timeout: .milliseconds(300)))
        }
        #expect(kind == .timedOut)
    }

    @Test func cancellingSendAbortsPromptly() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let hang = server.http + "/hang", echo = server.http + "/echo"
        let task = Task { await failureKind { try await transport.send(HTTPRequest(method: "GET", url: hang)) } }
        _ = try await server.waitForStats { ($0["inflight"] as? Int ?? 0) >= 2 } // /hang plus this /stats
        task.cancel()
        #expect(await task.value == .cancelled)
        // An already-cancelled task never starts the transfer.
        let pre = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await failureKind { try await transport.send(HTTPRequest(method: "GET", url: echo)) }
        }
        #expect(await pre.value == .cancelled)
    }

    @Test func cancellingAQueuedRequestDoesNotWaitForItsTurn() async throws {
        let server = try TransportTestServer()
        var options = Self.plain
        options.maxConcurrentTransfers = 1
        let transport = try CurlTransport(options: options)
        defer { transport.shutdown() }
        let hang = server.http + "/hang", echo = server.http + "/echo"
        let blocker = Task { await failureKind { try await transport.send(HTTPRequest(method: "GET", url: hang)) } }
        _ = try await server.waitForStats { ($0["inflight"] as? Int ?? 0) >= 2 }
        let queued = Task { await failureKind { try await transport.send(HTTPRequest(method: "GET", url: echo)) } }
        queued.cancel()
        #expect(await queued.value == .cancelled) // while /hang still holds the only slot
        blocker.cancel()
        #expect(await blocker.value == .cancelled)
        // The slot is free again.
        #expect(try await transport.send(HTTPRequest(method: "GET", url: echo)).status == 200)
    }

    @Test func invalidRequestsFailBeforeTheNetwork() async throws {
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        #expect(await failureKind { try await transport.send(HTTPRequest(method: "GET", url: "nota url")) } == .invalidRequest)
        let smuggled = HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [HTTPHeader("X", "a\r\nInjected: 1")])
        #expect(await failureKind { try await transport.send(smuggled) } == .invalidRequest)
    }

    @Test func errorMessagesNeverCarryHeaders() async throws {
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let secret = "Bearer s3cr3t-token"
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:1/x",
                                                     headers: [HTTPHeader("Authorization", secret)], body: Array("body-secret".utf8)))
            Issue.record("expected a failure")
        } catch {
            #expect(!error.description.contains("s3cr3t") && !error.description.contains("body-secret"))
        }
    }

    @Test func headHasNoBody() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        defer { transport.shutdown() }
        let r = try await transport.send(HTTPRequest(method: "HEAD", url: server.http + "/bytes?n=100000"))
        #expect(r.status == 200 && r.body.isEmpty && r.headers.value(for: "content-length") == "100000")
        // The connection is still usable afterwards.
        #expect(try await transport.send(HTTPRequest(method: "GET", url: server.http + "/bytes?n=10")).body.count == 10)
    }

    @Test func shutdownCancelsRunningRequests() async throws {
        let server = try TransportTestServer()
        let transport = try CurlTransport(options: Self.plain)
        let hang = server.http + "/hang"
        let task = Task { await failureKind { try await transport.send(HTTPRequest(method: "GET", url: hang)) } }
        _ = try await server.waitForStats { ($0["inflight"] as? Int ?? 0) >= 2 }
        transport.shutdown()
        #expect(await task.value == .cancelled)
    }

    @Test func shutdownFailsLaterRequests() async throws {
        let transport = try CurlTransport(options: Self.plain)
        transport.shutdown()
        #expect(await failureKind { try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/")) } == .cancelled)
    }

    @Test func explicitAndEnvironmentProxiesCarryTheRequest() async throws {
        let server = try TransportTestServer()
        for options in [TransportOptions(proxyURL: server.http, environment: [:]),
                        TransportOptions(environment: ["HTTP_PROXY": server.http])] {
            let transport = try CurlTransport(options: options)
            defer { transport.shutdown() }
            let r = json(try await transport.send(HTTPRequest(method: "GET", url: "http://cluster.invalid:8080/api?x=1")))
            #expect(r["proxied"] as? Bool == true)
            #expect(r["target"] as? String == "http://cluster.invalid:8080/api?x=1")
        }
        // Loopback is never proxied from the environment: this reaches the server directly.
        let direct = try CurlTransport(options: TransportOptions(environment: ["HTTP_PROXY": "http://127.0.0.1:1"]))
        defer { direct.shutdown() }
        #expect(json(try await direct.send(HTTPRequest(method: "GET", url: server.http + "/echo")))["proxied"] as? Bool == false)
        let dead = try CurlTransport(options: TransportOptions(proxyURL: "http://127.0.0.1:1", environment: [:]))
        defer { dead.shutdown() }
        #expect(await failureKind { try await dead.send(HTTPRequest(method: "GET", url: "http://cluster.invalid/")) } == .proxy)
    }
}
