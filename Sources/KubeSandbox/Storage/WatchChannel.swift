import Kube
import Synchronization

/// The queue between the store and one watcher.
///
/// Writers (`send`) never block: each watcher has its own bounded queue, and a watcher whose
/// queue overflows is closed (its queued events are dropped and its stream ends), so a slow
/// consumer cannot stall writers or other watchers. A client that sees the stream end rewatches
/// from the last resourceVersion it received, which the store's history still covers.
public final class WatchChannel: Sendable, AsyncSequence {
    public typealias Element = WatchEvent
    public typealias Failure = Never

    struct State {
        var queue: [WatchEvent] = []
        var head = 0
        var waiter: CheckedContinuation<WatchEvent?, Never>?
        var finished = false
        var overflowed = false
        var onClose: [@Sendable () -> Void] = []
    }

    let capacity: Int
    let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// Whether the channel was closed because the consumer fell too far behind.
    public var overflowed: Bool { state.withLock { $0.overflowed } }

    /// Whether the channel has been closed (by the server, the consumer, or an overflow).
    public var isClosed: Bool { state.withLock { $0.finished } }

    /// Queues an event without waking anyone: returns whether the channel is still open and
    /// the actions (a consumer wake-up, close callbacks) to run once the caller holds no lock.
    func enqueue(_ event: WatchEvent) -> (open: Bool, actions: [@Sendable () -> Void]) {
        var actions: [@Sendable () -> Void] = []
        let open: Bool = state.withLock { s in
            if s.finished { return false }
            if let w = s.waiter {
                s.waiter = nil
                actions.append { w.resume(returning: event) }
                return true
            }
            if s.queue.count - s.head >= capacity {
                s.overflowed = true
                s.finished = true
                s.queue = []
                s.head = 0
                actions.append(contentsOf: s.onClose)
                s.onClose = []
                return false
            }
            s.queue.append(event)
            return true
        }
        return (open, actions)
    }

    /// Queues an event and performs the wake-up at once (call without holding any lock).
    @discardableResult
    func send(_ event: WatchEvent) -> Bool {
        let (open, actions) = enqueue(event)
        for a in actions { a() }
        return open
    }

    /// Ends the stream after the queued events are consumed.
    public func finish() {
        var waiter: CheckedContinuation<WatchEvent?, Never>?
        let closers: [@Sendable () -> Void] = state.withLock { s in
            if s.finished { return [] }
            s.finished = true
            waiter = s.waiter
            s.waiter = nil
            let c = s.onClose
            s.onClose = []
            return c
        }
        waiter?.resume(returning: nil)
        for c in closers { c() }
    }

    /// Runs `body` once when the channel closes (at once if it already has).
    func onClose(_ body: @escaping @Sendable () -> Void) {
        let already: Bool = state.withLock { s in
            if s.finished { return true }
            s.onClose.append(body)
            return false
        }
        if already { body() }
    }

    /// The next event, or nil when the stream has ended. Cancelling the waiting task closes it.
    public func next() async -> WatchEvent? {
        if let ready = takeQueued() { return ready.event }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<WatchEvent?, Never>) in
                let immediate: WatchEvent?? = state.withLock { s in
                    if s.head < s.queue.count {
                        let e = s.queue[s.head]
                        s.head += 1
                        return .some(e)
                    }
                    if s.finished || Task.isCancelled { return .some(nil) }
                    s.waiter = c
                    return nil
                }
                if let immediate { c.resume(returning: immediate) }
            }
        } onCancel: {
            self.finish()
        }
    }

    private func takeQueued() -> (event: WatchEvent?, Void)? {
        state.withLock { s in
            if s.head < s.queue.count {
                let e = s.queue[s.head]
                s.head += 1
                if s.head > 1024 && s.head * 2 > s.queue.count {
                    s.queue.removeFirst(s.head)
                    s.head = 0
                }
                return (e, ())
            }
            if s.finished { return (nil, ()) }
            return nil
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: WatchChannel
        public mutating func next() async -> WatchEvent? { await channel.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
