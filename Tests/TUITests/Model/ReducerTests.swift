import JobFlowAPI
import Kube
import Testing
@testable import TUI

@Suite struct ReducerTests {
    func openFlow(_ s: AppState, named name: String) -> AppState {
        var s = s
        let i = s.overviewRows.firstIndex { $0.ref.name == name }!
        s.overviewCursor.selected = i
        return run(s, [.key(.enter)]).0
    }

    @Test func readOnlyRefusesActionsInOnePlaceWithAReason() {
        var s = openFlow(Fixtures.state(mode: .watch), named: "etl-nightly")
        s = run(s, [.key(.down)]).0
        let (after, fx) = run(s, keys("rc"))
        #expect(fx.isEmpty)
        #expect(after.confirmation == nil)
        #expect(after.message?.text == readOnlyMessage)
        let (ov, fx2) = run(Fixtures.state(mode: .watch), keys("r"))
        #expect(fx2.isEmpty && ov.message?.text == readOnlyMessage)
    }

    @Test func retryAsksNamingDependentsThenRequests() {
        var s = openFlow(Fixtures.state(), named: "etl-nightly")
        s = run(s, [.key(.down)]).0
        #expect(s.flowSelection == "transform")
        s = run(s, keys("r")).0
        let c = try! #require(s.confirmation)
        #expect(c.title == "Retry transform in JobFlow batch/etl-nightly?")
        #expect(c.lines.contains("dependents that will run again: load, report"))
        let (done, fx) = run(s, [.key(.char("y"))])
        let target = ActionTarget(ref: ResourceRef(kind: .jobFlow, namespace: "batch", name: "etl-nightly"), entries: ["transform"])
        #expect(fx == [.requestRetry(target)])
        #expect(done.pending.count == 1)
        #expect(done.pendingRequest(target.ref, entry: "transform") != nil)
    }

    @Test func pendingClearsWhenAnnotationAppearsThenGoes() {
        var s = openFlow(Fixtures.state(), named: "etl-nightly")
        s = run(s, [.key(.down)] + keys("ry")).0
        var snap = Fixtures.snapshot()
        snap.jobFlows[1][path: "metadata.annotations"] = [Keys.retryAnnotation: "transform"]
        s = run(s, [.snapshotChanged(snap)]).0
        #expect(s.pending.first?.seen == true)
        #expect(s.message?.text.hasSuffix("(pending until the operator carries it out)") == true)
        s = run(s, [.snapshotChanged(Fixtures.snapshot())]).0
        #expect(s.pending.isEmpty)
        // The status line no longer says "pending" once the operator has done it.
        #expect(s.message?.text == "retry carried out: transform in JobFlow batch/etl-nightly")
    }

    @Test func retryUnderFailFastNamesTheEntriesItReleases() {
        let flow = Fixtures.flow("ff", state: "Failed", jobs: [
            Fixtures.job("broken", "Failed", started: 60, done: 50, reason: "BackoffLimitExceeded"),
            Fixtures.job("slow", "Succeed", started: 60, done: 40),
            Fixtures.job("later", "Skipped", deps: ["slow"], reason: "FailFast", message: "not started: broken failed and failurePolicy is FailFast"),
        ])
        var snap = Fixtures.snapshot()
        snap.jobFlows = [flow]
        var s = AppState(mode: .operator, width: 80, height: 24, now: Fixtures.now, snapshot: snap)
        s = openFlow(s, named: "ff")
        #expect(s.flowSelection == "broken")
        s = run(s, keys("r")).0
        let c = try! #require(s.confirmation)
        #expect(c.lines.contains("held back by FailFast, will start too: later"))

        // With another failure left, FailFast still holds them: the dialog does not promise it.
        var two = snap
        two.jobFlows = [Fixtures.flow("ff", state: "Failed", jobs: [
            Fixtures.job("broken", "Failed", reason: "BackoffLimitExceeded"),
            Fixtures.job("other", "Failed", reason: "BackoffLimitExceeded"),
            Fixtures.job("later", "Skipped", reason: "FailFast"),
        ])]
        var t = openFlow(AppState(mode: .operator, width: 80, height: 24, now: Fixtures.now, snapshot: two), named: "ff")
        t = run(t, keys("r")).0
        #expect(t.confirmation?.lines.contains { $0.hasPrefix("held back by FailFast") } == false)
    }

    @Test func aRequestNobodyCarriesOutIsReportedAfterAMinute() {
        var s = openFlow(Fixtures.state(), named: "etl-nightly")
        s = run(s, [.key(.down)] + keys("ry")).0
        s = run(s, [.tick(now: s.now + 30)]).0
        #expect(s.pending.count == 1)
        s = run(s, [.tick(now: s.now + 31)]).0
        #expect(s.pending.isEmpty)
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("not carried out within 60 s") == true)
    }

    @Test func aNewerMessageIsNotOverwrittenWhenTheRequestSettles() {
        var s = openFlow(Fixtures.state(), named: "etl-nightly")
        s = run(s, [.key(.down)] + keys("ry")).0
        s = run(s, keys("c")).0   // a later message, caused by the user
        #expect(s.message?.text == "nothing to cancel: transform is Failed")
        var snap = Fixtures.snapshot()
        snap.jobFlows[1][path: "metadata.annotations"] = [Keys.retryAnnotation: "transform"]
        s = run(s, [.snapshotChanged(snap), .snapshotChanged(Fixtures.snapshot())]).0
        #expect(s.pending.isEmpty)
        #expect(s.message?.text == "nothing to cancel: transform is Failed")
    }

    @Test func pendingClearsWhenCarriedOutBetweenSnapshots() {
        var s = openFlow(Fixtures.state(), named: "etl-nightly")
        s = run(s, [.key(.down)] + keys("ry")).0
        #expect(s.pending.count == 1)
        // An unrelated snapshot: still pending.
        s = run(s, [.snapshotChanged(Fixtures.snapshot())]).0
        #expect(s.pending.count == 1)
        // The operator took the request and removed the annotation before any snapshot showed it:
        // the entry's attempt moved on, so the request was carried out.
        var snap = Fixtures.snapshot()
        let jobs = snap.jobFlows[1][path: "status.jobs"]?.arrayValue ?? []
        snap.jobFlows[1][path: "status.jobs"] = .array(jobs.map { job in
            guard job["name"] == "transform" else { return job }
            var job = job
            job["attempts"] = .int((job["attempts"]?.intValue ?? 1) + 1)
            job["phase"] = "Running"
            return job
        })
        s = run(s, [.snapshotChanged(snap)]).0
        #expect(s.pending.isEmpty)
    }

    @Test func nothingToRetryIsExplained() {
        let s = openFlow(Fixtures.state(), named: "jobflow-example")
        let (after, fx) = run(s, keys("r"))
        #expect(fx.isEmpty && after.confirmation == nil)
        #expect(after.message?.text == "nothing to retry: job1 is Succeed")
    }

    @Test func cancelDeclinedChangesNothing() {
        var s = openFlow(Fixtures.state(), named: "jobflow-example")
        s = run(s, [.key(.down), .key(.down), .key(.down)] + keys("c")).0
        #expect(s.confirmation?.lines.last == "dependents that will be skipped: job5")
        let (after, fx) = run(s, [.key(.escape)])
        #expect(fx.isEmpty && after.confirmation == nil)
    }

    @Test func filterNarrowsOverviewAndEscClears() {
        var s = run(Fixtures.state(), keys("/etl")).0
        #expect(s.overviewRows.map(\.ref.name) == ["etl-nightly"])
        s = run(s, [.key(.enter)]).0
        #expect(s.prompt == nil && s.overviewRows.count == 1)
        s = run(s, [.key(.escape)]).0
        #expect(s.overviewRows.count == 4)
    }

    @Test func namespaceCommandSwitches() {
        let (s, fx) = run(Fixtures.state(), keys(":ns batch") + [.key(.enter)])
        #expect(fx == [.switchNamespace("batch")])
        #expect(s.overviewRows.map(\.ref.name) == ["etl-nightly"])
    }

    @Test func logsOpenAndCloseWithEffects() {
        var s = openFlow(Fixtures.state(), named: "jobflow-example")
        let (opened, fx) = run(s, keys("l"))
        #expect(fx == [.openLogs(namespace: "default", pod: "jobflow-example-job1-4zq22", container: nil)])
        s = run(opened, [.logLines(["a", "b"])]).0
        #expect(s.logs.count == 2)
        let (closed, fx2) = run(s, [.key(.escape)])
        #expect(fx2 == [.closeLogs] && closed.screen.kind == .flow)
    }

    @Test func selectionStaysVisibleWhenScrolling() {
        var rows: [(JSONValue, JSONValue)] = []
        for i in 0..<100 { rows.append(Fixtures.job("j\(i)", "Succeed", deps: i == 0 ? [] : ["j\(i - 1)"])) }
        var snap = Fixtures.snapshot()
        snap.jobFlows = [Fixtures.flow("long", state: "Succeed", jobs: rows)]
        var s = AppState(mode: .operator, width: 80, height: 24, now: Fixtures.now, snapshot: snap)
        s = run(s, [.key(.enter), .key(.end)]).0
        #expect(s.flowSelection == "j99")
        #expect(s.flowScroll == 100 - s.bodyHeight)
        s = run(s, [.key(.pageUp), .key(.home)]).0
        #expect(s.flowSelection == "j0" && s.flowScroll == 0)
    }

    @Test func quitPathsProduceQuit() {
        #expect(run(Fixtures.state(), keys("q")).1 == [.quit])
        #expect(run(Fixtures.state(), [.key(.ctrl("c"))]).1 == [.quit])
    }
}

@Suite struct ReducerMoreTests {
    @Test func leaseStatesInHeader() {
        var s = Fixtures.state()
        #expect(ScreenView.leaseText(s) == ("operator: jobflow-operator-7c9 (lease renewed 2s ago)", true))
        s.now += 60
        #expect(ScreenView.leaseText(s).1 == false)
        #expect(ScreenView.leaseText(s).0.hasPrefix("operator lease expired"))
        #expect(ScreenView.leaseText(Fixtures.state(lease: false)) == ("no operator running", false))
    }

    @Test func effectFailureIsShownSanitised() {
        let s = run(Fixtures.state(), [.effectFailed("forbidden \u{1b}[2J: cannot patch")]).0
        #expect(s.message == StatusMessage(text: "forbidden : cannot patch", isError: true))
    }

    @Test func logsFollowStopsWhenScrollingUpAndResumesAtEnd() {
        var s = Fixtures.state()
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "jobflow-example" }!
        s = run(s, [.key(.enter)] + keys("l") + [.logLines((0..<100).map { "l\($0)" })]).0
        #expect(s.logFollow)
        s = run(s, [.key(.up)]).0
        #expect(!s.logFollow && s.logBottom == 98)
        s = run(s, [.logLines(["new"])]).0
        #expect(s.logBottom == 98)
        s = run(s, [.key(.end)]).0
        #expect(s.logFollow)
    }

    @Test func daemonJobNodeCancelAndAllNamespaces() {
        var s = Fixtures.state()
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "node-audit" }!
        s = run(s, [.key(.enter), .key(.end)] + keys("c")).0
        #expect(s.confirmation?.target.entries == ["node-d"])
        let (done, fx) = run(s, keys("y"))
        #expect(fx == [.requestCancel(ActionTarget(ref: ResourceRef(kind: .daemonJob, namespace: "default", name: "node-audit"), entries: ["node-d"]))])
        #expect(done.pending.count == 1)
        let (all, fx2) = run(Fixtures.state(), keys(":ns batch") + [.key(.enter)] + keys(":ns all") + [.key(.enter)])
        #expect(fx2 == [.switchNamespace("batch"), .switchNamespace(nil)])
        #expect(all.overviewRows.count == 4)
    }

    @Test func unknownCommandExplains() {
        let s = run(Fixtures.state(), keys(":frobnicate") + [.key(.enter)]).0
        #expect(s.message?.isError == true)
        #expect(s.message?.text.hasPrefix("unknown command: frobnicate") == true)
    }

    @Test func collapseThenParentNavigation() {
        var s = Fixtures.state()
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "jobflow-example" }!
        s = run(s, [.key(.enter), .key(.down), .key(.left)]).0   // job2 folds
        #expect(s.flowRows().count == 4)
        s = run(s, [.key(.left)]).0                                // already folded: go to parent
        #expect(s.flowSelection == "job1")
        s = run(s, [.key(.down), .key(.right)]).0
        #expect(s.flowRows().count == 5)
    }
}

@Suite struct SanitizerEdgeTests {
    @Test func unterminatedAndTrailingSequences() {
        #expect(Sanitizer.sanitize("ok\u{1b}") == "ok")
        #expect(Sanitizer.sanitize("ok\u{1b}]52;c;AAAA") == "ok")          // unterminated OSC swallows the rest
        #expect(Sanitizer.sanitize("a\u{1b}[31\u{1b}[0mb") == "ab")        // a new ESC interrupts a CSI
        #expect(Sanitizer.sanitize("a\u{1b}]0;t\u{1b}\u{1b}\\b") == "ab")
    }

    @Test func lineSeparatorsAndSoftHyphen() {
        #expect(Sanitizer.sanitize("a\u{2028}b\u{00AD}c") == "a bc")
    }
}

@Suite struct WholeObjectConfirmationTests {
    @Test func wholeDaemonJobNamesItsNodes() {
        var s = Fixtures.state()
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "node-audit" }!
        let retry = run(s, keys("r")).0
        #expect(retry.confirmation?.lines == ["nodes whose Job runs again: node-c"])
        #expect(retry.confirmation?.target.annotationValue == "*")
        let cancel = run(s, keys("c")).0
        #expect(cancel.confirmation?.lines == ["nodes whose Job is stopped: node-d"])
    }

    @Test func wholeFlowNamesItsEntries() {
        var s = Fixtures.state()
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "etl-nightly" }!
        let retry = run(s, keys("r")).0
        #expect(retry.confirmation?.title == "Retry JobFlow batch/etl-nightly?")
        #expect(retry.confirmation?.lines == ["will run again: transform, load, report"])
        let cancel = run(s, keys("c")).0
        #expect(cancel.confirmation == nil)
        #expect(cancel.message?.text == "nothing to cancel: every entry has finished")
    }
}

@Suite struct LogPanTests {
    @Test func panRightShowsTheRestOfLongLines() {
        var s = Fixtures.state()
        s.overviewCursor.selected = s.overviewRows.firstIndex { $0.ref.name == "jobflow-example" }!
        let long = (0..<30).map { "w\($0)" }.joined(separator: "-") + "-END"
        s = run(s, [.key(.enter)] + keys("l") + [.logLines([long]), .key(.right), .key(.right)]).0
        #expect(s.logColumn == 80)
        let text = ScreenView.render(s, theme: .unicode).text()
        #expect(text.contains("END"))
        s = run(s, [.key(.left), .key(.left), .key(.left)]).0
        #expect(s.logColumn == 0)
        #expect(LogsView.dropColumns("日本語x", 1) == "本語x")
    }
}

@Suite struct OverviewOrderTests {
    @Test func reusedOrderStillFollowsChangedSortKeys() {
        var s = run(Fixtures.state(), keys("s")).0   // sort by state: problems first
        #expect(s.sort == .state)
        #expect(s.overviewRows.first?.ref.name == "etl-nightly")
        var snap = Fixtures.snapshot()
        snap.jobFlows[1][path: "status.state"] = "Succeed"
        snap.jobFlows[1][path: "metadata.resourceVersion"] = "2"
        s = run(s, [.snapshotChanged(snap)]).0
        #expect(s.overviewRows.last?.ref.name == "etl-nightly")
        s = run(s, [.snapshotChanged(snap)]).0        // same input: the memoised order
        #expect(s.overviewRows.last?.ref.name == "etl-nightly")
        #expect(s.overviewRows.map(\.ref) == FlowRow.sorted(s.overviewRows, by: .state).map(\.ref))
    }
}

@Suite struct OverviewLayoutTests {
    @Test func oneNamespaceGivesItsColumnToNames() {
        var snapshot = Fixtures.snapshot()
        let allNamespaces = ScreenView.render(run(Fixtures.state(), [.snapshotChanged(snapshot)]).0, theme: .unicode).text()
        let header = { (screen: String) in screen.split(separator: "\n").first { $0.contains("STATE") && $0.contains("KIND") }.map(String.init) ?? "" }
        // At 80 columns the namespace column is narrow: its header says NS, not a cut "NAMESP…".
        #expect(header(allNamespaces).contains(" NS ") && !allNamespaces.contains("NAMESP"))
        snapshot.namespace = "batch"
        let one = ScreenView.render(run(Fixtures.state(), [.snapshotChanged(snapshot)]).0, theme: .unicode).text()
        #expect(!header(one).contains(" NS ") && !one.contains("NAMESP"))
        // Every plain name is shown whole at 80 columns (the hostile fixture name is sanitised).
        for flow in snapshot.jobFlows + snapshot.daemonJobs {
            let name = flow[path: "metadata.name"]?.stringValue ?? ""
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { continue }
            #expect(one.contains(name), "\(name) truncated:\n\(one)")
        }
    }

    @Test func similarLongNamesStayApartAt80ColumnsInAllNamespaces() {
        // The examples' names: before, both showed as "jobflow-exampl…" at 80 columns.
        var snapshot = Fixtures.snapshot()
        snapshot.jobFlows = ["jobflow-example-error", "jobflow-example-template"].map {
            Fixtures.flow($0, state: "Running", jobs: [Fixtures.job("a", "Running")])
        }
        let text = ScreenView.render(run(Fixtures.state(), [.snapshotChanged(snapshot)]).0, theme: .unicode).text()
        #expect(text.contains("jobflow-example-err") && text.contains("jobflow-example-tem"), "\(text)")
    }

    @Test func wideOverviewShowsTheStatusMessage() {
        var snapshot = Fixtures.snapshot()
        snapshot.jobFlows[1][path: "status.message"] = "transform failed: exit code 3"
        let s = AppState(mode: .watch, width: 200, height: 60, now: Fixtures.now, snapshot: snapshot)
        let line = ScreenView.render(s, theme: .unicode).text().split(separator: "\n").first { $0.contains("etl-nightly") } ?? ""
        #expect(line.contains("transform failed: exit code 3"), "\(line)")
    }
}
