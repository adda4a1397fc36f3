import JobFlowAPI
import Kube
import Testing
@testable import TUI

/// The logs key on a pod with several containers asks which one (init containers marked),
/// remembers the answer per pod, and names the container in the logs view.
@Suite struct ContainerPickerTests {
    static let pod = "jobflow-example-job1-4zq22"

    /// The fixtures, with job1's pod cached: an init container and two containers.
    static func state(_ v: ViewGoldenTests.Variant = .init(width: 80, height: 24, ascii: false), containers: [String] = ["main", "sidecar"]) -> AppState {
        var snap = Fixtures.snapshot()
        snap.pods["default/\(pod)"] = [
            "metadata": ["name": .string(pod), "namespace": "default"],
            "spec": ["initContainers": [["name": "fetch-config"]], "containers": .array(containers.map { ["name": .string($0)] })],
        ]
        var s = AppState(mode: .watch, width: v.width, height: v.height, now: Fixtures.now, snapshot: snap)
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "jobflow-example" }!
        return run(s, [.key(.enter)]).0   // job1 is the first entry, selected
    }

    @Test func severalContainersAskFirstThenRemember() {
        var (s, fx) = run(Self.state(), keys("l"))
        #expect(fx.isEmpty)
        let p = try! #require(s.picker)
        #expect(p.choices.map(\.name) == ["fetch-config", "main", "sidecar"])
        #expect(p.choices.map(\.isInit) == [true, false, false])
        #expect(p.selected == 1, "the first regular container is preselected")
        (s, fx) = run(s, [.key(.down), .key(.enter)])
        #expect(s.picker == nil)
        #expect(fx == [.openLogs(namespace: "default", pod: Self.pod, container: "sidecar")])
        #expect(s.screen == .logs(namespace: "default", pod: Self.pod, container: "sidecar", title: "jobflow-example/job1"))
        #expect(ScreenView.render(s, theme: .unicode).text().contains("(pod \(Self.pod), container sidecar)"))

        // Back, and the logs key again: the last choice is preselected.
        (s, fx) = run(s, [.key(.escape)])
        #expect(fx == [.closeLogs])
        (s, _) = run(s, keys("l"))
        #expect(s.picker?.selected == 2)
        // Esc closes the picker and stays in the flow view, asking for nothing.
        (s, fx) = run(s, [.key(.escape)])
        #expect(s.picker == nil && fx.isEmpty && s.screen.kind == .flow)
    }

    @Test func initContainerCanBeChosen() {
        let (s, fx) = run(Self.state(), keys("l") + [.key(.home), .key(.char("l"))])
        #expect(fx == [.openLogs(namespace: "default", pod: Self.pod, container: "fetch-config")])
        #expect(s.picker == nil && s.screen.kind == .logs)
    }

    @Test func singleContainerGoesStraightToTheLog() {
        var snap = Fixtures.snapshot()
        snap.pods["default/\(Self.pod)"] = ["metadata": ["name": .string(Self.pod)], "spec": ["containers": [["name": "main"]]]]
        var s = AppState(mode: .watch, now: Fixtures.now, snapshot: snap)
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "jobflow-example" }!
        let (after, fx) = run(s, [.key(.enter), .key(.char("l"))])
        #expect(after.picker == nil)
        #expect(fx == [.openLogs(namespace: "default", pod: Self.pod, container: "main")])
    }

    @Test func uncachedPodLetsTheServerPick() {
        // job3's pod is cached with one container; job4's is not cached at all.
        var s = Fixtures.state()
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "jobflow-example" }!
        s = run(s, [.key(.enter)]).0
        s.flowSelection = "job4"
        let (_, fx) = run(s, keys("l"))
        #expect(fx == [.openLogs(namespace: "default", pod: "jobflow-example-job4-aaaaa", container: nil)])
    }

    @Test func pickerKeysNeverReachTheViewBelow() {
        // r (retry) and q (quit) while the picker is open do nothing to the flow.
        let (s, fx) = run(Self.state(), keys("l") + keys("r"))
        #expect(fx.isEmpty && s.picker != nil && s.confirmation == nil && s.message == nil)
    }

    @Test(arguments: ViewGoldenTests.variants) func pickerGolden(_ v: ViewGoldenTests.Variant) {
        let s = run(Self.state(v), keys("l")).0
        Golden.check(ScreenView.render(s, theme: v.theme).text(), "logs-picker-\(v.suffix)")
    }

    @Test func longListScrollsToTheSelection() {
        let many = (0..<40).map { "c\($0)" }
        let s = run(Self.state(containers: many), keys("l") + [.key(.end)]).0
        let text = ScreenView.render(s, theme: .unicode).text()
        #expect(text.contains("› c39") && !text.contains(" c0 "), "\(text)")
    }
}
