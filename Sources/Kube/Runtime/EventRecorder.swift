import Foundation
import Logging
import Synchronization

/// `Normal` or `Warning`, the two core/v1 Event types.
public enum EventType: String, Sendable, Hashable {
    case normal = "Normal"
    case warning = "Warning"
}

/// Records core/v1 Events about objects without blocking the caller, aggregating repeats.
///
/// `record` only appends to a bounded buffer (when full the event is dropped and logged); `run()`
/// writes them, up to `writers` at once but at most one request per event key in flight. The same
/// (object uid, type, reason, message) seen again within `aggregationWindow` PATCHes the existing
/// Event's `count` and `lastTimestamp` instead of creating one. A per-object token bucket (burst
/// `spamBurst`, then one per `spamInterval`) drops floods, like client-go's spam filter. Write
/// failures are logged, never thrown or retried.
public final class EventRecorder: Sendable {
    /// Tunables; defaults follow client-go.
    public struct Configuration: Sendable {
        /// `source.component` and `reportingComponent`.
        public var component: String
        /// `reportingInstance` (pod or host name).
        public var instance: String
        /// Events held before `record` starts dropping.
        public var bufferSize = 1000
        /// Event writes in flight at once (never two with the same aggregation key).
        public var writers = 4
        /// A repeat within this time (local clock) of the last write patches the count.
        public var aggregationWindow: Duration = .seconds(600)
        /// Events per object accepted in a burst.
        public var spamBurst = 25
        /// After the burst, one event per object per this interval.
        public var spamInterval: Duration = .seconds(300)

        public init(component: String, instance: String) {
            self.component = component
            self.instance = instance
        }
    }

    private struct Pending: Sendable {
        var involved: JSONValue
        var type: EventType
        var reason: String
        var message: String
        var at: Date
        /// The involved object's key (uid, else namespace/kind/name) and the aggregation key,
        /// worked out once: the writers compare them on every pass over the buffer.
        var objectKey: String
        var key: String

        init(involved: JSONValue, type: EventType, reason: String, message: String, at: Date) {
            (self.involved, self.type, self.reason, self.message, self.at) = (involved, type, reason, message, at)
            let uid = involved[path: "metadata.uid"]?.stringValue ?? ""
            if uid.isEmpty {
                let namespace = involved[path: "metadata.namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
                objectKey = "\(namespace)/\(involved["kind"]?.stringValue ?? "")/\(involved[path: "metadata.name"]?.stringValue ?? "")"
            } else {
                objectKey = uid
            }
            key = [objectKey, type.rawValue, reason, message].joined(separator: "\u{1}")
        }
    }

    private struct Aggregate {
        var name: String
        var namespace: String
        var count: Int64
        var lastSeen: Duration
    }

    private struct Buffer {
        var pending: [Pending] = []
        var waiter: CheckedContinuation<Void, Never>?
        var dropped = 0
    }

    private struct Writer {
        var aggregates: [String: Aggregate] = [:]
        var buckets: [String: TokenBucket] = [:]
        var writesSincePrune = 0

        /// Forgets aggregates past the window and buckets that have refilled (a fresh one is the
        /// same), so a long-running recorder's memory follows its recent events, not its lifetime.
        mutating func prune(now: Duration, window: Duration) {
            writesSincePrune += 1
            guard writesSincePrune >= 512 else { return }
            writesSincePrune = 0
            aggregates = aggregates.filter { now - $0.value.lastSeen < window }
            buckets = buckets.filter { !$0.value.isFull(now: now) }
        }

        /// Keeps at most `limit` aggregates: once past it, drops the expired ones and then the least
        /// recently seen, down to three quarters of `limit`, so the scan is paid once per
        /// `limit / 4` new Events rather than on every one. A forgotten repeat creates a new Event.
        mutating func cap(now: Duration, window: Duration, limit: Int) {
            guard aggregates.count > limit else { return }
            aggregates = aggregates.filter { now - $0.value.lastSeen < window }
            let target = limit * 3 / 4
            guard aggregates.count > target else { return }
            let oldest = aggregates.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(aggregates.count - target)
            for (key, _) in oldest { aggregates[key] = nil }
        }
    }

    /// Aggregates remembered at most (repeats of older Events start new ones).
    static let aggregateLimit = 4096

    /// The settings this recorder was created with.
    public let configuration: Configuration
    private let api: any KubeAPI
    private let timeline: Timeline
    private let wallClock: @Sendable () -> Date
    private let randomSuffix: @Sendable () -> UInt64
    private let logger: Logger
    private let buffer = Mutex(Buffer())
    private let writer = Mutex(Writer())

    /// A recorder writing through `api`; `wallClock` feeds timestamps, `randomSuffix` the Event names.
    public init(api: any KubeAPI, configuration: Configuration, clock: any Clock<Duration> = ContinuousClock(),
                wallClock: @escaping @Sendable () -> Date = { Date() },
                randomSuffix: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) },
                logger: Logger) {
        self.api = api
        self.configuration = configuration
        self.timeline = Timeline(clock)
        self.wallClock = wallClock
        self.randomSuffix = randomSuffix
        self.logger = logger
    }

    /// Queues an Event about `object`; returns at once. Dropped (and logged) when the buffer is full.
    public func record(_ object: JSONValue, type: EventType, reason: String, message: String) {
        // Only the reference is kept: a queued event must not pin a whole (possibly large) object.
        var reference: JSONValue = ["apiVersion": object["apiVersion"] ?? "", "kind": object["kind"] ?? ""]
        for field in ["name", "namespace", "uid", "resourceVersion"] {
            if let value = object[path: "metadata." + field] { reference[path: "metadata." + field] = value }
        }
        let item = Pending(involved: reference, type: type, reason: reason, message: message, at: wallClock())
        let (accepted, waiter) = buffer.withLock { b -> (Bool, CheckedContinuation<Void, Never>?) in
            guard b.pending.count < configuration.bufferSize else {
                b.dropped += 1
                return (false, nil)
            }
            b.pending.append(item)
            let waiter = b.waiter
            b.waiter = nil
            return (true, waiter)
        }
        waiter?.resume()
        if !accepted {
            logger.warning("event buffer full; dropping event", metadata: [
                "event.reason": "\(reason)", "object.name": "\(object[path: "metadata.name"]?.stringValue ?? "")",
            ])
        }
    }

    /// Events dropped because the buffer was full.
    public var droppedCount: Int { buffer.withLock { $0.dropped } }

    /// Events waiting to be written.
    public var pendingCount: Int { buffer.withLock { $0.pending.count } }

    /// Writes queued events until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            await processPending()
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = buffer.withLock { b -> Bool in
                        if !b.pending.isEmpty || Task.isCancelled { return true }
                        b.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                let waiter = buffer.withLock { b -> CheckedContinuation<Void, Never>? in
                    defer { b.waiter = nil }
                    return b.waiter
                }
                waiter?.resume()
            }
        }
    }

    /// Writes every event queued so far (including those recorded meanwhile), up to
    /// `configuration.writers` requests at once but never two with the same aggregation key, so a
    /// repeat always sees the Event its predecessor created; returns when nothing is pending or in
    /// flight. Do not call it while `run()` is running (two callers would break that rule).
    public func processPending() async {
        let writers = max(1, configuration.writers)
        await withTaskGroup(of: String.self) { group in
            var inFlight: Set<String> = []
            while true {
                let next = inFlight.count >= writers ? nil : buffer.withLock { b -> (Pending, String)? in
                    guard let index = b.pending.firstIndex(where: { !inFlight.contains($0.key) }) else { return nil }
                    let item = b.pending.remove(at: index)
                    return (item, item.key)
                }
                if let (item, key) = next {
                    inFlight.insert(key)
                    group.addTask { await self.write(item); return key }
                    continue
                }
                // Nothing more can start now: wait for a write to finish (none running: done).
                guard let finished = await group.next() else { return }
                inFlight.remove(finished)
            }
        }
    }

    private func write(_ item: Pending) async {
        let object = item.involved
        let uid = object[path: "metadata.uid"]?.stringValue ?? ""
        let name = object[path: "metadata.name"]?.stringValue ?? ""
        let objectNamespace = object[path: "metadata.namespace"]?.stringValue
        let namespace = objectNamespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let (objectKey, key) = (item.objectKey, item.key)
        let now = timeline.now()
        let stamp = JSONValue.string(KubeTimestamp.time(item.at))
        let c = configuration

        enum Plan { case drop, patch(Aggregate), create }
        let plan = writer.withLock { w -> Plan in
            w.prune(now: now, window: c.aggregationWindow)
            var bucket = w.buckets[objectKey]
                ?? TokenBucket(ratePerSecond: 1 / c.spamInterval.seconds, burst: c.spamBurst)
            defer { w.buckets[objectKey] = bucket }
            guard bucket.tryTake(now: now) else { return .drop }
            if let existing = w.aggregates[key], now - existing.lastSeen < c.aggregationWindow { return .patch(existing) }
            return .create
        }
        var log = logger
        log[metadataKey: "event.reason"] = "\(item.reason)"
        log[metadataKey: "object.name"] = "\(name)"

        switch plan {
        case .drop:
            log.debug("event rate limit reached for object; dropping event")
            return
        case .patch(let aggregate):
            let count = aggregate.count + 1
            do {
                _ = try await api.patch(.events, namespace: aggregate.namespace, name: aggregate.name,
                                        patch: .merge(["count": .int(count), "lastTimestamp": stamp]))
                writer.withLock { $0.aggregates[key] = Aggregate(name: aggregate.name, namespace: aggregate.namespace,
                                                                 count: count, lastSeen: now) }
                return
            } catch {
                let kube = KubeError.wrapping(error)
                guard kube.apiError?.isNotFound == true else {
                    log.warning("could not update event", metadata: ["error": "\(kube)"])
                    return
                }
                // The Event expired or was deleted: start a new one.
            }
        case .create:
            break
        }

        var involved: [String: JSONValue] = [
            "apiVersion": object["apiVersion"] ?? "",
            "kind": object["kind"] ?? "",
            "name": .string(name),
            "uid": .string(uid),
        ]
        if let objectNamespace, !objectNamespace.isEmpty { involved["namespace"] = .string(objectNamespace) }
        if let rv = object[path: "metadata.resourceVersion"] { involved["resourceVersion"] = rv }
        let suffix = String(randomSuffix(), radix: 16)
        let eventName = "\(name).\(String(repeating: "0", count: max(0, 16 - suffix.count)))\(suffix)"
        let event: JSONValue = [
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": ["name": .string(eventName), "namespace": .string(namespace)],
            "involvedObject": .object(involved),
            "type": .string(item.type.rawValue),
            "reason": .string(item.reason),
            "message": .string(item.message),
            "source": ["component": .string(c.component)],
            "reportingComponent": .string(c.component),
            "reportingInstance": .string(c.instance),
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
        ]
        do {
            _ = try await api.create(.events, namespace: namespace, object: event)
            writer.withLock { w in
                w.aggregates[key] = Aggregate(name: eventName, namespace: namespace, count: 1, lastSeen: now)
                w.cap(now: now, window: c.aggregationWindow, limit: EventRecorder.aggregateLimit)
            }
        } catch {
            log.warning("could not create event", metadata: ["error": "\(KubeError.wrapping(error))"])
        }
    }
}
