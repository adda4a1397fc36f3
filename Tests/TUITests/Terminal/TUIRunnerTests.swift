import Synchronization
import JobFlowAPI
import Testing
@testable import TUI

/// A terminal that replays scripted input and records what is drawn.
final class FakeTerminal: TerminalDevice, Sendable {
    struct Record {
        var inputs: [TerminalInput?]
        var draws: [(runs: [GridRun], full: Bool)] = []
        var timeouts: [Int] = []
        var restored = 0
        var wakes = 0
        var screen = CellGrid(width: 0, height: 0)
    }
    let record: Mutex<Record>
    let size: (Int, Int)

    init(width: Int = 80, height: Int = 24, inputs: [TerminalInput?]) {
        size = (width, height)
        record = Mutex(Record(inputs: inputs))
    }

    func start() throws -> (width: Int, height: Int) { size }

    func readInput(timeoutMs: Int) -> TerminalInput? {
        record.withLock { r in
            r.timeouts.append(timeoutMs)
            // After the script: quit.
            return r.inputs.isEmpty ? .key(.ctrl("c")) : r.inputs.removeFirst()
        }
    }

    func draw(_ runs: [GridRun], full: Bool) {
        record.withLock { r in
            r.draws.append((runs, full))
            if full || r.screen.width == 0 { r.screen = CellGrid(width: size.0, height: size.1) }
            for run in runs { for (k, c) in run.cells.enumerated() where c.width != 0 { r.screen.put(c.text, x: run.x + k, y: run.y) } }
        }
    }

    func restore() { record.withLock { $0.restored += 1 } }
    func wake() { record.withLock { $0.wakes += 1 } }
}

/// A manual clock: each read advances 5 ms, so frame pacing is deterministic.
final class StepClock: Sendable {
    let ms = Atomic<Int64>(0)
    var clock: TUIRunner.Clock {
        TUIRunner.Clock(monotonicMs: { [self] in ms.add(5, ordering: .relaxed).newValue },
                        wallSeconds: { Fixtures.now })
    }
}

final class EffectLog: Sendable {
    let effects = Mutex<[Effect]>([])
    var onEffect: @Sendable (Effect) -> Void { { [self] e in effects.withLock { $0.append(e) } } }
    var all: [Effect] { effects.withLock { $0 } }
}

@Suite struct TUIRunnerTests {
    func runner(_ mode: Mode = .operator, log: EffectLog) -> TUIRunner {
        TUIRunner(initialState: AppState(mode: mode, now: Fixtures.now, snapshot: Fixtures.snapshot()),
                  theme: .unicode, clock: StepClock().clock, onEffect: log.onEffect)
    }

    @Test func keysDriveTheReducerAndQuitRestoresOnce() throws {
        let log = EffectLog()
        let term = FakeTerminal(inputs: [.key(.down), .key(.enter), .key(.char("q")), .key(.char("q"))])
        let final = try runner(log: log).run(on: term)
        #expect(final.screen == .overview)
        #expect(log.all == [.quit])
        let rec = term.record.withLock { ($0.restored, $0.draws.count, $0.screen.text()) }
        #expect(rec.0 == 1)
        #expect(rec.1 >= 1)
        #expect(rec.2.contains("JobFlows and DaemonJobs (4)"))
    }

    @Test func effectsReachTheCallback() throws {
        let log = EffectLog()
        // Rows sort by namespace: batch/etl-nightly is first; its second entry has failed.
        let r = runner(log: log)
        _ = try r.run(on: FakeTerminal(inputs: [.key(.enter), .key(.down), .key(.char("r")), .key(.char("y"))]))
        #expect(log.all.first == .requestRetry(ActionTarget(ref: ResourceRef(kind: .jobFlow, namespace: "batch", name: "etl-nightly"), entries: ["transform"])))
        #expect(log.all.last == .quit)
    }

    @Test func readOnlyRunnerNeverEmitsWrites() throws {
        let log = EffectLog()
        _ = try runner(.watch, log: log).run(on: FakeTerminal(inputs: [.key(.enter), .key(.down), .key(.char("r")), .key(.char("y")), .key(.char("c")), .key(.enter)]))
        #expect(log.all == [.quit])
    }

    @Test func snapshotsCoalesceLatestWins() throws {
        let log = EffectLog()
        let r = runner(log: log)
        for i in 0..<100 {
            var s = Fixtures.snapshot()
            s.context = "ctx-\(i)"
            r.post(.snapshotChanged(s))
        }
        let term = FakeTerminal(inputs: [nil])
        let final = try r.run(on: term)
        #expect(final.snapshot.context == "ctx-99")
        #expect(term.record.withLock { $0.draws.count } <= 2)
    }

    @Test func idleLoopSleepsInsteadOfSpinning() throws {
        let log = EffectLog()
        let term = FakeTerminal(inputs: [nil, nil, nil])
        _ = try runner(log: log).run(on: term)
        let t = term.record.withLock { $0.timeouts }
        // After the first frame nothing changed: the loop waits for input/the tick, not a frame.
        #expect(t.dropFirst().allSatisfy { $0 >= 900 })
        // Unchanged frames draw nothing.
        #expect(term.record.withLock { $0.draws.filter { !$0.runs.isEmpty }.count } == 1)
    }

    @Test func resizeRedrawsFullyAndTooSmallIsShown() throws {
        let log = EffectLog()
        let term = FakeTerminal(inputs: [.resized(width: 60, height: 20)])
        _ = try runner(log: log).run(on: term)
        #expect(term.record.withLock { $0.draws.last?.full } == true)
    }

    @Test func resizeThatEndsAtTheSameSizeStillRedrawsFully() throws {
        // tmux zoomed in and out within one frame: the size is back where it was, but the screen
        // was cropped meanwhile, so diffing against the last frame would leave it broken.
        let log = EffectLog()
        let term = FakeTerminal(inputs: [.resized(width: 100, height: 30), .resized(width: 80, height: 24)]
                                + Array(repeating: nil, count: 10))
        _ = try runner(log: log).run(on: term)
        let draws = term.record.withLock { $0.draws }
        #expect(draws.count == 2)
        #expect(draws.last?.full == true)
    }

    @Test func terminateSignalEndsAndRestores() throws {
        let log = EffectLog()
        let term = FakeTerminal(inputs: [])
        _ = try runner(log: log).run(on: term, signals: { .terminate })
        #expect(term.record.withLock { $0.restored } == 1)
        #expect(log.all == [.quit])
    }

    @Test func stopFromAnotherThreadWakesTheLoop() throws {
        let log = EffectLog()
        let r = runner(log: log)
        r.stop()
        let term = FakeTerminal(inputs: [nil, nil])
        _ = try r.run(on: term)
        #expect(term.record.withLock { $0.restored } == 1)
    }
}
