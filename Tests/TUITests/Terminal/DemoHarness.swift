import JobFlowAPI
import Foundation
import Kube
import Synchronization
import Testing
@testable import TUI

/// A by-eye check of the real ncurses terminal, off by default. Run in a terminal (e.g. tmux):
///   JOBFLOW_TUI_DEMO=1 swift test --filter DemoHarness
/// Options: JOBFLOW_TUI_DEMO_ASCII=1, NO_COLOR=1, JOBFLOW_TUI_DEMO_MODE=watch, JOBFLOW_TUI_DEMO_JOBS=500.
/// A feeder thread changes the fixtures every second and streams log lines; q or Ctrl-C quits.
@Suite struct DemoHarness {
    static var enabled: Bool { ProcessInfo.processInfo.environment["JOBFLOW_TUI_DEMO"] == "1" }

    @Test(.enabled(if: DemoHarness.enabled)) func runInRealTerminal() throws {
        let env = ProcessInfo.processInfo.environment
        let theme = Theme.resolve(ascii: env["JOBFLOW_TUI_DEMO_ASCII"] == "1", noColor: false, environment: env, terminalColors: 256)
        let mode = Mode(rawValue: env["JOBFLOW_TUI_DEMO_MODE"] ?? "demo") ?? .demo
        let bigCount = Int(env["JOBFLOW_TUI_DEMO_JOBS"] ?? "200") ?? 200
        let now = Int64(Date().timeIntervalSince1970)
        @Sendable func snapshot(step: Int) -> ClusterSnapshot {
            var s = Fixtures.snapshot()
            s.takenAt = now + Int64(step)
            s.lease = LeaseInfo(holder: "jobflow-operator-7c9", renewTime: now + Int64(step) - Int64(step % 3))
            var big: [(JSONValue, JSONValue)] = []
            for i in 0..<bigCount {
                let phase = i < step * 3 ? "Succeed" : (i < step * 3 + 4 ? "Running" : "Waiting")
                big.append(Fixtures.job("step-\(i)", phase, deps: i == 0 ? [] : (i % 7 == 0 ? ["step-\(i / 2)", "step-\(i - 1)"] : ["step-\(i / 2)"]),
                                        pod: phase == "Waiting" ? "" : "big-step-\(i)-pod", node: "node-\(i % 4)"))
            }
            s.jobFlows.append(Fixtures.flow("big", ns: "perf", state: "Running", jobs: big))
            if step % 10 == 5 { s.connection = .failing(message: "connection refused", retryIn: 3) }
            return s
        }
        let effects = Mutex<[Effect]>([])
        let runner = TUIRunner(initialState: AppState(mode: mode, now: now, snapshot: snapshot(step: 0)), theme: theme,
                               clock: TUIRunner.systemClock) { e in effects.withLock { $0.append(e) } }
        let done = Atomic<Bool>(false)
        let feeder = Thread {
            var step = 0
            while !done.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: 1)
                step += 1
                runner.post(.snapshotChanged(snapshot(step: step)))
                runner.post(.logLines((0..<3).map { "2026-11-25T04:00:0\($0)Z step \(step) line \($0) \u{1b}[31mred?\u{1b}[0m 日本語 " + String(repeating: "x", count: 150) }))
                runner.post(.tick(now: now + Int64(step)))
            }
        }
        feeder.start()
        defer { done.store(true, ordering: .relaxed) }
        let terminal = NcursesTerminal(theme: theme)
        let final = try runner.run(on: terminal, signals: { terminal.pollSignals() })
        print("demo ended on \(final.screen); effects: \(effects.withLock { $0 })")
    }
}
