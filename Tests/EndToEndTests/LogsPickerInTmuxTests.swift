import Foundation
import Testing

/// The logs key on a multi-container pod in the real UI: `jobflow-tui demo` runs the operator,
/// kubectl adds a flow whose pod has an init container and two containers, and the picker's
/// choice decides whose log is streamed.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") && Paths.kubectl() != nil,
                             "tmux and kubectl are needed"))
struct LogsPickerInTmuxTests {
    static let manifest = """
        apiVersion: api.practice.com/v1alpha1
        kind: JobFlow
        metadata:
          name: multi-container
        spec:
          flows:
          - name: build
            jobTemplate:
              template:
                spec:
                  initContainers:
                  - {name: fetch, image: busybox, command: [sh, -c, "echo fetched"]}
                  containers:
                  - {name: main, image: busybox, command: [sh, -c, "echo main says hi && sleep 30s"]}
                  - {name: sidecar, image: busybox, command: [sh, -c, "echo sidecar says hi && sleep 30s"]}

        """

    @Test func pickerChoosesTheContainerWhoseLogIsShown() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("picker-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig.yaml").path
        let tmux = try WatchInTmuxTests.Tmux(width: 120, height: 40,
                                             command: "\(Paths.binary) demo --speed 20 --write-kubeconfig \(kubeconfig)",
                                             environment: ["LANG": "C", "NO_COLOR": "1", "TERM": "xterm"])
        defer { tmux.kill() }
        #expect(tmux.waitFor("leading as", seconds: 60), "\(tmux.screen())")
        let file = directory.appendingPathComponent("multi.yaml").path
        try Self.manifest.write(toFile: file, atomically: true, encoding: .utf8)
        let applied = try run(Paths.kubectl()!, ["--kubeconfig", kubeconfig, "apply", "-f", file])
        #expect(applied.status == 0, "\(applied.err)")

        tmux.keys("/")
        tmux.keys("-l", "multi-container")
        tmux.keys("Enter")
        // The title counts the filtered rows: the flow is listed (the status line's "filter:
        // multi-container" shows before the flow reaches the UI, so it proves nothing).
        #expect(tmux.waitFor("(1 of "), "\(tmux.screen())")
        tmux.keys("Enter")
        // The entry's pod exists once it runs; then l asks which container.
        #expect(tmux.waitFor("multi-container-build-", seconds: 60), "\(tmux.screen())")
        tmux.keys("l")
        #expect(tmux.waitFor("Logs of which container?"), "\(tmux.screen())")
        let picker = tmux.screen()
        #expect(picker.contains("fetch  (init)") && picker.contains("> main") && picker.contains("sidecar"), "\(picker)")
        tmux.keys("j", "Enter")
        #expect(tmux.waitFor("sidecar says hi", seconds: 30), "\(tmux.screen())")
        let logs = tmux.screen()
        #expect(logs.contains("container sidecar") && !logs.contains("main says hi"), "\(logs)")
        tmux.keys("C-c")
        #expect(tmux.waitUntilGone("leading as"), "\(tmux.screen())")
    }
}
