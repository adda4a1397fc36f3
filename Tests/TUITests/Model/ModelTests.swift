import JobFlowAPI
import Kube
import Testing
@testable import TUI

@Suite struct FlowTreeTests {
    @Test func everyEntryOnceUnderFirstDependency() {
        let tree = FlowTree(object: Fixtures.example)
        let rows = tree.visibleRows(collapsed: [])
        #expect(rows.map { tree.entries[$0.entry].name } == ["job1", "job2", "job5", "job3", "job4"])
        #expect(Set(rows.map(\.entry)).count == tree.entries.count)
        let job3 = tree.index["job3"]!
        #expect(tree.parent[job3] == tree.index["job1"])
        #expect(tree.otherNeeds(job3).map(\.name) == ["job2"])
        #expect(tree.otherNeeds(tree.index["job5"]!).map(\.name) == ["job3", "job4"])
    }

    @Test func cycleEntriesStillShownOnce() {
        let o: JSONValue = ["metadata": ["name": "c"], "spec": ["flows": [
            ["name": "a", "dependencies": ["b"]], ["name": "b", "dependencies": ["a"]], ["name": "c", "dependencies": ["zzz"]],
        ]]]
        let tree = FlowTree(object: o)
        let rows = tree.visibleRows(collapsed: [])
        #expect(rows.count == 3)
        #expect(Set(rows.map(\.entry)) == [0, 1, 2])
    }

    @Test func waitReasonsAndDependents() {
        let tree = FlowTree(object: Fixtures.example)
        #expect(tree.waitReason(tree.index["job5"]!) == "waits for job3")
        #expect(tree.waitReason(tree.index["job1"]!) == "")
        #expect(tree.dependents(of: ["job1"]) == ["job2", "job3", "job5"])
        let failing = FlowTree(object: Fixtures.failing)
        #expect(failing.waitReason(failing.index["load"]!) == "upstream transform failed")
    }

    @Test func collapseHidesSubtree() {
        let tree = FlowTree(object: Fixtures.example)
        let rows = tree.visibleRows(collapsed: ["job1"])
        #expect(rows.map { tree.entries[$0.entry].name } == ["job1", "job4"])
        #expect(rows[0].isCollapsed && rows[0].hasChildren)
    }

    @Test func summaryCountsPerState() {
        let s = FlowTree(object: Fixtures.example).summary()
        #expect(s.map(\.0) == [.running, .waiting, .succeeded])
        #expect(s.map(\.1) == [1, 1, 3])
    }
}

@Suite struct ModelValueTests {
    @Test func timeParsingAndDurations() {
        #expect(Time.parse("1970-01-01T00:00:00Z") == 0)
        #expect(Time.parse("2000-03-01T00:00:01Z") == 951_868_801)
        #expect(Time.parse("2000-03-01T01:00:01+01:00") == 951_868_801)
        #expect(Time.parse("garbage") == nil)
        #expect(Time.short(151) == "2m31s")
        #expect(Time.short(3600 * 3 + 720) == "3h12m")
        #expect(Time.short(86400 * 4 + 3600 * 5) == "4d5h")
    }

    @Test func overviewRowsSanitisedAndSorted() {
        let s = Fixtures.state()
        #expect(s.overviewRows.map(\.ref.name).contains(Fixtures.hostileName))
        for r in s.overviewRows { #expect(!r.displayName.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E }) }
        #expect(s.overviewRows.first?.ref.namespace == "batch")
    }

    @Test func logBufferIsBoundedAndKeepsLongLines() {
        var b = LogBuffer(capacity: 3, byteBudget: 1 << 20)
        for i in 0..<10 { b.append(LogLine(timestamp: "", text: "line \(i)")) }
        #expect(b.count == 3 && b[0].text == "line 7" && b[2].text == "line 9" && b.dropped == 7)
        let long = String(repeating: "x", count: 100_000)
        b.append(LogLine(timestamp: "", text: long))
        #expect(b[2].text.count == 100_000)
        var small = LogBuffer(capacity: 100, byteBudget: 4096)
        for _ in 0..<100 { small.append(LogLine(timestamp: "", text: String(repeating: "y", count: 500))) }
        #expect(small.bytes <= 4096 && small.count < 10)
    }

    @Test func logLineSplitsTimestamp() {
        let l = LogLine(raw: "2026-11-25T04:00:00.123456789Z hello \u{1b}]52;c;x\u{7}world")
        #expect(l.timestamp == "2026-11-25T04:00:00.123456789Z" && l.text == "hello world")
    }
}

@Suite struct HostileNumbersTests {
    @Test func absurdProgressAndTimesDoNotTrap() {
        var snap = Fixtures.snapshot()
        snap.jobFlows[0][path: "status.progress"] = "9223372036854775807/1"
        snap.jobFlows[1][path: "status.progress"] = "-5/-3"
        snap.jobFlows[2][path: "metadata.creationTimestamp"] = "9999-99-99T99:99:99Z"
        let s = AppState(mode: .watch, width: 80, height: 24, now: Fixtures.now, snapshot: snap)
        let grid = ScreenView.render(s, theme: .unicode)
        #expect(grid.text().contains("JobFlows and DaemonJobs (4)"))
    }
}
