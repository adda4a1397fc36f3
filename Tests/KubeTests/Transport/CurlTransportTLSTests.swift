import Foundation
import Testing
@testable import Kube

@Suite struct CurlTransportTLSTests {
    let certs: TestCertificates

    init() throws { certs = try TestCertificates.shared.get() }

    func server(cert: String = "server", requireClientCert: Bool = false) throws -> TransportTestServer {
        var args = ["--cert", certs.path("\(cert).pem"), "--key", certs.path("\(cert).key")]
        if requireClientCert { args += ["--client-ca", certs.path("ca.pem")] }
        return try TransportTestServer(args)
    }

    func get(_ options: TransportOptions, _ url: String, identity: ClientIdentity? = nil) async throws(TransportError) -> HTTPResponse {
        let transport = try CurlTransport(options: options)
        defer { transport.shutdown() }
        return try await transport.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(20), clientIdentity: identity))
    }

    @Test func trustsOnlyTheGivenCA() async throws {
        let server = try server()
        let ok = try await get(TransportOptions(caPEM: certs.caPEM, environment: [:]), server.https + "/echo")
        #expect(ok.status == 200)
        let viaName = try await get(TransportOptions(caPEM: certs.caPEM, environment: [:]), "https://localhost:\(server.port)/echo")
        #expect(viaName.status == 200)
        // System roots do not know the test CA.
        #expect(await failureKind { try await get(TransportOptions(environment: [:]), server.https + "/echo") } == .tls)
        let insecure = try await get(TransportOptions(insecureSkipTLSVerify: true, environment: [:]), server.https + "/echo")
        #expect(insecure.status == 200)
    }

    @Test func clientCertificateWhenTheServerRequiresOne() async throws {
        let server = try server(requireClientCert: true)
        let withDefault = TransportOptions(caPEM: certs.caPEM, clientIdentity: certs.clientIdentity, environment: [:])
        #expect(try await get(withDefault, server.https + "/echo").status == 200)
        let without = TransportOptions(caPEM: certs.caPEM, environment: [:])
        // TLS 1.3 sends the server's rejection after the client finished its handshake, so curl
        // sees it while reading: as the alert (.tls) or, if the close wins the race, a reset.
        let kind = await failureKind { try await get(without, server.https + "/echo") }
        #expect(kind == .tls || kind == .connectionFailed)
        // The per-request identity overrides (here: supplies) the transport's.
        #expect(try await get(without, server.https + "/echo", identity: certs.clientIdentity).status == 200)
    }

    @Test func aConnectionMadeWithACertificateIsNotReusedWithoutIt() async throws {
        let server = try server(requireClientCert: true)
        let transport = try CurlTransport(options: TransportOptions(caPEM: certs.caPEM, environment: [:]))
        defer { transport.shutdown() }
        let url = server.https + "/echo"
        #expect(try await transport.send(HTTPRequest(method: "GET", url: url, clientIdentity: certs.clientIdentity)).status == 200)
        let kind = await failureKind { try await transport.send(HTTPRequest(method: "GET", url: url)) }
        #expect(kind == .tls || kind == .connectionFailed)
    }

    @Test func streamingOverTLS() async throws {
        let server = try server()
        let transport = try CurlTransport(options: TransportOptions(caPEM: certs.caPEM, environment: [:]))
        defer { transport.shutdown() }
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.https + "/bigline?size=300000"))
        let body = try await response.body.collect()
        var expected: [UInt8] = (0..<300_000).map { UInt8(97 + $0 % 26) }
        expected.append(0x0A)
        #expect(body == expected)
    }

    @Test func httpsThroughAConnectProxy() async throws {
        let api = try server(cert: "apionly")
        let proxy = try TransportTestServer()
        var options = TransportOptions(caPEM: certs.caPEM, tlsServerName: "api.test", proxyURL: proxy.http, environment: [:])
        let transport = try CurlTransport(options: options)
        defer { transport.shutdown() }
        let r = try await transport.send(HTTPRequest(method: "GET", url: api.https + "/echo"))
        #expect(r.status == 200)
        #expect(json(r)["host"] as? String == "127.0.0.1:\(api.port)")
        // The tunnel goes to the real address; the name is only used inside TLS.
        #expect(try await proxy.stats()["tunnels"] as? [String] == ["127.0.0.1:\(api.port)"])
        options.tlsServerName = nil
        let unnamed = try CurlTransport(options: options)
        defer { unnamed.shutdown() }
        #expect(await failureKind { try await unnamed.send(HTTPRequest(method: "GET", url: api.https + "/echo")) } == .tls)
    }

    @Test func tlsServerNameChecksTheCertificateAgainstTheGivenName() async throws {
        let server = try server(cert: "apionly") // SAN: DNS:api.test only
        let plain = TransportOptions(caPEM: certs.caPEM, environment: [:])
        var named = plain
        named.tlsServerName = "api.test"
        let transport = try CurlTransport(options: named)
        defer { transport.shutdown() }
        let r = try await transport.send(HTTPRequest(method: "GET", url: server.https + "/echo"))
        #expect(r.status == 200)
        #expect(json(r)["host"] as? String == "127.0.0.1:\(server.port)") // the server still sees the real host
        let stats = try await server.stats(via: transport, https: true)
        #expect(stats["sni"] as? String == "api.test")
        #expect(stats["connections"] as? Int == 1) // and the connection is reused
        // Without the name, the certificate does not match 127.0.0.1.
        #expect(await failureKind { try await get(plain, server.https + "/echo") } == .tls)
    }
}
