import Foundation
import Kube
import Synchronization

/// The sandbox's storage: every object of every served resource, one cluster-wide
/// resourceVersion, a bounded history of changes for watches, and the API machinery that acts
/// on writes (defaulting, validation, status split, finalizers, garbage collection, CRD
/// registration). Pure of HTTP; thread-safe (one mutex; watch deliveries happen after unlock).
///
/// Every method throws `APIError` with the reason, code and message the real API server uses.
public final class ClusterStore: Sendable {
    /// Tuning of the store.
    public struct Options: Sendable {
        /// How many change events are kept for watches from an older resourceVersion.
        public var historyLimit: Int
        /// How many undelivered events a watcher may have before it is closed.
        public var watchQueueCapacity: Int
        /// Seconds between BOOKMARK events on watches that allow them.
        public var bookmarkInterval: Double
        /// The clock for timestamps.
        public var now: @Sendable () -> Date

        public init(historyLimit: Int = 10_000, watchQueueCapacity: Int = 1_000, bookmarkInterval: Double = 10,
                    now: @escaping @Sendable () -> Date = { Date() }) {
            self.historyLimit = historyLimit
            self.watchQueueCapacity = watchQueueCapacity
            self.bookmarkInterval = bookmarkInterval
            self.now = now
        }
    }

    let options: Options
    let state: Mutex<StoreState>

    public init(options: Options = Options()) {
        self.options = options
        var s = StoreState(historyLimit: options.historyLimit, now: options.now)
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try? s.create(s.served[StoreState.servedKey(.namespaces)]!, namespace: nil,
                              object: ["metadata": ["name": .string(ns)]], options: WriteOptions())
        }
        state = Mutex(s)
    }

    /// Runs `body` on the state under the lock, then performs the queued channel deliveries.
    func mutate<T>(_ body: (inout StoreState) throws(APIError) -> T) throws(APIError) -> T {
        var actions: [@Sendable () -> Void] = []
        let result: Result<T, APIError> = state.withLock { s in
            defer {
                actions = s.outbox
                s.outbox = []
            }
            do throws(APIError) { return .success(try body(&s)) } catch { return .failure(error) }
        }
        for a in actions { a() }
        return try result.get()
    }

    // MARK: resources

    /// The served resource for a group/version/plural, or a 404 like the server's.
    public func info(for resource: Resource) throws(APIError) -> ResourceInfo {
        try state.withLock { s throws(APIError) in try s.info(for: resource) }
    }

    /// The served resource with this group, version and plural, if any.
    public func info(group: String, version: String, plural: String) -> ResourceInfo? {
        state.withLock { $0.served["\(group)/\(version)/\(plural)"] }
    }

    /// Every served resource.
    public var servedResources: [ResourceInfo] {
        state.withLock { Array($0.served.values) }.sorted { ($0.resource.group, $0.resource.plural) < ($1.resource.group, $1.resource.plural) }
    }

    /// Changes whenever a CRD adds or removes served resources.
    public var servedGeneration: Int { state.withLock { $0.servedGeneration } }

    /// The current cluster-wide resourceVersion.
    public var resourceVersion: String { state.withLock { String($0.rv) } }

    // MARK: reads

    public func get(_ resource: Resource, namespace: String?, name: String) throws(APIError) -> JSONValue {
        try state.withLock { s throws(APIError) in
            try s.get(try s.info(for: resource), namespace: namespace, name: name)
        }
    }

    public func list(_ resource: Resource, namespace: String?, options: ListOptions = ListOptions()) throws(APIError) -> ObjectList {
        try state.withLock { s throws(APIError) in
            try s.list(try s.info(for: resource), namespace: namespace, options: options)
        }
    }

    // MARK: writes

    public func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions = WriteOptions()) throws(APIError) -> JSONValue {
        try mutate { s throws(APIError) in try s.create(try s.info(for: resource), namespace: namespace, object: object, options: options) }
    }

    public func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String? = nil,
                       options: WriteOptions = WriteOptions()) throws(APIError) -> JSONValue {
        try mutate { s throws(APIError) in
            try s.update(try s.info(for: resource), namespace: namespace, object: object, subresource: subresource, options: options)
        }
    }

    public func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String? = nil,
                      options: PatchOptions = PatchOptions()) throws(APIError) -> JSONValue {
        try mutate { s throws(APIError) in
            try s.patch(try s.info(for: resource), namespace: namespace, name: name, patch: patch, subresource: subresource, options: options)
        }
    }

    public func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions = DeleteOptions()) throws(APIError) -> DeleteOutcome {
        try mutate { s throws(APIError) in
            let info = try s.info(for: resource)
            var outcome = try s.delete(info, namespace: namespace, name: name, options: options)
            outcome.object = StoreState.present(outcome.object, info)
            return outcome
        }
    }

    // MARK: watch

    /// Opens a watch. Events arrive on the returned channel; it ends after `timeoutSeconds`
    /// (a BOOKMARK first when bookmarks are allowed), when the consumer stops, or when the
    /// consumer falls `watchQueueCapacity` events behind. A too-old resourceVersion yields one
    /// ERROR (Expired, 410) event and the end of the stream.
    /// `sendInitialEvents` is the WatchList protocol: ADDED for every current object, then a
    /// BOOKMARK annotated `k8s.io/initial-events-end: "true"` (bookmarks must be allowed).
    public func watch(_ resource: Resource, namespace: String?, options: WatchOptions = WatchOptions(),
                      sendInitialEvents: Bool = false) throws(APIError) -> WatchChannel {
        let capacity = self.options.watchQueueCapacity
        let (id, channel) = try mutate { s throws(APIError) in
            try s.watch(try s.info(for: resource), namespace: namespace, options: options, capacity: capacity, sendInitialEvents: sendInitialEvents)
        }
        guard id != UInt64.max else { return channel }
        let interval = self.options.bookmarkInterval
        let timer = Task { [weak self] in
            let deadline = options.timeoutSeconds.map { ContinuousClock.now + .seconds($0) }
            while !Task.isCancelled {
                var wait = options.allowWatchBookmarks ? Duration.seconds(interval) : .seconds(3600)
                if let deadline { wait = min(wait, deadline - ContinuousClock.now) }
                if wait > .zero { try? await Task.sleep(for: wait) }
                if Task.isCancelled { return }
                guard let self else { return }
                if options.allowWatchBookmarks { _ = try? self.mutate { s throws(APIError) in s.bookmark(id) } }
                if let deadline, ContinuousClock.now >= deadline {
                    channel.finish()
                    return
                }
            }
        }
        channel.onClose { [weak self] in
            timer.cancel()
            self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return channel
    }
}
