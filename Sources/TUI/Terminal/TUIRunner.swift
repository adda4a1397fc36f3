import Synchronization

/// Runs the UI loop on one dedicated thread (curses is not thread-safe): reads keys, applies events
/// through `reduce`, renders at most `maxFPS` frames a second and only when something changed,
/// draws the grid difference, hands effects to `onEffect`. Other threads talk to it only through
/// `post(_:)`, a mailbox where snapshots coalesce (latest wins) and log lines queue up.
public final class TUIRunner: Sendable {
    /// Time source: milliseconds of a monotonic clock and wall-clock seconds (for ages).
    public struct Clock: Sendable {
        public var monotonicMs: @Sendable () -> Int64
        public var wallSeconds: @Sendable () -> Int64

        public init(monotonicMs: @escaping @Sendable () -> Int64, wallSeconds: @escaping @Sendable () -> Int64) {
            self.monotonicMs = monotonicMs
            self.wallSeconds = wallSeconds
        }
    }

    struct Inbox {
        var snapshot: ClusterSnapshot?
        var logLines: [String] = []
        var others: [AppEvent] = []
        var stopRequested = false
    }

    private let inbox = Mutex(Inbox())
    private let terminalRef = Mutex<(any TerminalDevice)?>(nil)
    let theme: Theme
    let onEffect: @Sendable (Effect) -> Void
    let clock: Clock
    let maxFPS: Int
    let tickMs: Int64
    private let initial: AppState
    /// Frames drawn (for tests and the debug status).
    public let framesDrawn = Atomic<Int>(0)

    public init(initialState: AppState, theme: Theme, clock: Clock, maxFPS: Int = 30, tickMs: Int64 = 1000,
                onEffect: @escaping @Sendable (Effect) -> Void) {
        self.initial = initialState
        self.theme = theme
        self.clock = clock
        self.maxFPS = max(1, maxFPS)
        self.tickMs = tickMs
        self.onEffect = onEffect
    }

    /// Hands an event to the UI thread; callable from any thread, never blocks on the UI.
    public func post(_ event: AppEvent) {
        inbox.withLock { box in
            switch event {
            case .snapshotChanged(let s): box.snapshot = s
            case .logLines(let l): box.logLines += l
            default: box.others.append(event)
            }
        }
        terminalRef.withLock { $0?.wake() }  // under the lock: never races with restore()
    }

    /// Asks the loop to end (as if the user quit); callable from any thread.
    public func stop() {
        inbox.withLock { $0.stopRequested = true }
        terminalRef.withLock { $0?.wake() }  // under the lock: never races with restore()
    }

    private func drain() -> (events: [AppEvent], stop: Bool) {
        inbox.withLock { box in
            var events: [AppEvent] = []
            if let s = box.snapshot { events.append(.snapshotChanged(s)) }
            if !box.logLines.isEmpty { events.append(.logLines(box.logLines)) }
            events += box.others
            let stop = box.stopRequested
            box = Inbox()
            box.stopRequested = stop
            return (events, stop)
        }
    }

    /// Runs the loop on the calling thread until a `.quit` effect, `stop()` or a terminating
    /// signal; restores the terminal on every path (including a thrown error), reports `.quit` to
    /// `onEffect` once, and returns the final state.
    /// `signals` is polled each turn (the real one reads flags set by signal handlers).
    public func run(on terminal: any TerminalDevice, signals: @Sendable () -> SignalEvent? = { nil }) throws -> AppState {
        let size = try terminal.start()
        terminalRef.withLock { $0 = terminal }
        defer {
            terminalRef.withLock { $0 = nil }
            terminal.restore()
            onEffect(.quit)
        }
        var state = initial
        state = reduce(state, .resized(width: size.width, height: size.height)).0
        state = reduce(state, .tick(now: clock.wallSeconds())).0
        var shown: CellGrid?
        var dirty = true
        var lastFrame: Int64 = .min / 2
        var lastTick = clock.monotonicMs()
        let frameMs = Int64(1000 / maxFPS)

        // After any resize the next frame is drawn whole, even when the size ends where it was:
        // the terminal (tmux above all) may have cropped or moved what is on screen meanwhile.
        var repaint = false

        func apply(_ event: AppEvent) -> Bool {
            if case .resized = event { repaint = true }
            let (next, effects) = reduce(state, event)
            state = next
            dirty = true
            var quit = false
            for e in effects {
                if e == .quit { quit = true } else { onEffect(e) }
            }
            return quit
        }

        while true {
            if let sig = signals() {
                switch sig {
                case .terminate: return state
                case .resized(let w, let h): if apply(.resized(width: w, height: h)) { return state }
                }
            }
            let (events, stop) = drain()
            if stop { return state }
            for e in events where apply(e) { return state }
            let now = clock.monotonicMs()
            if now - lastTick >= tickMs {
                lastTick = now
                if apply(.tick(now: clock.wallSeconds())) { return state }
            }
            if dirty && now - lastFrame >= frameMs {
                let grid = ScreenView.render(state, theme: theme)
                let full = repaint || shown == nil || shown!.width != grid.width || shown!.height != grid.height
                repaint = false
                let runs = grid.diff(from: full ? nil : shown)
                if !runs.isEmpty || full { terminal.draw(runs, full: full) }
                framesDrawn.add(1, ordering: .relaxed)
                shown = grid
                lastFrame = now
                dirty = false
            }
            // Sleep in the terminal until input, a wake-up, the next allowed frame or the next tick.
            let untilTick = max(0, lastTick + tickMs - now)
            let timeout = dirty ? max(1, lastFrame + frameMs - now) : untilTick
            if let input = terminal.readInput(timeoutMs: Int(min(timeout, 1000))) {
                let event: AppEvent
                switch input {
                case .key(let k): event = .key(k)
                case .resized(let w, let h): event = .resized(width: w, height: h)
                }
                if apply(event) { return state }
            }
        }
    }
}

/// What the signal flags reported since the last poll.
public enum SignalEvent: Sendable, Hashable {
    case terminate
    case resized(width: Int, height: Int)
}

#if canImport(Foundation)
import Foundation

extension TUIRunner {
    /// The system clocks (monotonic uptime, wall-clock seconds).
    public static let systemClock = Clock(
        monotonicMs: { Int64(ProcessInfo.processInfo.systemUptime * 1000) },
        wallSeconds: { Int64(Date().timeIntervalSince1970) })

    /// Runs the loop with a real ncurses terminal on a new dedicated thread (not a Swift
    /// concurrency executor: curses must stay on one thread). `completion` runs on that thread
    /// after the terminal has been restored.
    public func startOnDedicatedThread(terminal: NcursesTerminal,
                                       completion: @escaping @Sendable (Result<AppState, any Error>) -> Void) {
        startOnDedicatedThread(device: terminal, signals: { terminal.pollSignals() }, completion: completion)
    }

    /// The same with any terminal device and signal source.
    public func startOnDedicatedThread(device: any TerminalDevice, signals: @escaping @Sendable () -> SignalEvent?,
                                       completion: @escaping @Sendable (Result<AppState, any Error>) -> Void) {
        let thread = Thread { [self] in
            completion(Result { try self.run(on: device, signals: signals) })
        }
        thread.name = "jobflow-tui.ui"
        thread.start()
    }
}
#endif
