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
    let entries = Mutex<[Entry]>([])
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
        entries.withLock { e in
            e.append(entry)
            if e.count > capacity { e.removeFirst(e.count - capacity) }
        }
        var line = entry.json.serialized(sortedKeys: true)
        line.append(0x0A)
        file.withLock { h in try? h?.write(contentsOf: Data(line)) }
    }

    /// The retained entries, oldest first.
    public var all: [Entry] { entries.withLock { $0 } }

    /// The retained entries that wrote (create/update/patch/delete).
    public var writes: [Entry] { all.filter(\.isWrite) }

    /// Forgets the in-memory entries (the file is kept).
    public func reset() { entries.withLock { $0 = [] } }
}
