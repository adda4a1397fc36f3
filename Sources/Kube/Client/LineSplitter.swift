#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into newline-terminated lines. Pure; lines of any length survive, and a
/// line cut across chunks is joined. `\r\n` endings lose the `\r`.
public struct LineSplitter: Sendable {
    var pending: [UInt8] = []

    public init() {}

    /// Feeds a chunk and returns every line it completes (without the newline).
    public mutating func feed(_ chunk: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        chunk.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count {
                guard let hit = memchr(base + start, 0x0A, buffer.count - start) else { break }
                let end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                var line: [UInt8]
                if pending.isEmpty {
                    line = Array(UnsafeBufferPointer(rebasing: buffer[start..<end]))
                } else {
                    line = pending
                    pending = []
                    line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
                }
                if line.last == 0x0D { line.removeLast() }
                lines.append(line)
                start = end + 1
            }
            if start < buffer.count { pending.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...])) }
        }
        return lines
    }

    /// The unterminated rest at the end of the stream, if any.
    public mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        if pending.last == 0x0D { pending.removeLast() }
        return pending.isEmpty ? nil : pending
    }
}

/// The lines of a byte stream, as an async sequence (followed logs, watch bodies).
public struct LineStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let bytes: ByteStream

    public init(_ bytes: ByteStream) { self.bytes = bytes }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: ByteStream.AsyncIterator
        var splitter = LineSplitter()
        var ready: [[UInt8]] = []
        var readyIndex = 0
        var ended = false

        public mutating func next() async throws -> [UInt8]? {
            while true {
                if readyIndex < ready.count {
                    defer { readyIndex += 1 }
                    return ready[readyIndex]
                }
                if ended { return nil }
                ready = []
                readyIndex = 0
                if let chunk = try await chunks.next() {
                    ready = splitter.feed(chunk)
                } else {
                    ended = true
                    if let rest = splitter.finish() { ready = [rest] }
                }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: bytes.makeAsyncIterator()) }
}
