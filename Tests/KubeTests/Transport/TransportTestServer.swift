import Foundation
@testable import Kube

/// The python test server (Fixtures/servers/transport_server.py) as a subprocess on 127.0.0.1.
final class TransportTestServer {
    let process: Process
    let port: Int
    private let stdin: Pipe

    var http: String { "http://127.0.0.1:\(port)" }
    var https: String { "https://127.0.0.1:\(port)" }

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/servers/transport_server.py").path

    init(_ arguments: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script] + arguments
        let out = Pipe()
        process.standardOutput = out
        // The server exits when this pipe closes, so it never outlives the test process.
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).prefix { $0.isNumber }) else {
            process.terminate()
            throw TestFailure("test server did not start: \(text)")
        }
        self.process = process
        self.port = port
        self.stdin = stdin
    }

    deinit { stop() }

    /// Kills the server. (Not `waitUntilExit`: corelibs Foundation busy-waits there off the main thread.)
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The server's counters, read over `transport` (or a fresh plain one with its own connection).
    func stats(via transport: CurlTransport? = nil, https: Bool = false) async throws -> [String: Any] {
        let own = transport == nil ? try CurlTransport(options: TransportOptions(environment: [:])) : nil
        defer { own?.shutdown() }
        let client = transport ?? own!
        let response = try await client.send(HTTPRequest(method: "GET", url: (https ? self.https : http) + "/stats", timeout: .seconds(10)))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// Polls the stats until `condition` holds (at most ~10 s); returns the last stats.
    /// Polls the server's stats until `condition` holds; gives up after 60 s (only a bound: a
    /// loaded machine, such as a CI runner building in parallel, can take seconds to schedule the
    /// server's thread that notices a closed connection).
    func waitForStats(_ condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var stats: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            stats = try await self.stats()
            if condition(stats) { return stats }
            try await Task.sleep(for: .milliseconds(50))
        }
        return stats
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
