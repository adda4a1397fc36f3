import CCurl
import Foundation
import Synchronization

/// libcurl's process-wide initialisation, run once (Swift runs global initialisers exactly once).
private let curlGlobalInit: CURLcode = curl_global_init(jf_global_all())

/// One curl multi handle driven by one dedicated thread, or briefly by a caller while idle.
///
/// Other threads never touch a curl handle while the loop thread owns it: they append a
/// `Command` under the lock and wake the thread (`curl_multi_wakeup`, the only thread-safe multi
/// call, while it polls; a condition signal while it is parked). The thread takes the commands
/// out of the lock, performs them, runs `curl_multi_perform`, completes finished transfers and
/// sleeps in `curl_multi_poll` while transfers are in flight, or parks on the condition (without
/// touching the multi handle) when none are. Continuations are resumed with no lock held.
///
/// Fast path (`drive`): while the loop is parked with nothing queued, a `send` caller takes the
/// multi handle over (`driving`, set under the lock) and runs its own transfer on its own thread
/// for at most `TransportOptions.callerDriveBudget`, which saves the two thread hops of the loop.
/// A command from any other thread (another request, a cancel), shutdown or the end of the
/// budget makes the caller hand the multi handle back with the transfer still in it; the loop
/// thread then finishes it. Exactly one thread uses the multi handle and its easy handles at a
/// time, and the connection cache stays the multi handle's, so keep-alive reuse is unchanged.
///
/// `@unchecked Sendable`: the mutable state shared between threads is `pendingState`, only
/// touched under `lock`. `multi`, the easy handles and the owner state (`active`, `queue`,
/// `pool`) are used by one thread at a time: by the loop thread, except while `driving` is set,
/// which a caller may only set while the loop thread is parked (waiting on `lock`, not in curl)
/// and which keeps the loop thread waiting until the caller clears it; the lock orders the hand
/// over both ways. `curl_multi_wakeup` is thread-safe and only called while `pendingState` says the
/// multi handle is still open.
final class CurlEventLoop: @unchecked Sendable {
    enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
        case resume(CurlTransfer)
    }

    /// What the loop thread is doing, as far as a thread posting a command needs to know.
    enum LoopState {
        /// Between two checks of the command queue; it looks again before sleeping.
        case running
        /// In (or about to enter) `curl_multi_poll`: needs `curl_multi_wakeup`.
        case polling
        /// No transfer in flight: waiting on the condition, off the multi handle.
        case parked
    }

    /// Counters for tests and diagnosis.
    struct Stats: Sendable {
        /// Passes of the loop thread (each takes the command queue once).
        var loopPasses = 0
        /// Transfers a caller ran to completion itself.
        var drivenToCompletion = 0
        /// Transfers a caller started and then handed to the loop thread.
        var drivenThenHandedOff = 0
    }

    private struct Pending {
        var commands: [Command] = []
        var stopping = false
        var closed = false
        /// Nothing is in flight before the first command, so the thread starts parked.
        var state = LoopState.parked
        /// A caller drives the multi handle (fast path); the loop thread must not touch it.
        var driving = false
        /// The driving caller has been woken by `curl_multi_wakeup` already.
        var driverWoken = false
        /// The loop must run although no command is queued: a caller handed it a transfer.
        var runRequested = false
        /// Fast-path misses (budget ran out) in a row, and how many requests skip the fast path
        /// because of them: a slow server should not cost every request a blocked budget.
        var missStreak = 0
        var skipDrives = 0
        var stats = Stats()
        /// The loop thread has left libcurl for good (after `curl_multi_cleanup`).
        var threadExited = false
        /// Callers of `waitForExit`, resumed once the thread has exited (or their timeout passed).
        var exitWaiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiter = 0
    }

    let options: TransportOptions
    private let multi: UnsafeMutableRawPointer
    // An NSCondition (pthread mutex + condvar) rather than `Mutex`: ThreadSanitizer on Linux does
    // not see `Synchronization.Mutex` (futex) and reports every access as a race, while it checks this.
    private let lock = NSCondition()
    private var pendingState = Pending() // guarded by `lock`

    // Owner only: the loop thread, or the caller while `driving`.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var queue: [CurlTransfer] = []
    private var queueHead = 0
    private var pool: [CurlEasy] = []
    /// Transfers that found their handle already configured by an identical plain GET (for tests).
    let reusedHandles = Atomic<Int>(0)
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
        let thread = Thread { [self] in
            run()
            announceExit()
        }
        thread.name = "jobflow-curl"
        thread.start()
    }

    private func withPending<R>(_ body: (inout Pending) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&pendingState)
    }

    /// The counters so far.
    var stats: Stats { withPending { $0.stats } }

    /// Hands a command to the loop thread; `false` once the loop has shut down.
    @discardableResult
    func submit(_ command: Command) -> Bool {
        withPending { p in
            guard !p.stopping, !p.closed else { return false }
            p.commands.append(command)
            wake(&p)
            return true
        }
    }

    /// Makes whoever owns the multi handle look at the command queue. Called under `lock`, so
    /// the multi handle cannot be closed in between.
    private func wake(_ p: inout Pending) {
        if p.driving {
            // The caller hands back at its next check; wake it if it is in curl_multi_poll.
            if !p.driverWoken {
                p.driverWoken = true
                curl_multi_wakeup(multi)
            }
            return
        }
        switch p.state {
        case .running:
            break // it checks the queue before it sleeps
        case .polling:
            p.state = .running
            curl_multi_wakeup(multi)
        case .parked:
            lock.signal()
        }
    }

    /// Asks the loop to fail every transfer with `.cancelled` and release libcurl. Does not wait.
    func shutdown() {
        withPending { p in
            guard !p.stopping, !p.closed else { return }
            p.stopping = true
            curl_multi_wakeup(multi) // the loop thread or a driving caller, if in curl_multi_poll
            lock.signal() // the loop thread, if parked
        }
    }

    /// Waits until the loop thread has released libcurl (after `shutdown()`), at most `timeout`;
    /// `false` if it had not by then. Suspends; never blocks a thread.
    ///
    /// A process must not exit while this thread is inside libcurl: `exit()` runs OpenSSL's
    /// atexit cleanup, which frees state a TLS handshake on this thread is still using (a
    /// segfault seen when `watch` quit while connections to an unreachable server were pending).
    func waitForExit(timeout: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let id: Int? = withPending { p in
                if p.threadExited { return nil }
                p.nextWaiter += 1
                p.exitWaiters[p.nextWaiter] = continuation
                return p.nextWaiter
            }
            guard let id else { return continuation.resume(returning: true) }
            Task { [self] in
                try? await Task.sleep(for: timeout)
                let waiter = withPending { $0.exitWaiters.removeValue(forKey: id) }
                waiter?.resume(returning: false)
            }
        }
    }

    /// Runs on the loop thread as its last act: wakes `waitForExit` callers.
    private func announceExit() {
        let waiters = withPending { p in
            p.threadExited = true
            defer { p.exitWaiters = [:] }
            return Array(p.exitWaiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    // MARK: The loop thread

    private func run() {
        var commands: [Command] = []
        var running: Int32 = 0
        lock.lock()
        while true {
            // `lock` is held here. Wait while a caller drives, or while parked with nothing to do.
            while pendingState.driving || (pendingState.state == .parked && pendingState.commands.isEmpty
                                           && !pendingState.stopping && !pendingState.runRequested) {
                lock.wait()
            }
            if pendingState.stopping { break }
            pendingState.state = .running
            pendingState.runRequested = false
            pendingState.stats.loopPasses += 1
            swap(&commands, &pendingState.commands)
            lock.unlock()

            for command in commands { perform(command) }
            commands.removeAll(keepingCapacity: true)
            startQueued()
            curl_multi_perform(multi, &running)
            let restart = completeFinished() > 0 && startQueued() // new transfers need a perform first
            // With room to spare the queue is empty, so no active transfer means nothing in flight.
            let idle = active.isEmpty

            lock.lock()
            // A command that arrived since the swap is handled before sleeping.
            if restart || !pendingState.commands.isEmpty || pendingState.stopping { continue }
            if idle {
                pendingState.state = .parked // callers may drive from now on; the top of the loop waits
                continue
            }
            pendingState.state = .polling
            lock.unlock()
            curl_multi_poll(multi, nil, 0, 1000, nil)
            lock.lock()
        }
        lock.unlock()
        tearDown(leftover: commands)
    }

    // MARK: The fast path (a caller's thread)

    /// Runs `transfer` on the calling thread when the loop is idle; `false` (nothing done) when it
    /// is not, and the caller then submits `.start` as usual.
    ///
    /// Blocks the caller for at most `callerDriveBudget` plus one `curl_multi_poll` timeout
    /// granule (1 ms). If the transfer finishes in time its completion runs right here. If it
    /// does not, or another thread posts a command (another request, a cancel) or shuts down,
    /// the transfer stays in the multi handle and the loop thread takes over; completion then
    /// happens there. `transfer.completion` must be set before the call.
    func drive(_ transfer: CurlTransfer) -> Bool {
        let budget = options.callerDriveBudget
        guard budget > .zero else { return false }
        let claimed: Bool = withPending { p in
            guard !p.stopping, !p.closed, !p.driving, p.state == .parked, p.commands.isEmpty, !p.runRequested else { return false }
            if p.skipDrives > 0 {
                p.skipDrives -= 1
                return false
            }
            p.driving = true
            p.driverWoken = false
            return true
        }
        guard claimed else { return false }

        // This thread owns the multi handle until `driving` is cleared below.
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var running: Int32 = 0
        var interrupted = false
        perform(.start(transfer))
        while transfer.phase != .done {
            curl_multi_perform(multi, &running)
            completeFinished()
            if transfer.phase == .done { break }
            interrupted = withPending { !$0.commands.isEmpty || $0.stopping }
            if interrupted { break }
            let remaining = deadline - clock.now
            if remaining <= .zero { break }
            // Whole milliseconds only; rounding up keeps a short remainder from spinning.
            curl_multi_poll(multi, nil, 0, Int32(clamping: CurlTransfer.milliseconds(remaining)), nil)
        }
        let finished = transfer.phase == .done
        let handOff = !active.isEmpty

        withPending { p in
            p.driving = false
            if finished {
                p.stats.drivenToCompletion += 1
                p.missStreak = 0
            } else {
                p.stats.drivenThenHandedOff += 1
                if !interrupted {
                    // The server is slower than the budget: skip 1, 3, 7 … 63 next fast paths.
                    p.missStreak = min(p.missStreak + 1, 6)
                    p.skipDrives = (1 << p.missStreak) - 1
                }
            }
            if handOff || !p.commands.isEmpty || p.stopping {
                p.runRequested = true
                lock.signal()
            }
        }
        return true
    }

    // MARK: Owner work (the loop thread, or a driving caller)

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
            if try transfer.configure(easy, options: options) { reusedHandles.add(1, ordering: .relaxed) }
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
    @discardableResult
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
            // A plain GET that completed keeps its options for the next identical one.
            recycle(easy, keepPlainGET: easy.plainGET != nil && !transfer.isStreaming && transfer.abort == nil
                        && (try? outcome.get()) != nil)
        }
        transfer.releaseLists()
        transfer.receivePaused = false
        transfer.complete(with: outcome)
    }

    private func recycle(_ easy: CurlEasy, keepPlainGET: Bool = false) {
        if keepPlainGET { easy.parkPlainGET() } else { easy.reset() }
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
