import Foundation
import Kube
import Synchronization

/// The control plane's copy of one resource, filled by an informer (list + watch) and written
/// through by the controllers after their own writes so that their next pass sees them.
///
/// Readers get snapshots; they may be a watch event behind the server. A write-through never
/// replaces a newer version (resourceVersions compared as integers when both are).
final class ObjectCache: Sendable {
    let resource: Resource
    private let state = Mutex<(objects: [String: JSONValue], synced: Bool)>(([:], false))

    init(resource: Resource) { self.resource = resource }

    static func key(_ object: JSONValue) -> String {
        let ns = object[path: "metadata.namespace"]?.stringValue ?? ""
        return "\(ns)/\(object[path: "metadata.name"]?.stringValue ?? "")"
    }

    var isSynced: Bool { state.withLock { $0.synced } }

    var snapshot: [JSONValue] {
        state.withLock { Array($0.objects.values) }.sorted { Self.key($0) < Self.key($1) }
    }

    func get(namespace: String?, name: String) -> JSONValue? {
        state.withLock { $0.objects["\(namespace ?? "")/\(name)"] }
    }

    /// Replaces everything (a fresh list) and marks the cache synced.
    func replace(_ objects: [JSONValue]) {
        let map = Dictionary(objects.map { (Self.key($0), $0) }, uniquingKeysWith: { _, b in b })
        state.withLock { $0 = (map, true) }
    }

    /// Stores `object` unless the cache holds a newer version.
    func upsert(_ object: JSONValue) {
        let key = Self.key(object)
        state.withLock { s in
            if let current = s.objects[key], Self.isNewer(current, than: object) { return }
            s.objects[key] = object
        }
    }

    func remove(_ object: JSONValue) {
        let key = Self.key(object)
        state.withLock { s in
            // A stale DELETED of an older object of the same name must not remove its successor.
            if let current = s.objects[key], let uid = object[path: "metadata.uid"], current[path: "metadata.uid"] != uid { return }
            s.objects[key] = nil
        }
    }

    static func isNewer(_ a: JSONValue, than b: JSONValue) -> Bool {
        guard a[path: "metadata.uid"] == b[path: "metadata.uid"],
              let ra = a[path: "metadata.resourceVersion"]?.stringValue.flatMap({ UInt64($0) }),
              let rb = b[path: "metadata.resourceVersion"]?.stringValue.flatMap({ UInt64($0) }) else { return false }
        return ra > rb
    }
}

/// A coalescing wake-up signal with one consumer: many signals before the consumer looks count once.
final class Wakeup: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func signal() { continuation.yield() }
    func finish() { continuation.finish() }
}

/// The control plane's time: offsets on an injected clock, and the dates they stand for.
struct TimeSource: Sendable {
    let elapsed: @Sendable () -> Duration
    let sleepUntil: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date

    init<C: Clock>(clock: C, now: (@Sendable () -> Date)?) where C.Duration == Duration {
        let origin = clock.now
        let start = Date()
        let elapsed: @Sendable () -> Duration = { origin.duration(to: clock.now) }
        self.elapsed = elapsed
        sleepUntil = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
        self.now = now ?? { start.addingTimeInterval(ShellInterpreter.seconds(elapsed())) }
    }

    /// The date of a clock offset.
    func date(_ offset: Duration) -> Date {
        now().addingTimeInterval(ShellInterpreter.seconds(offset - elapsed()))
    }

    func sleep(for d: Duration) async throws { try await sleepUntil(elapsed() + d) }
}

extension Duration {
    /// `seconds` as a duration, clamped to [0, 100 years] so hostile spec values never trap.
    static func clampedSeconds(_ seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .milliseconds(Int64((min(seconds, 3.2e9) * 1000).rounded(.up)))
    }
}

/// A speed factor made safe to divide by: finite, between 0.001 and 1 000 000.
func sanitizedSpeed(_ speed: Double) -> Double {
    guard speed.isFinite, speed > 0 else { return 1 }
    return min(max(speed, 0.001), 1_000_000)
}

/// RFC 7386 merge patch turning `old` into `new`: changed members, `null` for removed ones.
func mergePatch(from old: JSONValue?, to new: JSONValue) -> JSONValue {
    guard case .object(let n) = new, case .object(let o)? = old else { return new }
    var patch: [String: JSONValue] = [:]
    for (key, value) in n where o[key] != value {
        if case .object = value, case .object = o[key] {
            patch[key] = mergePatch(from: o[key], to: value)
        } else {
            patch[key] = value
        }
    }
    for key in o.keys where n[key] == nil { patch[key] = .null }
    return .object(patch)
}
