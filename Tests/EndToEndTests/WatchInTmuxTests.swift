import Foundation
import Testing

/// The terminal UI in a real terminal (tmux), attached read-only to `jobflow-tui sandbox`.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "tmux is not installed"))
struct WatchInTmuxTests {
    /// A tmux session running one command; the screen is read with capture-pane.
    struct Tmux {
        let name = "jf-e2e-\(UUID().uuidString.prefix(8))"

        init(width: Int, height: Int, command: String, environment: [String: String] = [:]) throws {
            let env = environment.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let r = try run("/usr/bin/tmux", ["new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-s", name,
                                               "env \(env) \(command); sleep 30"])
            if r.status != 0 { throw CommandError("tmux: \(r.err)") }
        }

        func screen() -> String { (try? run("/usr/bin/tmux", ["capture-pane", "-p", "-t", name]).out) ?? "" }

        func keys(_ keys: String...) { _ = try? run("/usr/bin/tmux", ["send-keys", "-t", name] + keys) }

        /// Waits (up to a deadline, for liveness only) until the screen contains `text`.
        func waitFor(_ text: String, seconds: Double = 30) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if screen().contains(text) { return true }
                usleep(100_000)
            }
            return false
        }

        /// Waits until the screen no longer contains `text`.
        func waitUntilGone(_ text: String, seconds: Double = 20) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if !screen().contains(text) { return true }
                usleep(100_000)
            }
            return false
        }

        func kill() { _ = try? run("/usr/bin/tmux", ["kill-session", "-t", name]) }
    }

    @Test(arguments: [(120, 40, false), (80, 24, true)])
    func watchShowsFlowsRefusesActionsAndNeverWrites(width: Int, height: Int, plain: Bool) throws {
        let sandbox = try SandboxProcess(arguments: ["--apply", Paths.root + "/examples"])
        defer { _ = sandbox.stop() }
        let environment = plain ? ["LANG": "C", "NO_COLOR": "1", "TERM": "xterm"] : ["LANG": "C.UTF-8", "TERM": "xterm-256color"]
        let tmux = try Tmux(width: width, height: height,
                            command: "\(Paths.binary) watch --kubeconfig \(sandbox.kubeconfig)", environment: environment)
        defer { tmux.kill() }
        // The examples listed (names may be abbreviated at 80 columns).
        #expect(tmux.waitFor("jobflow-example", seconds: 60), "\(tmux.screen())")
        let overview = tmux.screen()
        #expect(overview.contains("read-only"))
        #expect(overview.contains("no operator running"))
        #expect(overview.contains("jobflow-example"))
        if plain {
            #expect(!overview.contains("○") && !overview.contains("░"), "ASCII in a non-UTF-8 locale:\n\(overview)")
        }
        // Open the first JobFlow, try to retry: refused with the reason.
        tmux.keys("Down", "Enter")
        #expect(tmux.waitFor("job5"), "\(tmux.screen())")
        tmux.keys("r")
        #expect(tmux.waitFor("read-only"), "\(tmux.screen())")
        tmux.keys("q", "q")
        // q leaves the flow, q again quits: the UI is gone and the terminal is back.
        #expect(tmux.waitUntilGone("no operator running"), "\(tmux.screen())")

        let audit = (try? String(contentsOfFile: sandbox.auditLog, encoding: .utf8)) ?? ""
        let entries = audit.split(separator: "\n").filter { $0.contains("\"userAgent\":\"jobflow-tui") }
        #expect(!entries.isEmpty, "the watch made no requests at all?")
        let writes = entries.filter { line in ["create", "update", "patch", "delete"].contains { line.contains("\"verb\":\"\($0)\"") } }
        #expect(writes.isEmpty, "watch mode wrote: \(writes)")
    }
}
