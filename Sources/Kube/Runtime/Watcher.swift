import Logging

/// Lists then watches one resource through a `KubeAPI`, as an endless `AsyncSequence` of `WatcherEvent`.
///
/// Pull-driven: requests happen only while a consumer awaits `next()`, so a slow consumer slows the
/// watch instead of buffering. Failures are yielded as `.failed` and retried after a backoff slept
/// on the injected clock; the sequence ends only when the consuming task is cancelled.
public struct Watcher: AsyncSequence, Sendable {
    public typealias Element = WatcherEvent

    let api: any KubeAPI
    let resource: Resource
    let namespace: String?
    let configuration: WatcherStateMachine.Configuration
    let timeline: Timeline
    let logger: Logger
    let metrics: WatcherMetrics

    /// Watches `resource` in `namespace` (`nil` = all namespaces) with optional selectors.
    public init(api: any KubeAPI, resource: Resource, namespace: String?, labelSelector: String? = nil,
                fieldSelector: String? = nil, clock: any Clock<Duration> = ContinuousClock(),
                configuration: WatcherStateMachine.Configuration = .init(), logger: Logger) {
        var configuration = configuration
        if labelSelector != nil { configuration.labelSelector = labelSelector }
        if fieldSelector != nil { configuration.fieldSelector = fieldSelector }
        self.api = api
        self.resource = resource
        self.namespace = namespace
        self.configuration = configuration
        self.timeline = Timeline(clock)
        var logger = logger
        logger[metadataKey: "resource"] = "\(resource)"
        if let namespace { logger[metadataKey: "namespace"] = "\(namespace)" }
        self.logger = logger
        self.metrics = WatcherMetrics(resource: resource)
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(watcher: self)
    }

    /// Performs the state machine's actions; one iterator is one independent list+watch.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let watcher: Watcher
        var machine: WatcherStateMachine
        var pending: [WatcherEvent] = []
        var action: WatcherStateMachine.Action?
        var stream: WatchEventStream.AsyncIterator?
        var watchStartedAt: Duration = .zero
        /// Complete lists so far, and watches opened since the last one (for the metrics).
        var lists = 0
        var watchesSinceList = 0

        init(watcher: Watcher) {
            self.watcher = watcher
            self.machine = WatcherStateMachine(configuration: watcher.configuration)
        }

        /// The next event; `nil` only once the consuming task is cancelled.
        public mutating func next() async -> WatcherEvent? {
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                if Task.isCancelled { return nil }
                if action == nil { action = machine.start() }
                await step()
            }
        }

        private mutating func apply(_ step: WatcherStateMachine.Step) {
            pending.append(contentsOf: step.events)
            action = step.action
            for event in step.events {
                guard case .relisted = event else { continue }
                if lists > 0 { watcher.metrics.relists.increment() }
                lists += 1
                watchesSinceList = 0
            }
            for case .failed(let error, let delay) in step.events {
                watcher.logger.warning("watch failed; retrying", metadata: [
                    "error": "\(error)", "retry.in": "\(delay)", "watch.rv": "\(machine.resourceVersion ?? "")",
                ])
            }
        }

        private mutating func step() async {
            let api = watcher.api
            let resource = watcher.resource
            let namespace = watcher.namespace
            switch action ?? machine.start() {
            case .list(let options):
                do {
                    let page = try await api.list(resource, namespace: namespace, options: options)
                    apply(machine.pageReceived(page))
                    if case .watching(let rv) = machine.state {
                        watcher.logger.debug("listed", metadata: ["watch.rv": "\(rv)"])
                    }
                } catch {
                    if Task.isCancelled { return }
                    apply(machine.listFailed(.wrapping(error)))
                }
            case .watch(let options):
                if watchesSinceList > 0 { watcher.metrics.watchRestarts.increment() }
                watchesSinceList += 1
                do {
                    let events = try await api.watch(resource, namespace: namespace, options: options)
                    machine.watchOpened()
                    watchStartedAt = watcher.timeline.now()
                    stream = events.makeAsyncIterator()
                    action = .continueWatching
                } catch {
                    if Task.isCancelled { return }
                    apply(machine.watchFailed(.wrapping(error)))
                }
            case .continueWatching:
                guard var iterator = stream else {
                    apply(machine.watchEnded(after: .zero))
                    return
                }
                do {
                    let event = try await iterator.next()
                    stream = iterator
                    if let event {
                        let result = machine.eventReceived(event)
                        if result.action != .continueWatching { stream = nil }
                        apply(result)
                    } else {
                        stream = nil
                        apply(machine.watchEnded(after: watcher.timeline.now() - watchStartedAt))
                    }
                } catch {
                    stream = nil
                    if Task.isCancelled { return }
                    apply(machine.watchFailed(.wrapping(error)))
                }
            case .sleep(let delay):
                do {
                    try await watcher.timeline.sleep(delay)
                    action = machine.backoffElapsed()
                } catch {
                    return  // cancelled: next() sees it and ends
                }
            }
        }
    }
}
