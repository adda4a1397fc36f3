import Logging
import Synchronization

/// Whether an informer's watch is healthy, for a UI line like "watch failing: …, retrying in 3s".
public struct InformerStatus: Sendable {
    /// The health of the list/watch loop.
    public enum Connection: Sendable, Equatable {
        /// Not started, or listing for the first time.
        case connecting
        /// The last list or watch step succeeded.
        case healthy
        /// The last step failed; the watcher retries by itself after `retryIn`.
        case failing(retryIn: Duration)
    }
    /// Whether the last list/watch step succeeded; stale as soon as read.
    public var connection: Connection = .connecting
    /// The most recent failure, kept after recovery so a UI can show it dimmed.
    public var lastError: KubeError?
    /// Time (on the informer's clock, since it was created) of `lastError`.
    public var lastErrorAt: Duration?
    /// The resourceVersion of the last applied event, bookmark or list.
    public var resourceVersion: String?
}

/// Runs a `Watcher` into a `Store` and calls the registered handlers for each change, in order.
///
/// Handlers run on the informer's task one at a time and must return quickly (enqueue a key,
/// never call the API). Register them before `run()`. `run()` returns when its task is cancelled.
public final class Informer: Sendable {
    /// The cache this informer writes; read it through snapshots.
    public let store: Store
    private let watcher: Watcher
    private let timeline: Timeline
    private let logger: Logger

    private struct State {
        var onAdd: [@Sendable (JSONValue) -> Void] = []
        var onUpdate: [@Sendable (JSONValue, JSONValue) -> Void] = []
        var onDelete: [@Sendable (JSONValue) -> Void] = []
        var status = InformerStatus()
        var syncWaiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiter = 0
        var synced = false
    }
    private let state = Mutex(State())

    /// An informer for `resource` in `namespace` (`nil` = all) with a store using `transform` and `indexers`.
    public init(api: any KubeAPI, resource: Resource, namespace: String?, labelSelector: String? = nil,
                fieldSelector: String? = nil, clock: any Clock<Duration> = ContinuousClock(),
                store: Store = Store(), configuration: WatcherStateMachine.Configuration = .init(), logger: Logger) {
        self.store = store
        var configuration = configuration
        if configuration.itemTransform == nil { configuration.itemTransform = store.transform }
        self.watcher = Watcher(api: api, resource: resource, namespace: namespace, labelSelector: labelSelector,
                               fieldSelector: fieldSelector, clock: clock, configuration: configuration, logger: logger)
        self.timeline = Timeline(clock)
        self.logger = logger
    }

    /// Called for each object that appears (initial list included).
    public func onAdd(_ handler: @escaping @Sendable (JSONValue) -> Void) { state.withLock { $0.onAdd.append(handler) } }
    /// Called with (old, new) for each object that changed; identical re-deliveries are skipped.
    public func onUpdate(_ handler: @escaping @Sendable (JSONValue, JSONValue) -> Void) { state.withLock { $0.onUpdate.append(handler) } }
    /// Called with the last known state of each object that disappeared (also when a relist no longer has it).
    public func onDelete(_ handler: @escaping @Sendable (JSONValue) -> Void) { state.withLock { $0.onDelete.append(handler) } }

    /// True once the first complete list has reached the store and the handlers have seen it.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// The current connection state and last error (a copy; stale at once).
    public var status: InformerStatus { state.withLock { $0.status } }

    /// Lists and watches until the calling task is cancelled, retrying failures forever.
    public func run() async {
        for await event in watcher {
            let changes = store.apply(event)
            let (adds, updates, deletes) = state.withLock { s in
                switch event {
                case .failed(let error, let retryIn):
                    s.status.connection = .failing(retryIn: retryIn)
                    s.status.lastError = error
                    s.status.lastErrorAt = timeline.now()
                case .relisted(_, let rv), .bookmark(let rv):
                    s.status.connection = .healthy
                    s.status.resourceVersion = rv
                case .applied(let o), .deleted(let o):
                    s.status.connection = .healthy
                    if let rv = o[path: "metadata.resourceVersion"]?.stringValue { s.status.resourceVersion = rv }
                }
                return (s.onAdd, s.onUpdate, s.onDelete)
            }
            for change in changes {
                switch change {
                case .added(let o): adds.forEach { $0(o) }
                case .updated(let old, let new): updates.forEach { $0(old, new) }
                case .deleted(let o): deletes.forEach { $0(o) }
                }
            }
            if case .relisted = event {
                let waiters = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
                    s.synced = true
                    defer { s.syncWaiters = [:] }
                    return Array(s.syncWaiters.values)
                }
                waiters.forEach { $0.resume(returning: true) }
            }
        }
        logger.debug("informer stopped")
    }

    /// Suspends until the first list has reached the store and the handlers; `false` if the waiting task is cancelled first.
    @discardableResult
    public func waitForSync() async -> Bool {
        if hasSynced { return true }
        let id = state.withLock { s -> Int in s.nextWaiter += 1; return s.nextWaiter }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate = state.withLock { s -> Bool? in
                    // Cancellation sets the flag before onCancel takes the lock, so one of the two sees it.
                    if Task.isCancelled { return false }
                    if s.synced { return true }
                    s.syncWaiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let continuation = state.withLock { s -> CheckedContinuation<Bool, Never>? in
                s.syncWaiters.removeValue(forKey: id)
            }
            continuation?.resume(returning: false)
        }
    }
}
