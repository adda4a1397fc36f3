import Foundation
import Synchronization

/// The container logs of the sandbox's simulated pods: the kubelet side appends lines, the API
/// side (`/pods/{name}/log`) reads and follows them.
///
/// Memory is bounded: each container keeps its last `maxLinesPerContainer` lines. Followers get
/// every line appended after they subscribed, and their stream ends when the container terminates
/// or the pod is removed. Lines are stored as given; the HTTP side adds timestamps on request.
public final class PodLogStore: Sendable {
    /// One log line and when it was written.
    public struct Line: Sendable, Hashable {
        public var time: Date
        public var text: String
    }

    struct Key: Hashable {
        var namespace: String
        var pod: String
        var container: String
    }

    struct ContainerLog {
        var lines: [Line] = []
        var dropped = 0
        var terminated = false
        var followers: [UInt64: AsyncStream<Line>.Continuation] = [:]
    }

    public let maxLinesPerContainer: Int
    let state = Mutex<(logs: [Key: ContainerLog], nextID: UInt64)>(([:], 0))

    public init(maxLinesPerContainer: Int = 10_000) {
        self.maxLinesPerContainer = max(1, maxLinesPerContainer)
    }

    /// Appends a line (a trailing newline is not expected) and hands it to every follower.
    public func append(namespace: String, pod: String, container: String, line: String, at time: Date = Date()) {
        let entry = Line(time: time, text: line)
        let followers: [AsyncStream<Line>.Continuation] = state.withLock { s in
            let key = Key(namespace: namespace, pod: pod, container: container)
            var log = s.logs[key] ?? ContainerLog()
            log.lines.append(entry)
            if log.lines.count > maxLinesPerContainer {
                let excess = log.lines.count - maxLinesPerContainer
                log.lines.removeFirst(excess)
                log.dropped += excess
            }
            s.logs[key] = log
            return Array(log.followers.values)
        }
        for follower in followers { follower.yield(entry) }
    }

    /// Marks the container as exited: followers' streams finish; the lines stay readable.
    public func markTerminated(namespace: String, pod: String, container: String) {
        let followers: [AsyncStream<Line>.Continuation] = state.withLock { s in
            let key = Key(namespace: namespace, pod: pod, container: container)
            var log = s.logs[key] ?? ContainerLog()
            log.terminated = true
            let f = Array(log.followers.values)
            log.followers = [:]
            s.logs[key] = log
            return f
        }
        for follower in followers { follower.finish() }
    }

    /// Forgets every container of a pod (the pod was deleted); followers' streams finish.
    public func remove(namespace: String, pod: String) {
        let followers: [AsyncStream<Line>.Continuation] = state.withLock { s in
            var f: [AsyncStream<Line>.Continuation] = []
            for key in s.logs.keys where key.namespace == namespace && key.pod == pod {
                f.append(contentsOf: s.logs[key]!.followers.values)
                s.logs[key] = nil
            }
            return f
        }
        for follower in followers { follower.finish() }
    }

    /// The retained lines of a container, oldest first; empty when it never logged.
    public func lines(namespace: String, pod: String, container: String) -> [Line] {
        state.withLock { $0.logs[Key(namespace: namespace, pod: pod, container: container)]?.lines ?? [] }
    }

    /// Whether the container has exited.
    public func isTerminated(namespace: String, pod: String, container: String) -> Bool {
        state.withLock { $0.logs[Key(namespace: namespace, pod: pod, container: container)]?.terminated ?? false }
    }

    /// The retained lines and a stream of every later line, taken atomically so nothing is lost
    /// or doubled between them. The stream finishes when the container terminates (at once if it
    /// already has). A follower that does not keep up loses the oldest undelivered lines beyond
    /// `bufferLimit` rather than growing memory.
    public func follow(namespace: String, pod: String, container: String, bufferLimit: Int = 10_000)
        -> (backlog: [Line], stream: AsyncStream<Line>)
    {
        let (stream, continuation) = AsyncStream<Line>.makeStream(bufferingPolicy: .bufferingNewest(bufferLimit))
        let key = Key(namespace: namespace, pod: pod, container: container)
        let (backlog, id, finished): ([Line], UInt64, Bool) = state.withLock { s in
            var log = s.logs[key] ?? ContainerLog()
            let id = s.nextID
            s.nextID += 1
            if !log.terminated { log.followers[id] = continuation }
            s.logs[key] = log
            return (log.lines, id, log.terminated)
        }
        if finished {
            continuation.finish()
        } else {
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { s in _ = s.logs[key]?.followers.removeValue(forKey: id) }
            }
        }
        return (backlog, stream)
    }
}
