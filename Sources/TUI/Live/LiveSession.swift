import Foundation
import Kube
import Logging
import Synchronization

/// The TUI attached to a cluster: a `ClusterFeed` filling snapshots, the `TUIRunner` on its own
/// thread with the ncurses terminal, and the effects carried out — pod logs streamed into the
/// UI, namespace switches, and retry/cancel requests handed to `writeRequest` (which the
/// operator's request logic implements; watch mode never produces them: the reducer refuses).
public final class LiveSession: Sendable {
    public typealias RequestWriter = @Sendable (Effect) async throws -> Void

    let client: KubeClient
    let feedConfiguration: ClusterFeed.Configuration
    let mode: Mode
    let theme: Theme
    let writeRequest: RequestWriter
    let logger: Logger
    let hint: String?
    let tasks = Mutex<(feed: Task<Void, Never>?, logs: Task<Void, Never>?)>((nil, nil))

    /// `hint` is a standing status-line text (the demo's kubeconfig path), shown when nothing
    /// else is.
    public init(client: KubeClient, feed: ClusterFeed.Configuration, mode: Mode, theme: Theme,
                logger: Logger, hint: String? = nil, writeRequest: @escaping RequestWriter) {
        self.hint = hint
        self.client = client
        self.feedConfiguration = feed
        self.mode = mode
        self.theme = theme
        self.logger = logger
        self.writeRequest = writeRequest
    }

    /// Runs the UI until the user quits or a signal ends it; the terminal is restored before this returns.
    public func run() async throws {
        let terminal = NcursesTerminal(theme: theme)
        try await run(terminal: terminal, signals: { terminal.pollSignals() })
    }

    /// The same session on another terminal (benchmarks drive it with an in-memory one).
    public func run(terminal: any TerminalDevice, signals: @escaping @Sendable () -> SignalEvent? = { nil }) async throws {
        var state = AppState(mode: mode, now: Int64(Date().timeIntervalSince1970),
                             snapshot: ClusterSnapshot(context: feedConfiguration.context, namespace: feedConfiguration.namespace,
                                                       connection: .connecting))
        state.hint = hint
        let runnerBox = Mutex<TUIRunner?>(nil)
        let runner = TUIRunner(initialState: state, theme: theme, clock: TUIRunner.systemClock) { [self] effect in
            guard let runner = runnerBox.withLock({ $0 }) else { return }
            handle(effect, runner: runner)
        }
        runnerBox.withLock { $0 = runner }
        startFeed(namespace: feedConfiguration.namespace, runner: runner)
        let result: Result<AppState, any Error> = await withCheckedContinuation { continuation in
            runner.startOnDedicatedThread(device: terminal, signals: signals) { continuation.resume(returning: $0) }
        }
        let running = tasks.withLock { t in defer { t = (nil, nil) }; return t }
        running.feed?.cancel()
        running.logs?.cancel()
        // The informers and the log stream end on cancellation (their requests are cancelled
        // in the transport); waiting here lets the caller close the client with nothing in flight.
        await running.feed?.value
        await running.logs?.value
        _ = try result.get()
    }

    func startFeed(namespace: String?, runner: TUIRunner) {
        var configuration = feedConfiguration
        configuration.namespace = namespace
        let feed = ClusterFeed(api: client, configuration: configuration, logger: logger)
        let task = Task { await feed.run { runner.post(.snapshotChanged($0)) } }
        let old = tasks.withLock { t in defer { t.feed = task }; return t.feed }
        old?.cancel()
    }

    func handle(_ effect: Effect, runner: TUIRunner) {
        switch effect {
        case .quit:
            runner.stop()
        case .switchNamespace(let namespace):
            startFeed(namespace: namespace, runner: runner)
        case .openLogs(let namespace, let pod, let container):
            let client = self.client
            let task = Task {
                do {
                    let lines = try await client.streamLogs(namespace: namespace, pod: pod,
                                                            options: LogOptions(container: container, follow: true, tailLines: 5000, timestamps: true))
                    var batch: [String] = []
                    var iterator = lines.makeAsyncIterator()
                    while let line = try await iterator.next() {
                        batch.append(String(decoding: line, as: UTF8.self))
                        if batch.count >= 200 {
                            runner.post(.logLines(batch))
                            batch = []
                        } else if batch.count == 1 {
                            // Deliver promptly when lines trickle in; batch when they pour.
                            runner.post(.logLines(batch))
                            batch = []
                        }
                    }
                    if !batch.isEmpty { runner.post(.logLines(batch)) }
                    runner.post(.logEnded(nil))
                } catch is CancellationError {
                } catch {
                    runner.post(.logEnded(String(describing: error)))
                }
            }
            let old = tasks.withLock { t in defer { t.logs = task }; return t.logs }
            old?.cancel()
        case .closeLogs:
            tasks.withLock { t in defer { t.logs = nil }; return t.logs }?.cancel()
        case .requestRetry, .requestCancel:
            let write = writeRequest
            Task {
                do {
                    try await write(effect)
                } catch {
                    runner.post(.effectFailed(String(describing: error)))
                }
            }
        }
    }
}
