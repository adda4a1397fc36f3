import Foundation
import Kube
import Testing

/// A `jobflow-tui operator --headless` process with its stderr (the JSON log) in a file.
final class OperatorProcess {
    let process = Process()
    let directory: URL
    let stderrPath: String

    init(arguments: [String], environment: [String: String]? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("operator-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stderrPath = directory.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["operator", "--headless"] + arguments
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Everything logged so far.
    var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status (-9: killed after 30 s; see `terminate(_:)`).
    func stop() -> Int32 { terminate(process) }

    func removeFiles() { try? FileManager.default.removeItem(at: directory) }
}

/// Plain HTTP GETs over the project's libcurl transport, and polling with a liveness deadline.
enum HTTPProbe {
    static let transport: CurlTransport? = try? CurlTransport(options: TransportOptions(environment: [:], connectTimeout: .seconds(2)))

    /// Status and body of a GET, or `nil` when nothing answers.
    static func get(_ url: String) async -> (status: Int, body: String)? {
        guard let transport else { return nil }
        do {
            let response = try await transport.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(10)))
            return (response.status, String(decoding: response.body, as: UTF8.self))
        } catch {
            return nil
        }
    }

    /// A GET over https trusting the CA in `caPath` (a transport of its own).
    static func get(_ url: String, caPath: String) async -> (status: Int, body: String)? {
        guard let ca = FileManager.default.contents(atPath: caPath),
              let transport = try? CurlTransport(options: TransportOptions(caPEM: Array(ca), environment: [:])) else { return nil }
        defer { transport.shutdown() }
        guard let response = try? await transport.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(10))) else { return nil }
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// Polls until `condition` holds for a GET of `url`; returns the last answer. The deadline is
    /// only a liveness bound (generous on a loaded 2-core machine), never an assertion on speed.
    static func poll(_ url: String, deadline seconds: Double = 120,
                     until condition: ((status: Int, body: String)) -> Bool) async -> (status: Int, body: String)? {
        let deadline = Date().addingTimeInterval(seconds)
        var last: (status: Int, body: String)?
        while Date() < deadline {
            last = await get(url)
            if let last, condition(last) { return last }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return last
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, read back, closed).
func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw CommandError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw CommandError("bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The sample values of one metric family in a Prometheus text exposition, keyed by the
/// label part (`{controller="jobflow",result="success"}`, or "" without labels).
func metricSamples(_ exposition: String, name: String) -> [String: Double] {
    var samples: [String: Double] = [:]
    for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
        guard line.hasPrefix(name) else { continue }
        let rest = line.dropFirst(name.count)
        guard rest.first == "{" || rest.first == " " else { continue }
        guard let space = rest.lastIndex(of: " "), let value = Double(rest[rest.index(after: space)...]) else { continue }
        samples[String(rest[..<space])] = value
    }
    return samples
}

/// A client for a kubeconfig (no proxy or other environment taken from the test process).
func kubeClient(kubeconfig: String) throws -> KubeClient {
    let config = try ConfigLoader.load(ConfigSelection(kubeconfigPath: kubeconfig, environment: [:]))
    return try KubeClient.make(configuration: config)
}

/// The JobFlow resource, spelled out (this target does not link the Orchestrator).
let jobFlowsResource = Resource(group: "api.practice.com", version: "v1alpha1", plural: "jobflows", kind: "JobFlow", namespaced: true)

/// Creates every object of a manifest in `examples/` (namespace from the object, else `default`).
func createExample(_ file: String, client: KubeClient, rename: String? = nil) async throws {
    let text = try String(contentsOfFile: Paths.root + "/examples/" + file, encoding: .utf8)
    for var object in try JSONValue.parseYAMLDocuments(text) where object["kind"]?.stringValue == "JobFlow" {
        if let rename { object[path: "metadata.name"] = .string(rename) }
        _ = try await client.create(jobFlowsResource, namespace: object[path: "metadata.namespace"]?.stringValue ?? "default",
                                    object: object, options: WriteOptions())
    }
}

/// Polls a JobFlow until its `status.state` is `state` (liveness deadline only); returns the last state seen.
func waitForFlowState(_ name: String, namespace: String = "default", state: String, client: KubeClient,
                      deadline seconds: Double = 120) async -> String? {
    let deadline = Date().addingTimeInterval(seconds)
    var last: String?
    while Date() < deadline {
        last = (try? await client.get(jobFlowsResource, namespace: namespace, name: name))?[path: "status.state"]?.stringValue
        if last == state { return last }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return last
}
