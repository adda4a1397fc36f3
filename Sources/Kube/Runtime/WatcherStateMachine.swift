/// The list-then-watch protocol as a plain value: feed it results, it returns what to do next.
///
/// States: `empty` → `listing` (pages of `pageSize`, following continue tokens) → `watching(rv)`.
/// A watch that ends cleanly is reopened from the last seen resourceVersion. A 410 (ERROR event
/// or HTTP status) on the watch sends it back to `empty` for a full relist with no resourceVersion.
/// Other failures (transport, 5xx, 429, 410 on a list) are reported and retried after an
/// exponential backoff from where it was: the watch from the last resourceVersion, a list from
/// its first page. A watch closing within `minimumWatchDuration` without events counts as a
/// failure for backoff. No I/O and no clock: the driver passes elapsed times in.
public struct WatcherStateMachine: Sendable {
    /// Where the protocol is.
    public enum State: Sendable, Equatable {
        /// Nothing known; the next step is the first list page.
        case empty
        /// Paging through a list; `items` so far, `continueToken` of the next page.
        case listing(continueToken: String?, items: [JSONValue])
        /// A watch is (or is about to be) open from `resourceVersion`.
        case watching(resourceVersion: String)
    }

    /// What the driver must do next.
    public enum Action: Sendable, Equatable {
        case list(ListOptions)
        case watch(WatchOptions)
        /// Sleep, then call `backoffElapsed()`.
        case sleep(Duration)
        /// Keep reading the open watch stream.
        case continueWatching
    }

    /// What a step produced: events to report, then the next action.
    public struct Step: Sendable {
        public var events: [WatcherEvent]
        public var action: Action
    }

    /// Tunables; the defaults follow client-go's reflector and kube-rs.
    public struct Configuration: Sendable {
        public var labelSelector: String?
        public var fieldSelector: String?
        /// `limit` of each list page.
        public var pageSize: Int
        /// The server-side timeout of a watch is drawn from this range (seconds).
        public var watchTimeoutSeconds: ClosedRange<Int>
        /// A watch that ends sooner than this without any event counts as a failure.
        public var minimumWatchDuration: Duration
        /// Retry delays after failures (0.8 s doubling to 30 s by default).
        public var backoff: Backoff
        /// Applied to each listed item as its page arrives, so a large list never holds every
        /// full object at once (an informer passes its store's transform).
        public var itemTransform: (@Sendable (JSONValue) -> JSONValue)?
        /// Fields to decode from lists and watch events; the rest is skipped unparsed.
        public var projection: JSONProjection?

        public init(labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500,
                    watchTimeoutSeconds: ClosedRange<Int> = 290...590, minimumWatchDuration: Duration = .seconds(1),
                    backoff: Backoff = Backoff()) {
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
            self.pageSize = pageSize
            self.watchTimeoutSeconds = watchTimeoutSeconds
            self.minimumWatchDuration = minimumWatchDuration
            self.backoff = backoff
        }
    }

    /// Where the protocol is now.
    public private(set) var state: State = .empty
    /// Selectors and tunables; `backoff` carries the current failure count.
    public private(set) var configuration: Configuration
    /// Events received on the current watch.
    private var eventsOnWatch = 0
    /// Where to go after a backoff sleep.
    private var afterBackoff: Action?

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The last resourceVersion seen (list, event or bookmark), if watching.
    public var resourceVersion: String? {
        if case .watching(let rv) = state { return rv }
        return nil
    }

    /// The first action: list the first page.
    public mutating func start() -> Action {
        state = .listing(continueToken: nil, items: [])
        return listAction(continueToken: nil)
    }

    /// A list page arrived: request the next page, or report the complete set and start watching.
    public mutating func pageReceived(_ page: ObjectList) -> Step {
        guard case .listing(_, var items) = state else { return Step(events: [], action: start()) }
        if let transform = configuration.itemTransform {
            items.append(contentsOf: page.items.lazy.map(transform))
        } else {
            items.append(contentsOf: page.items)
        }
        if let token = page.continueToken, !token.isEmpty {
            state = .listing(continueToken: token, items: items)
            return Step(events: [], action: listAction(continueToken: token))
        }
        configuration.backoff.reset()
        state = .watching(resourceVersion: page.resourceVersion)
        return Step(events: [.relisted(items, resourceVersion: page.resourceVersion)],
                    action: watchAction(from: page.resourceVersion))
    }

    /// A list request failed: report it, back off, and restart the list from its first page.
    public mutating func listFailed(_ error: KubeError) -> Step {
        state = .empty
        return fail(error, then: .empty)
    }

    /// The watch request was answered; events will follow.
    public mutating func watchOpened() {
        eventsOnWatch = 0
    }

    /// One watch event: report it and keep reading, or stop reading (ERROR) and say what follows.
    public mutating func eventReceived(_ event: WatchEvent) -> Step {
        if event.type != .error {
            eventsOnWatch += 1
            if eventsOnWatch == 1 { configuration.backoff.reset() }
        }
        let rv = event.object[path: "metadata.resourceVersion"]?.stringValue
        switch event.type {
        case .added, .modified:
            if let rv { state = .watching(resourceVersion: rv) }
            return Step(events: [.applied(event.object)], action: .continueWatching)
        case .deleted:
            if let rv { state = .watching(resourceVersion: rv) }
            return Step(events: [.deleted(event.object)], action: .continueWatching)
        case .bookmark:
            guard let rv else { return Step(events: [], action: .continueWatching) }
            state = .watching(resourceVersion: rv)
            return Step(events: [.bookmark(resourceVersion: rv)], action: .continueWatching)
        case .error:
            let status = event.object
            let apiError = APIError(
                code: Int(status["code"]?.intValue ?? 500),
                reason: status["reason"]?.stringValue ?? "",
                message: status["message"]?.stringValue ?? "watch ERROR event",
                details: status["details"])
            return watchFailed(.api(apiError))
        }
    }

    /// The watch stream ended without error: reopen from the last resourceVersion, backing off if it
    /// lasted less than `minimumWatchDuration` and carried no events.
    public mutating func watchEnded(after elapsed: Duration) -> Step {
        guard case .watching(let rv) = state else { return Step(events: [], action: start()) }
        if eventsOnWatch == 0 && elapsed < configuration.minimumWatchDuration {
            let error = KubeError.transport(TransportError(
                kind: .aborted, message: "watch closed after \(elapsed) without events", url: ""))
            return fail(error, then: .watching(resourceVersion: rv))
        }
        return Step(events: [], action: watchAction(from: rv))
    }

    /// Opening or reading the watch failed. 410 → immediate full relist; anything else → backoff,
    /// then watch again from the last resourceVersion.
    public mutating func watchFailed(_ error: KubeError) -> Step {
        if let api = error.apiError, api.isGone {
            state = .empty
            return Step(events: [.failed(error, retryIn: .zero)], action: start())
        }
        guard case .watching(let rv) = state else { return listFailed(error) }
        return fail(error, then: .watching(resourceVersion: rv))
    }

    /// The backoff sleep is over: retry what failed.
    public mutating func backoffElapsed() -> Action {
        let next = afterBackoff ?? start()
        afterBackoff = nil
        return next
    }

    private mutating func fail(_ error: KubeError, then resume: State) -> Step {
        var delay = configuration.backoff.next()
        if let retryAfter = error.apiError?.retryAfter, retryAfter > 0 {
            delay = max(delay, .seconds(retryAfter))
        }
        switch resume {
        case .watching(let rv):
            state = resume
            afterBackoff = watchAction(from: rv)
        default:
            state = .empty
            afterBackoff = nil
        }
        return Step(events: [.failed(error, retryIn: delay)], action: .sleep(delay))
    }

    private func listAction(continueToken: String?) -> Action {
        .list(ListOptions(labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
                          limit: configuration.pageSize, continueToken: continueToken, projection: configuration.projection))
    }

    private func watchAction(from rv: String) -> Action {
        let range = configuration.watchTimeoutSeconds
        let span = Double(range.upperBound - range.lowerBound)
        let timeout = range.lowerBound + Int((configuration.backoff.random() * span).rounded(.down))
        return .watch(WatchOptions(labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
                                   resourceVersion: rv, allowWatchBookmarks: true,
                                   timeoutSeconds: min(timeout, range.upperBound), projection: configuration.projection))
    }
}
