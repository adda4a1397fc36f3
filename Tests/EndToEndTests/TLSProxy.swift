import Foundation

/// A TLS-terminating reverse proxy (python3 + ssl) in front of the plain-HTTP sandbox, standing
/// in for a cluster's `https://kubernetes.default` with a CA made by openssl at test time.
///
/// It accepts only `Authorization: Bearer <token>` where the token is the current content of
/// `acceptedTokenFile` (401 otherwise), so a test can rotate the service-account token and see
/// the old one refused. `GET /__proxy/stats` (no auth) returns counters as JSON.
final class TLSProxy {
    let process = Process()
    let port: Int
    let directory: String
    let acceptedTokenFile: String
    private let stdin = Pipe()

    var caPath: String { directory + "/ca.crt" }

    init(upstreamPort: Int, token: String) throws {
        directory = NSTemporaryDirectory() + "tls-proxy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        acceptedTokenFile = directory + "/accepted-token"
        try token.write(toFile: acceptedTokenFile, atomically: true, encoding: .utf8)
        try TLSProxy.makeCertificates(in: directory)
        let script = directory + "/proxy.py"
        try TLSProxy.script.write(toFile: script, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory + "/server.pem", directory + "/server.key", String(upstreamPort), acceptedTokenFile]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin  // the proxy exits when this pipe closes
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).prefix { $0.isNumber }) else {
            process.terminate()
            throw CommandError("the TLS proxy did not start: \(text)")
        }
        self.port = port
    }

    /// Accept only `token` from now on.
    func accept(_ token: String) throws { try token.write(toFile: acceptedTokenFile, atomically: true, encoding: .utf8) }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A CA and a server certificate for 127.0.0.1, made with the openssl CLI.
    static func makeCertificates(in directory: String) throws {
        func openssl(_ arguments: [String]) throws {
            let result = try run("/usr/bin/env", ["openssl"] + arguments + [], timeout: 60)
            guard result.status == 0 else { throw CommandError("openssl \(arguments.first ?? ""): \(result.err)") }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let d = directory + "/"
        try openssl(["req", "-x509"] + ec + ["-keyout", d + "ca.key", "-out", d + "ca.crt", "-days", "2", "-subj", "/CN=e2e cluster CA",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try "subjectAltName=IP:127.0.0.1,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n"
            .write(toFile: d + "server.ext", atomically: true, encoding: .utf8)
        try openssl(["req"] + ec + ["-keyout", d + "server.key", "-out", d + "server.csr", "-subj", "/CN=kubernetes"])
        try openssl(["x509", "-req", "-in", d + "server.csr", "-CA", d + "ca.crt", "-CAkey", d + "ca.key", "-CAcreateserial",
                     "-out", d + "server.pem", "-days", "2", "-extfile", d + "server.ext"])
    }

    /// Threaded HTTP/1.1 proxy: checks the bearer token, forwards to the upstream over plain
    /// HTTP, and re-chunks streamed (watch) bodies as they arrive.
    static let script = #"""
    import http.client, http.server, json, ssl, sys, threading, os

    cert, key, upstream_port, token_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    stats = {"requests": 0, "unauthorized": 0, "tokens": {}}
    lock = threading.Lock()
    HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer", "upgrade", "proxy-connection"}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if self.path == "/__proxy/stats":
                return self.reply(200, json.dumps(stats).encode(), "application/json")
            auth = self.headers.get("Authorization") or ""
            with open(token_file) as f:
                accepted = f.read().strip()
            presented = auth[7:] if auth.startswith("Bearer ") else ""
            with lock:
                stats["requests"] += 1
                stats["tokens"][presented[:12]] = stats["tokens"].get(presented[:12], 0) + 1
                if presented != accepted:
                    stats["unauthorized"] += 1
            if presented != accepted:
                status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "Unauthorized",
                          "reason": "Unauthorized", "code": 401}
                return self.reply(401, json.dumps(status).encode(), "application/json")
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=600)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "authorization"}
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            chunked = (response.getheader("Transfer-Encoding") or "").lower() == "chunked"
            self.send_response(response.status)
            for k, v in response.getheaders():
                if k.lower() not in HOP:
                    self.send_header(k, v)
            if not chunked:
                data = response.read()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                upstream.close()
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                while True:
                    data = response.read1(65536)
                    if not data:
                        break
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            finally:
                upstream.close()

        def reply(self, code, data, content_type):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    os._exit(0)
    """#
}
