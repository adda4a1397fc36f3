/// One log line, sanitised on arrival.
public struct LogLine: Sendable, Hashable {
    public var timestamp: String
    public var text: String

    /// Splits a kubelet line with `timestamps=true` ("2026-…Z text") and sanitises it.
    public init(raw: String) {
        if let space = raw.firstIndex(of: " "), raw.distance(from: raw.startIndex, to: space) >= 20,
           Time.parse(String(raw[..<space])) != nil {
            timestamp = String(raw[..<space])
            text = Sanitizer.sanitize(String(raw[raw.index(after: space)...]))
        } else {
            timestamp = ""
            text = Sanitizer.sanitize(raw)
        }
    }

    public init(timestamp: String, text: String) {
        self.timestamp = Sanitizer.sanitize(timestamp)
        self.text = Sanitizer.sanitize(text)
    }
}

/// A bounded ring buffer of log lines: at most `capacity` lines and about `byteBudget` bytes; the
/// oldest lines go first, in O(1). Lines are kept whole (no 64 KB cut-off): only a single line
/// longer than half the budget is cut, and says so.
public struct LogBuffer: Sendable {
    public let capacity: Int
    public let byteBudget: Int
    private var slots: [LogLine?]
    private var head = 0
    public private(set) var count = 0
    public private(set) var bytes = 0
    /// Lines dropped from the front since the last `removeAll` (for "N older lines dropped").
    public private(set) var dropped = 0

    public init(capacity: Int = 20_000, byteBudget: Int = 16 << 20) {
        self.capacity = max(1, capacity)
        self.byteBudget = max(1024, byteBudget)
        slots = []
    }

    /// Line `i`, 0 being the oldest kept.
    public subscript(i: Int) -> LogLine { slots[(head + i) % capacity]! }

    public mutating func append(_ line: LogLine) {
        var line = line
        if line.text.utf8.count > byteBudget / 2 {
            line.text = String(decoding: line.text.utf8.prefix(byteBudget / 2), as: UTF8.self) + " [line cut: too long]"
        }
        let size = Self.size(line)
        while count > 0 && (count >= capacity || bytes + size > byteBudget) { dropFirst() }
        let pos = (head + count) % capacity
        if pos == slots.count { slots.append(line) } else { slots[pos] = line }
        count += 1
        bytes += size
    }

    private static func size(_ l: LogLine) -> Int { l.text.utf8.count + l.timestamp.utf8.count + 16 }

    private mutating func dropFirst() {
        if let old = slots[head] { bytes -= Self.size(old) }
        slots[head] = nil
        head = (head + 1) % capacity
        count -= 1
        dropped += 1
        if count == 0 { head = 0; slots.removeAll(keepingCapacity: true) }
    }

    public mutating func removeAll() {
        slots.removeAll()
        head = 0
        count = 0
        bytes = 0
        dropped = 0
    }
}
