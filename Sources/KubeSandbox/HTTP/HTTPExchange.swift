import Foundation
import Kube

/// One HTTP request as the router sees it: already fully read (bodies are capped).
struct HTTPRequest: Sendable {
    var method: String
    var uri: String
    var path: String
    var query: [String: String]
    var headers: [(String, String)]
    var body: [UInt8]

    init(method: String, uri: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        var q: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = HTTPRequest.decode(String(kv[0]))
                q[key] = kv.count > 1 ? HTTPRequest.decode(String(kv[1])) : ""
            }
        }
        query = q
    }

    static func decode(_ s: String) -> String {
        // Nothing to decode (the usual case): skip Foundation.
        if !s.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) { return s }
        return s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var accept: String { header("accept") ?? "" }
    var contentType: String { (header("content-type") ?? "").split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? "" }
    var userAgent: String { header("user-agent") ?? "" }
    var wantsTable: Bool { accept.contains("as=Table") }

    func flag(_ name: String) -> Bool {
        guard let v = query[name] else { return false }
        return v == "1" || v == "true" || v.isEmpty
    }
}

/// A response: either a complete body or a stream of chunks.
struct HTTPResponse: Sendable {
    enum Body: Sendable {
        case full([UInt8])
        /// Chunks written as the closure produces them; the closure's task is cancelled when the
        /// client goes away.
        case stream(@Sendable (_ write: @Sendable ([UInt8]) async throws -> Void) async -> Void)
    }

    var status: Int
    var headers: [(String, String)]
    var body: Body

    static func json(_ value: JSONValue, status: Int = 200, contentType: String = "application/json", headers: [(String, String)] = []) -> HTTPResponse {
        var bytes = value.serialized()
        bytes.append(0x0A)
        return HTTPResponse(status: status, headers: [("Content-Type", contentType)] + headers, body: .full(bytes))
    }

    static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .full(Array(text.utf8)))
    }

    static func error(_ error: APIError) -> HTTPResponse {
        var headers: [(String, String)] = []
        if let retry = error.retryAfter { headers.append(("Retry-After", String(retry))) }
        return json(StatusErrors.status(error), status: error.code, headers: headers)
    }
}

/// How a handler answers: with a response at once (written straight from the event loop), or
/// with work to await first (fault-injected latency), run on a task.
enum HTTPHandling: Sendable {
    case response(HTTPResponse)
    case deferred(@Sendable () async -> HTTPResponse)
}
