/// Splits a byte stream into newline-terminated lines. Pure; lines of any length survive, and a
/// line cut across chunks is joined. `\r\n` endings lose the `\r`.
public struct LineSplitter: Sendable {
    var pending: [UInt8] = []

    public init() {}

    /// Feeds a chunk and returns every line it completes (without the newline).
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = chunk.startIndex
        var index = start
        while index != chunk.endIndex {
            if chunk[index] == 0x0A {
                var line = pending
                pending = []
                line.append(contentsOf: chunk[start..<index])
                if line.last == 0x0D { line.removeLast() }
                lines.append(line)
                start = chunk.index(after: index)
            }
            index = chunk.index(after: index)
        }
        pending.append(contentsOf: chunk[start..<chunk.endIndex])
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
