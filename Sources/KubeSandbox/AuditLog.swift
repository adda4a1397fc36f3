import Foundation
import Kube
import Synchronization

/// Every request the HTTP front served: kept in a bounded in-memory ring and, optionally,
/// appended to a file as JSON lines
/// `{"time":"…","verb":"list","method":"GET","path":"/api/v1/pods","userAgent":"kubectl/…","code":200}`.
public final class AuditLog: Sendable {
    /// One audited request.
    public struct Entry: Sendable, Hashable {
        public var time: Date
        /// Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection;
        /// for non-resource paths the lower-cased HTTP method.
        public var verb: String
        public var method: String
        /// Path with query.
        public var path: String
        public var userAgent: String
        public var code: Int

        /// Whether this request changed (or tried to change) state.
        public var isWrite: Bool { ["create", "update", "patch", "delete", "deletecollection"].contains(verb) }

        var json: JSONValue {
            ["time": .string(time.formatted(.iso8601)), "verb": .string(verb), "method": .string(method), "path": .string(path),
             "userAgent": .string(userAgent), "code": .int(Int64(code))]
        }
    }

    public let capacity: Int
    /// The ring: `buffer` grows to `capacity`, then `start` marks the oldest entry.
    let entries = Mutex<(buffer: [Entry], start: Int)>(([], 0))
    let file: Mutex<FileHandle?>

    /// `path`: a file to append JSON lines to (created if missing).
    public init(capacity: Int = 10_000, path: String? = nil) {
        self.capacity = max(1, capacity)
        var handle: FileHandle?
        if let path {
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
        }
        file = Mutex(handle)
    }

    func record(_ entry: Entry) {
        let capacity = capacity
        entries.withLock { e in
            if e.buffer.count < capacity {
                e.buffer.append(entry)
            } else {
                e.buffer[e.start] = entry
                e.start = (e.start + 1) % capacity
            }
        }
        file.withLock { h in
            guard let h else { return }
            var line = entry.json.serialized(sortedKeys: true)
            line.append(0x0A)
            try? h.write(contentsOf: Data(line))
        }
    }

    /// The retained entries, oldest first.
    public var all: [Entry] {
        entries.withLock { e in Array(e.buffer[e.start...] + e.buffer[..<e.start]) }
    }

    /// The retained entries that wrote (create/update/patch/delete).
    public var writes: [Entry] { all.filter(\.isWrite) }

    /// Forgets the in-memory entries (the file is kept).
    public func reset() { entries.withLock { $0 = ([], 0) } }
}
