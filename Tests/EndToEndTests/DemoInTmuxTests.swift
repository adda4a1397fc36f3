import Foundation
import Testing

/// `jobflow-tui demo` in a real terminal: sandbox + operator + UI in one process.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") && Paths.kubectl() != nil,
                             "tmux and kubectl are needed"))
struct DemoInTmuxTests {
    @Test func flowsFinishAndAFixedEntryIsRetriedWithKeys() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("demo-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig.yaml").path
        let tmux = try WatchInTmuxTests.Tmux(width: 160, height: 48,
                                             command: "\(Paths.binary) demo --speed 50 --write-kubeconfig \(kubeconfig)",
                                             environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        defer { tmux.kill() }

        // The seed's flows finish with the states the seed describes; the invalid one is reported.
        #expect(tmux.waitFor("leading as", seconds: 60), "\(tmux.screen())")
        #expect(tmux.waitFor("5/5", seconds: 90), "jobflow-example never finished:\n\(tmux.screen())")
        let overview = tmux.screen()
        for (name, state) in [("jobflow-example ", "Succeed"), ("jobflow-example-template", "Succeed"),
                              ("jobflow-example-error", "Failed"), ("jobflow-failing", "Failed")] {
            let line = overview.split(separator: "\n").first { $0.contains(name) } ?? ""
            #expect(line.contains(state), "\(name) should be \(state):\n\(overview)")
        }
        #expect(tmux.waitFor("daemonjob-example") && tmux.screen().split(separator: "\n").contains { $0.contains("daemonjob-example") && $0.contains("Succeed") },
                "\(tmux.screen())")

        // Fix the failing command with kubectl (the same cluster), then retry the entry from the UI.
        let kubectl = Paths.kubectl()!
        let patch = #"[{"op":"replace","path":"/spec/flows/1/jobTemplate/template/spec/containers/0/command","value":["sh","-c","sleep 10s && echo fixed"]}]"#
        let r = try run(kubectl, ["--kubeconfig", kubeconfig, "patch", "jf", "jobflow-failing", "--type=json", "-p", patch])
        #expect(r.status == 0, "\(r.err)")
        tmux.keys("/")
        tmux.keys("-l", "jobflow-failing")
        tmux.keys("Enter")
        tmux.keys("Enter")
        #expect(tmux.waitFor("job2-error-container"), "\(tmux.screen())")
        tmux.keys("j")
        tmux.keys("r")
        #expect(tmux.waitFor("Retry job2-error-container"), "\(tmux.screen())")
        #expect(tmux.screen().contains("dependents that will run again: job3"))
        tmux.keys("y")
        #expect(tmux.waitFor("4/4", seconds: 60), "the flow did not succeed after the retry:\n\(tmux.screen())")
        #expect(tmux.screen().contains("all 4 jobs succeeded"), "\(tmux.screen())")
        let status = try run(kubectl, ["--kubeconfig", kubeconfig, "get", "jf", "jobflow-failing", "-o",
                                       "jsonpath={.status.state} {.status.jobs[1].attempts}"])
        #expect(status.out == "Succeed 2", "\(status.out)\(status.err)")
        tmux.keys("C-c")
        #expect(tmux.waitUntilGone("leading as"), "Ctrl-C must restore the terminal:\n\(tmux.screen())")
    }
}
