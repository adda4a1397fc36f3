import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM as an async wait: Dispatch signal sources resume a continuation on a
/// queue, so no work ever runs in signal context.
enum Signals {
    static func waitForTermination() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let queue = DispatchQueue(label: "jobflow.signals")
        let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let pending = Mutex<CheckedContinuation<Void, Never>?>(continuation)
            for source in sources {
                source.setEventHandler {
                    pending.withLock { c in defer { c = nil }; return c }?.resume()
                }
                source.resume()
            }
        }
        sources.forEach { $0.cancel() }
    }
}
