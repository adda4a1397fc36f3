import Foundation

/// A minimal HTTP/1.1 server on one dedicated thread: accepts one connection at a time on
/// 127.0.0.1 and answers every request on it with the same fixed 4 KB response.
///
/// It exists so the client benchmarks have a server whose own cost is a `read` and a `write`
/// (no event loop, no Swift concurrency, nothing shared with the client's threads). It reads
/// until the blank line that ends a request head and ignores the request's content (the
/// benchmarks send GETs without a body).
///
/// `@unchecked Sendable`: after `init` the only mutable state is `stopped`, guarded by `lock`;
/// the socket descriptors are used by the server thread only (`stop` only `shutdown`s them).
final class BlockingResponder: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let response: [UInt8]
    private let lock = NSLock()
    private var stopped = false
    private var current: Int32 = -1

    /// Binds 127.0.0.1:0 and starts the server thread; `body` is sent as `application/json`.
    init(body: [UInt8]) throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        response = Array(head.utf8) + body
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let thread = Thread { [self] in serve() }
        thread.name = "bench-responder"
        thread.start()
    }

    /// Stops accepting and closes the current connection; the thread then exits.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        if current >= 0 { shutdown(current, Int32(SHUT_RDWR)) }
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let client = accept(listener, nil, nil)
            lock.lock()
            let done = stopped
            if client >= 0, !done { current = client }
            lock.unlock()
            if client < 0 || done {
                if client >= 0 { close(client) }
                break
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            serveConnection(client, buffer: &buffer)
            lock.lock()
            current = -1
            lock.unlock()
            close(client)
        }
        close(listener)
    }

    /// Answers each complete request head on `fd` until the peer closes.
    private func serveConnection(_ fd: Int32, buffer: inout [UInt8]) {
        var filled = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n <= 0 { return }
            filled += n
            // Answer every complete head in the buffer (pipelining is not expected, but harmless).
            while let end = Self.headEnd(buffer, filled) {
                guard writeAll(fd) else { return }
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + end, filled - end)
                }
                filled -= end
            }
            if filled == buffer.count { return } // a head larger than 16 KB: not a benchmark client
        }
    }

    private func writeAll(_ fd: Int32) -> Bool {
        response.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = write(fd, raw.baseAddress! + sent, raw.count - sent)
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    /// The offset just past the first CRLFCRLF in `buffer[0..<filled]`.
    private static func headEnd(_ buffer: [UInt8], _ filled: Int) -> Int? {
        guard filled >= 4 else { return nil }
        var i = 3
        while i < filled {
            if buffer[i] == 0x0A, buffer[i - 1] == 0x0D, buffer[i - 2] == 0x0A, buffer[i - 3] == 0x0D { return i + 1 }
            i += 1
        }
        return nil
    }
}
