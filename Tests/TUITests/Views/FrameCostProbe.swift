import JobFlowAPI
import Foundation
import Kube
import Testing
@testable import TUI

/// Prints frame cost (reduce + render + diff) for a 500-job flow and a 10,000-object overview.
/// Off by default (timing is not a unit test): JOBFLOW_TUI_PERF=1 swift test --filter FrameCostProbe
@Suite struct FrameCostProbe {
    static var enabled: Bool { ProcessInfo.processInfo.environment["JOBFLOW_TUI_PERF"] == "1" }

    func p99(_ samples: [Duration]) -> Duration { samples.sorted()[Int(Double(samples.count - 1) * 0.99)] }

    func measure(_ state: AppState, events: [AppEvent]) -> (Duration, Duration) {
        var s = state
        var shown = ScreenView.render(s, theme: .unicode)
        var samples: [Duration] = []
        let clock = ContinuousClock()
        for e in events {
            let t = clock.measure {
                s = reduce(s, e).0
                let g = ScreenView.render(s, theme: .unicode)
                _ = g.diff(from: shown)
                shown = g
            }
            samples.append(t)
        }
        return (p99(samples), samples.max()!)
    }

    @Test(.enabled(if: FrameCostProbe.enabled)) func flowOf500() {
        var jobs: [(JSONValue, JSONValue)] = []
        for i in 0..<500 {
            jobs.append(Fixtures.job("job-\(i)", i < 200 ? "Succeed" : (i < 210 ? "Running" : "Waiting"),
                                     deps: i == 0 ? [] : ["job-\((i - 1) / 2)", "job-\(i - 1)"], started: 100, pod: "pod-\(i)", node: "node-\(i % 5)"))
        }
        var snap = Fixtures.snapshot()
        snap.jobFlows = [Fixtures.flow("big", state: "Running", jobs: jobs)]
        var s = AppState(mode: .operator, width: 160, height: 48, now: Fixtures.now, snapshot: snap)
        s = reduce(s, .key(.enter)).0
        let keys: [AppEvent] = (0..<300).map { $0 % 3 == 2 ? .key(.up) : .key(.down) }
        let (k99, kmax) = measure(s, events: keys)
        let snaps: [AppEvent] = (0..<30).map { i in var x = snap; x.takenAt += Int64(i); return .snapshotChanged(x) }
        let (s99, smax) = measure(s, events: snaps)
        print("500-job flow: key frame p99 \(k99) max \(kmax); snapshot frame p99 \(s99) max \(smax)")
    }

    @Test(.enabled(if: FrameCostProbe.enabled)) func overviewOf10000() {
        var snap = Fixtures.snapshot()
        snap.jobFlows = (0..<10_000).map { i in
            var o = Fixtures.flow("flow-\(i)", ns: "ns-\(i % 50)", state: i % 10 == 0 ? "Failed" : "Running",
                          jobs: [Fixtures.job("a", "Succeed"), Fixtures.job("b", "Running", deps: ["a"])])
            o[path: "metadata.resourceVersion"] = .string("\(i)")
            return o
        }
        let s = AppState(mode: .operator, width: 160, height: 48, now: Fixtures.now, snapshot: snap)
        let keys: [AppEvent] = (0..<300).map { $0 % 3 == 2 ? .key(.up) : .key(.pageDown) }
        let (k99, kmax) = measure(s, events: keys)
        // Each snapshot changes 10 objects (a new resourceVersion), as informer updates do.
        let snaps: [AppEvent] = (0..<10).map { i in
            var x = snap
            x.takenAt += Int64(i)
            for k in 0..<10 { x.jobFlows[i * 10 + k][path: "metadata.resourceVersion"] = .string("v\(i)") }
            return .snapshotChanged(x)
        }
        let (s99, smax) = measure(s, events: snaps)
        print("10k overview: key frame p99 \(k99) max \(kmax); snapshot frame p99 \(s99) max \(smax)")
    }
}
