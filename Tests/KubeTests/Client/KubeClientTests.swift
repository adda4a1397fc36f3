import Synchronization
import Testing
@testable import Kube

@Suite struct KubeClientTests {
    func client(_ transport: ScriptedTransport, authorizer: RequestAuthorizer = .anonymous,
                sleeper: SleepRecorder = SleepRecorder()) -> KubeClient {
        KubeClient(server: "https://api.test:6443/", transport: transport, authorizer: authorizer, pacing: nil, sleep: sleeper.sleep)
    }

    @Test func getBuildsThePathAndSendsCredentials() async throws {
        let transport = ScriptedTransport([.response(status: 200, body: #"{"kind":"Job","metadata":{"name":"a"}}"#)])
        let job = try await client(transport, authorizer: .bearer("s3cret")).get(.jobs, namespace: "team a", name: "a")
        #expect(job[path: "metadata.name"] == "a")
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://api.test:6443/apis/batch/v1/namespaces/team%20a/jobs/a")
        #expect(request.headers.value(for: "authorization") == "Bearer s3cret")
        #expect(request.method == "GET")
    }

    /// Counts acquisitions; never waits.
    final class CountingPacing: RequestPacing {
        let count = Mutex(0)
        func acquire() async throws -> Duration {
            count.withLock { $0 += 1 }
            return .zero
        }
        var totalWaited: Duration { .zero }
    }

    @Test func aClientSharingTheTransportPacesItsOwnRequestsAndKeepsCredentials() async throws {
        let body = #"{"kind":"Event","metadata":{"name":"e"}}"#
        let transport = ScriptedTransport([.response(status: 201, body: body), .response(status: 201, body: body),
                                           .response(status: 200, body: #"{"kind":"Job","metadata":{"name":"a"}}"#)])
        let main = CountingPacing(), events = CountingPacing()
        let client = KubeClient(server: "https://api.test:6443", transport: transport, authorizer: .bearer("s3cret"), pacing: main)
        let eventClient = client.sharingTransport(pacing: events)
        for _ in 0..<2 { _ = try await eventClient.create(.events, namespace: "default", object: ["metadata": ["name": "e"]]) }
        _ = try await client.get(.jobs, namespace: "default", name: "a")
        #expect(events.count.withLock { $0 } == 2)
        #expect(main.count.withLock { $0 } == 1)
        #expect(transport.requests.count == 3)
        #expect(transport.requests.allSatisfy { $0.headers.value(for: "authorization") == "Bearer s3cret" })
        #expect(transport.requests.first?.url == "https://api.test:6443/api/v1/namespaces/default/events")
    }

    @Test func pacedSeparatelyCopiesTheRateLimiterOverTheSameTransport() throws {
        let limiter = ClientRateLimiter(qps: 7, burst: 9)
        let client = KubeClient(server: "https://api.test:6443", transport: ScriptedTransport([]), pacing: limiter)
        let separate = try #require(client.pacedSeparately() as? KubeClient)
        let copy = try #require(separate.pacing as? ClientRateLimiter<ContinuousClock>)
        #expect(copy !== limiter && copy.qps == 7 && copy.burst == 9)
        #expect(separate.transport as AnyObject === client.transport as AnyObject)
        let unpaced = KubeClient(server: "https://api.test:6443", transport: ScriptedTransport([]), pacing: nil)
        #expect((unpaced.pacedSeparately() as? KubeClient)?.pacing == nil)
    }

    @Test func listEncodesSelectorsAndFillsKinds() async throws {
        let body = #"{"kind":"PodList","metadata":{"resourceVersion":"42","continue":"tok"},"items":[{"metadata":{"name":"p"}}]}"#
        let transport = ScriptedTransport([.response(status: 200, body: body)])
        let list = try await client(transport).list(.pods, namespace: nil,
            options: ListOptions(labelSelector: "app in (a,b),!canary", fieldSelector: "spec.nodeName=n1", limit: 500))
        #expect(list.resourceVersion == "42")
        #expect(list.continueToken == "tok")
        #expect(list.items.first?["kind"] == "Pod")
        #expect(list.items.first?["apiVersion"] == "v1")
        #expect(transport.requests.first?.url ==
            "https://api.test:6443/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2C%21canary&fieldSelector=spec.nodeName%3Dn1&limit=500")
    }

    @Test func failuresBecomeTypedAPIErrors() async throws {
        let status = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"jobs.batch \"x\" not found","reason":"NotFound","details":{"name":"x","group":"batch","kind":"jobs"},"code":404}"#
        let transport = ScriptedTransport([.response(status: 404, body: status)])
        do {
            _ = try await client(transport).get(.jobs, namespace: "default", name: "x")
            Issue.record("expected NotFound")
        } catch let error as KubeError {
            let api = try #require(error.apiError)
            #expect(api.isNotFound)
            #expect(api.message == "jobs.batch \"x\" not found")
            #expect(api.details?["name"] == "x")
        }
    }

    @Test func nonStatusBodiesStillYieldAnError() async throws {
        let transport = ScriptedTransport([.response(status: 502, body: "<html>bad gateway\u{1b}[31m</html>")])
        do {
            _ = try await client(transport).get(.pods, namespace: "default", name: "p")
            Issue.record("expected an error")
        } catch let error as KubeError {
            let api = try #require(error.apiError)
            #expect(api.code == 502)
            #expect(!api.message.contains("\u{1b}"))
        }
    }

    @Test func tooManyRequestsIsRetriedAfterTheServersDelay() async throws {
        let sleeper = SleepRecorder()
        let transport = ScriptedTransport([
            .response(status: 429, headers: [HTTPHeader("Retry-After", "2")], body: #"{"kind":"Status","reason":"TooManyRequests","code":429}"#),
            .response(status: 503, headers: [HTTPHeader("Retry-After", "1")], body: ""),
            .response(status: 200, body: #"{"kind":"Pod"}"#),
        ])
        let pod = try await client(transport, sleeper: sleeper).get(.pods, namespace: "default", name: "p")
        #expect(pod["kind"] == "Pod")
        #expect(sleeper.recorded == [.seconds(2), .seconds(1)])
        #expect(transport.requests.count == 3)
    }

    @Test func serverErrorsWithoutRetryAfterAreNotRetried() async throws {
        let transport = ScriptedTransport([.response(status: 500, body: #"{"kind":"Status","reason":"InternalError","message":"boom","code":500}"#)])
        await #expect(throws: KubeError.self) { try await client(transport).get(.pods, namespace: "default", name: "p") }
        #expect(transport.requests.count == 1)
    }

    @Test func retriesStopAfterTen() async throws {
        let replies = Array(repeating: ScriptedTransport.Reply.response(status: 429, headers: [HTTPHeader("Retry-After", "0")], body: ""), count: 20)
        let transport = ScriptedTransport(replies)
        await #expect(throws: KubeError.self) { try await client(transport).get(.pods, namespace: "default", name: "p") }
        #expect(transport.requests.count == 11)
    }

    @Test func unauthorizedRefreshesCredentialsOnce() async throws {
        let generation = Mutex(0)
        let authorizer = RequestAuthorizer(
            credentials: { ("Bearer t\(generation.withLock { $0 })", nil) },
            invalidate: { generation.withLock { $0 += 1 } })
        let transport = ScriptedTransport([
            .response(status: 401, body: #"{"kind":"Status","reason":"Unauthorized","code":401,"message":"Unauthorized"}"#),
            .response(status: 200, body: #"{"kind":"Pod"}"#),
            .response(status: 401, body: #"{"kind":"Status","reason":"Unauthorized","code":401,"message":"Unauthorized"}"#),
            .response(status: 401, body: #"{"kind":"Status","reason":"Unauthorized","code":401,"message":"Unauthorized"}"#),
        ])
        let c = client(transport, authorizer: authorizer)
        _ = try await c.get(.pods, namespace: "default", name: "p")
        #expect(transport.requests.map { $0.headers.value(for: "Authorization") } == ["Bearer t0", "Bearer t1"])
        do {
            _ = try await c.get(.pods, namespace: "default", name: "p")
            Issue.record("expected Unauthorized")
        } catch let error as KubeError {
            #expect(error.apiError?.isUnauthorized == true)
        }
    }

    @Test func deleteSendsPropagationAndPreconditions() async throws {
        let transport = ScriptedTransport([.response(status: 200, body: #"{"kind":"Status","status":"Success"}"#)])
        let result = try await client(transport).delete(.jobs, namespace: "default", name: "j",
            options: DeleteOptions(propagationPolicy: .background, preconditionUID: "u1"))
        #expect(result == nil)
        let body = try JSONParser.parse(try #require(transport.requests.first?.body))
        #expect(body["propagationPolicy"] == "Background")
        #expect(body[path: "preconditions.uid"] == "u1")
    }

    @Test func patchSendsTheContentTypeAndApplyParameters() async throws {
        let transport = ScriptedTransport([.response(status: 200, body: "{}"), .response(status: 200, body: "{}")])
        let c = client(transport)
        _ = try await c.patch(.jobs, namespace: "ns", name: "j", patch: .merge(["metadata": ["labels": ["a": "b"]]]))
        _ = try await c.patch(.jobs, namespace: "ns", name: "j", patch: .apply(["kind": "Job"]), subresource: "status",
                              options: PatchOptions(fieldManager: "jobflow", force: true))
        #expect(transport.requests[0].headers.value(for: "Content-Type") == "application/merge-patch+json")
        #expect(transport.requests[1].headers.value(for: "Content-Type") == "application/apply-patch+yaml")
        #expect(transport.requests[1].url.hasSuffix("/namespaces/ns/jobs/j/status?fieldManager=jobflow&force=true"))
    }

    @Test func watchDecodesEventsCutAcrossChunks() async throws {
        let lines = [
            #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}"#,
            #"{"type":"BOOKMARK","object":{"kind":"Job","apiVersion":"batch/v1","metadata":{"resourceVersion":"9"}}}"#,
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (10)","reason":"Expired","code":410}}"#,
        ]
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        // Cut into 7-byte pieces so every event straddles chunks.
        let chunks = stride(from: 0, to: bytes.count, by: 7).map { Array(bytes[$0..<min($0 + 7, bytes.count)]) }
        let transport = ScriptedTransport([.stream(status: 200, chunks: chunks)])
        let stream = try await client(transport).watch(.jobs, namespace: "default", options: WatchOptions(resourceVersion: "4"))
        var events: [WatchEvent] = []
        for try await event in stream { events.append(event) }
        #expect(events.map(\.type) == [.added, .bookmark, .error])
        #expect(events[0].object["kind"] == "Job")
        #expect(APIError(statusCode: 200, body: events[2].object.serialized()).isGone)
        #expect(transport.requests.first?.url.contains("watch=true") == true)
        #expect(transport.requests.first?.url.contains("resourceVersion=4") == true)
    }

    @Test func watchRejectedByTheServerThrowsTheStatus() async throws {
        let transport = ScriptedTransport([.response(status: 403, body: #"{"kind":"Status","reason":"Forbidden","code":403,"message":"jobs.batch is forbidden"}"#)])
        do {
            _ = try await client(transport).watch(.jobs, namespace: nil, options: WatchOptions())
            Issue.record("expected Forbidden")
        } catch let error as KubeError {
            #expect(error.apiError?.isForbidden == true)
        }
    }

    @Test func aGarbledWatchLineIsADecodingError() async throws {
        let transport = ScriptedTransport([.stream(status: 200, chunks: [Array("{\"type\":\"ADDED\",\"obj\n".utf8)])])
        let stream = try await client(transport).watch(.jobs, namespace: nil, options: WatchOptions())
        await #expect(throws: KubeError.self) { for try await _ in stream {} }
    }

    @Test func transportFailuresAreReportedAsSuch() async throws {
        let transport = ScriptedTransport([.failure(TransportError(kind: .connectionFailed, message: "connection refused", url: "https://api.test:6443"))])
        do {
            _ = try await client(transport).get(.pods, namespace: "default", name: "p")
            Issue.record("expected a transport error")
        } catch let error as KubeError {
            guard case .transport(let t) = error else { Issue.record("wrong case: \(error)"); return }
            #expect(t.kind == .connectionFailed)
        }
    }
}

@Suite struct LineSplitterTests {
    @Test func joinsLinesAcrossChunksAndKeepsLongLines() {
        var splitter = LineSplitter()
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 5_000_000)
        var lines = splitter.feed(Array("a\r\nb".utf8))
        lines += splitter.feed(long)
        lines += splitter.feed(Array("\nc".utf8))
        #expect(lines.count == 2)
        #expect(lines[0] == Array("a".utf8))
        #expect(lines[1].count == 5_000_001)
        #expect(splitter.finish() == Array("c".utf8))
    }
}

@Suite struct KubeClientProjectionTests {
    @Test func watchWithAProjectionKeepsErrorsWhole() async throws {
        let lines = [
            #"{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"5","managedFields":[{}]},"spec":{"big":"x"},"status":{"succeeded":1}}}"#,
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old","reason":"Expired","code":410}}"#,
        ]
        let transport = ScriptedTransport([.stream(status: 200, chunks: [Array((lines.joined(separator: "\n") + "\n").utf8)])])
        let client = KubeClient(server: "http://x", transport: transport, pacing: nil)
        let stream = try await client.watch(.jobs, namespace: nil, options: WatchOptions(projection: JSONProjection([["status"]])))
        var events: [WatchEvent] = []
        for try await event in stream { events.append(event) }
        #expect(events[0].object[path: "status.succeeded"] == 1)
        #expect(events[0].object[path: "metadata.resourceVersion"] == "5")
        #expect(events[0].object["spec"] == nil)
        #expect(events[1].object["code"] == 410)
        #expect(events[1].object["reason"] == "Expired")
    }

    @Test func listWithAProjectionKeepsTheListMetadata() async throws {
        let body = #"{"kind":"JobList","metadata":{"resourceVersion":"42","continue":"t"},"items":[{"metadata":{"name":"a","uid":"u"},"spec":{"x":1}}]}"#
        let transport = ScriptedTransport([.response(status: 200, body: body)])
        let client = KubeClient(server: "http://x", transport: transport, pacing: nil)
        let list = try await client.list(.jobs, namespace: nil, options: ListOptions(projection: JSONProjection([["status"]])))
        #expect(list.resourceVersion == "42")
        #expect(list.continueToken == "t")
        #expect(list.items.first?[path: "metadata.uid"] == "u")
        #expect(list.items.first?["spec"] == nil)
    }
}
