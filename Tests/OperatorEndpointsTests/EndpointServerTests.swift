import Foundation
import OperatorEndpoints
import Testing

@Suite("endpoint server")
struct EndpointServerTests {
    @Test("serves the routes on 127.0.0.1, 404 elsewhere, 405 for other methods")
    func routes() async throws {
        let server = try await EndpointServer.start(host: "127.0.0.1", port: 0, routes: [
            "/healthz": { .text(200, "ok") },
            "/readyz": { .text(503, "informers not synced: nodes") },
        ])
        #expect(server.boundPort > 0)
        let ok = try RawHTTP.request("GET /healthz HTTP/1.1", port: server.boundPort)
        #expect(ok.hasPrefix("HTTP/1.1 200 OK"))
        #expect(ok.hasSuffix("\r\n\r\nok\n"))
        let notReady = try RawHTTP.request("GET /readyz?verbose HTTP/1.1", port: server.boundPort)
        #expect(notReady.hasPrefix("HTTP/1.1 503"))
        #expect(notReady.contains("informers not synced: nodes"))
        #expect(try RawHTTP.request("GET /nope HTTP/1.1", port: server.boundPort).hasPrefix("HTTP/1.1 404"))
        #expect(try RawHTTP.request("POST /healthz HTTP/1.1", port: server.boundPort).hasPrefix("HTTP/1.1 405"))
        await server.stop()
    }

    @Test("a port in use is a clear error")
    func portInUse() async throws {
        let first = try await EndpointServer.start(host: "127.0.0.1", port: 0, routes: [:])
        do {
            let second = try await EndpointServer.start(host: "127.0.0.1", port: first.boundPort, routes: [:])
            await second.stop()
            Issue.record("binding a port in use succeeded")
        } catch {
            #expect(error.description == "cannot listen on 127.0.0.1:\(first.boundPort): address already in use")
        }
        await first.stop()
    }
}

/// One request over a plain socket with `Connection: close`; returns the whole answer.
enum RawHTTP {
    static func request(_ line: String, port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let bytes = Array("\(line)\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
