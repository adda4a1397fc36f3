import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM as an async wait: Dispatch signal sources note the signal on a queue, so
/// no work ever runs in signal context.
///
/// Commands call `install()` before they announce that they are ready: a signal sent the moment
/// after (a test stopping a sandbox it has just seen start, say) is then kept until
/// `waitForTermination()` asks, instead of landing between "ignore" and the sources being
/// armed and being lost — which left the process running forever.
enum Signals {
    private struct State {
        var sources: [any DispatchSourceSignal] = []
        var fired = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private static let state = Mutex(State())

    /// Starts catching SIGINT and SIGTERM; once per process (later calls do nothing).
    static func install() {
        state.withLock { s in
            guard s.sources.isEmpty else { return }
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            let queue = DispatchQueue(label: "jobflow.signals")
            s.sources = [SIGINT, SIGTERM].map { number in
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { Signals.fired() }
                source.resume()
                return source
            }
        }
    }

    private static func fired() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.fired = true
            defer { s.waiters = [] }
            return s.waiters
        }
        waiters.forEach { $0.resume() }  // outside the lock
    }

    /// Returns once SIGINT or SIGTERM has arrived since `install()` (which it calls if nobody has).
    static func waitForTermination() async {
        install()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = state.withLock { s -> Bool in
                if s.fired { return true }
                s.waiters.append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }
}
