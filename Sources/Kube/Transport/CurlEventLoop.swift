import CCurl
import Foundation

/// libcurl's process-wide initialisation, run once (Swift runs global initialisers exactly once).
private let curlGlobalInit: CURLcode = curl_global_init(jf_global_all())

/// One curl multi handle driven by one dedicated thread.
///
/// Other threads never touch a curl handle: they append a `Command` under the lock and call
/// `curl_multi_wakeup`, the only thread-safe multi call. The thread takes the commands out of the
/// lock, performs them, runs `curl_multi_perform`, completes finished transfers and sleeps in
/// `curl_multi_poll`. Continuations are resumed on this thread with no lock held.
///
/// `@unchecked Sendable`: the mutable state shared between threads is `pendingState`, only
/// touched under `lock`; `multi` is only used by the loop thread, except `curl_multi_wakeup`, which libcurl
/// documents as callable from any thread and which we only call while `pendingState` says the multi
/// handle is still open. The remaining fields (`active`, `queue`, `pool`) belong to the loop thread.
final class CurlEventLoop: @unchecked Sendable {
    enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
        case resume(CurlTransfer)
    }

    private struct Pending {
        var commands: [Command] = []
        var stopping = false
        var closed = false
        /// The loop thread is in (or about to enter) `curl_multi_poll` and needs a wakeup to see a
        /// new command. While it is awake it checks for commands before sleeping, so a submit
        /// then skips the `curl_multi_wakeup` (a socketpair write plus a poll wake-up).
        var sleeping = false
    }

    let options: TransportOptions
    private let multi: UnsafeMutableRawPointer
    // An NSLock (pthread mutex) rather than `Mutex`: ThreadSanitizer on Linux does not see
    // `Synchronization.Mutex` (futex) and reports every access as a race, while it checks this.
    private let lock = NSLock()
    private var pendingState = Pending() // guarded by `lock`

    // Loop thread only.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var queue: [CurlTransfer] = []
    private var queueHead = 0
    private var pool: [CurlEasy] = []
    private let maxActive: Int

    init(options: TransportOptions) throws(TransportError) {
        guard curlGlobalInit == CURLE_OK, let multi = curl_multi_init() else {
            throw TransportError(kind: .other, message: "libcurl could not be initialised", url: "")
        }
        self.options = options
        self.multi = multi
        maxActive = max(1, options.maxConcurrentTransfers)
        _ = jf_multi_setopt_long(multi, CURLMOPT_PIPELINING, jf_pipe_multiplex())
        // Keep at least one idle connection per concurrent transfer for reuse.
        _ = jf_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(4, maxActive))
        let thread = Thread { [self] in run() }
        thread.name = "jobflow-curl"
        thread.start()
    }

    private func withPending<R>(_ body: (inout Pending) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&pendingState)
    }

    /// Hands a command to the loop thread; `false` once the loop has shut down.
    @discardableResult
    func submit(_ command: Command) -> Bool {
        withPending { p in
            guard !p.stopping, !p.closed else { return false }
            p.commands.append(command)
            if p.sleeping {
                p.sleeping = false
                // Under the lock so the thread cannot close the multi handle in between.
                curl_multi_wakeup(multi)
            }
            return true
        }
    }

    /// Asks the loop to fail every transfer with `.cancelled` and release libcurl. Does not wait.
    func shutdown() {
        withPending { p in
            guard !p.stopping, !p.closed else { return }
            p.stopping = true
            curl_multi_wakeup(multi)
        }
    }

    // MARK: The loop thread

    private func run() {
        var commands: [Command] = []
        var running: Int32 = 0
        while true {
            let stop: Bool = withPending { p in
                p.sleeping = false
                swap(&commands, &p.commands)
                return p.stopping
            }
            if stop { break }
            for command in commands { perform(command) }
            commands.removeAll(keepingCapacity: true)
            startQueued()
            curl_multi_perform(multi, &running)
            if completeFinished() > 0, startQueued() {
                continue // new transfers need a perform before sleeping
            }
            // Announce the sleep; a command that arrived since the swap is handled first instead.
            let mustRun: Bool = withPending { p in
                if !p.commands.isEmpty || p.stopping { return true }
                p.sleeping = true
                return false
            }
            if mustRun { continue }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        tearDown(leftover: commands)
    }

    private func perform(_ command: Command) {
        switch command {
        case .start(let transfer):
            if transfer.cancelRequested {
                transfer.complete(with: .failure(cancelled(transfer)))
            } else if active.count < maxActive {
                activate(transfer)
            } else {
                transfer.phase = .queued
                queue.append(transfer)
            }
        case .cancel(let transfer):
            switch transfer.phase {
            case .created:
                transfer.cancelRequested = true // its start command is still on the way
            case .queued:
                // Answer now rather than when it reaches the front; startQueued skips it (phase .done).
                transfer.complete(with: .failure(cancelled(transfer)))
            case .active:
                finish(transfer, outcome: .failure(cancelled(transfer)))
            case .done:
                break
            }
        case .resume(let transfer):
            guard transfer.phase == .active, transfer.receivePaused, let easy = transfer.easy else { return }
            transfer.receivePaused = false
            // May call the write callback right here with bytes curl held back (and pause again).
            curl_easy_pause(easy.handle, jf_pause_cont())
        }
    }

    /// Starts queued transfers while there is room; `true` if any started.
    @discardableResult
    private func startQueued() -> Bool {
        var started = false
        while active.count < maxActive, queueHead < queue.count {
            let transfer = queue[queueHead]
            queueHead += 1
            if transfer.phase == .done { continue } // cancelled while queued
            activate(transfer)
            started = true
        }
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead > 1024 {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        return started
    }

    private func activate(_ transfer: CurlTransfer) {
        guard let easy = pool.popLast() ?? CurlEasy() else {
            transfer.complete(with: .failure(TransportError(kind: .other, message: "libcurl could not create a handle", url: transfer.request.url)))
            return
        }
        do {
            try transfer.configure(easy, options: options)
        } catch {
            transfer.releaseLists()
            transfer.easy = nil
            recycle(easy)
            transfer.complete(with: .failure(error))
            return
        }
        transfer.phase = .active
        active[easy.handle] = transfer
        let code = curl_multi_add_handle(multi, easy.handle)
        if code != CURLM_OK {
            finish(transfer, outcome: .failure(TransportError(kind: .other, message: String(cString: curl_multi_strerror(code)), url: transfer.request.url)))
        }
    }

    /// Completes every transfer curl reports as done; returns how many.
    private func completeFinished() -> Int {
        var count = 0
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard jf_msg_is_done(message) != 0, let handle = message.pointee.easy_handle,
                  let transfer = active[handle] else { continue }
            let code = jf_msg_result(message)
            let outcome: Result<Void, TransportError> = code == CURLE_OK
                ? .success(())
                : .failure(transfer.error(for: code, detail: transfer.easy?.errorDetail ?? ""))
            finish(transfer, outcome: outcome)
            count += 1
        }
        return count
    }

    /// Takes an active transfer out of curl, returns its handle to the pool and completes it.
    private func finish(_ transfer: CurlTransfer, outcome: Result<Void, TransportError>) {
        if let easy = transfer.easy {
            curl_multi_remove_handle(multi, easy.handle)
            active[easy.handle] = nil
            transfer.easy = nil
            recycle(easy)
        }
        transfer.releaseLists()
        transfer.receivePaused = false
        transfer.complete(with: outcome)
    }

    private func recycle(_ easy: CurlEasy) {
        easy.reset()
        if pool.count < maxActive { pool.append(easy) }
    }

    private func cancelled(_ transfer: CurlTransfer) -> TransportError {
        TransportError(kind: .cancelled, message: "request cancelled", url: transfer.request.url)
    }

    private func tearDown(leftover: [Command]) {
        let late: [Command] = withPending { p in
            p.closed = true
            return p.commands
        }
        let error = { (t: CurlTransfer) in TransportError(kind: .cancelled, message: "transport shut down", url: t.request.url) }
        for transfer in Array(active.values) { finish(transfer, outcome: .failure(error(transfer))) }
        for transfer in queue[queueHead...] where transfer.phase != .done { transfer.complete(with: .failure(error(transfer))) }
        queue = []
        for command in leftover + late {
            if case .start(let transfer) = command { transfer.complete(with: .failure(error(transfer))) }
        }
        pool = []
        curl_multi_cleanup(multi)
    }
}
