import Foundation
import Testing

/// The terminal UI re-lays itself out when its window is resized: tmux resizes the window under
/// `jobflow-tui watch` and the captured pane must match the new size with nothing left over
/// from the old layout.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "tmux is not installed"))
struct ResizeInTmuxTests {
    typealias Tmux = WatchInTmuxTests.Tmux

    /// The pane's rows (capture-pane prints every row, blank ones included).
    static func rows(_ screen: String) -> [Substring] {
        var rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        if rows.last == "" { rows.removeLast() }
        return rows
    }

    /// Waits (a liveness deadline only) until the screen satisfies `check`; returns the last screen.
    static func waitUntil(_ tmux: Tmux, seconds: Double = 20, _ check: (String) -> Bool) -> (Bool, String) {
        let deadline = Date().addingTimeInterval(seconds)
        var screen = tmux.screen()
        while Date() < deadline {
            if check(screen) { return (true, screen) }
            usleep(100_000)
            screen = tmux.screen()
        }
        return (check(screen), screen)
    }

    /// A full layout at width × height: header with the mode, the example flows, the footer key
    /// bar on the last row, nothing wider than the window.
    static func laidOut(_ screen: String, width: Int, height: Int) -> Bool {
        let rows = rows(screen)
        guard rows.count == height, rows.allSatisfy({ $0.unicodeScalars.count <= width }) else { return false }
        return rows[0].contains("read-only") && rows[height - 1].contains("Enter open") && rows[height - 1].contains("help")
            && screen.contains("jobflow-example") && !screen.contains("terminal too small")
    }

    @Test(arguments: [false, true])
    func relaysOutAtEverySize(plain: Bool) throws {
        let sandbox = try SandboxProcess(arguments: ["--apply", Paths.root + "/examples"])
        defer { _ = sandbox.stop() }
        let environment = plain ? ["LANG": "C", "NO_COLOR": "1", "TERM": "xterm"] : ["LANG": "C.UTF-8", "TERM": "xterm-256color"]
        let tmux = try Tmux(width: 120, height: 40, command: "\(Paths.binary) watch --kubeconfig \(sandbox.kubeconfig)",
                            environment: environment)
        defer { tmux.kill() }
        func resize(_ w: Int, _ h: Int) {
            _ = try? run("/usr/bin/tmux", ["resize-window", "-t", tmux.name, "-x", "\(w)", "-y", "\(h)"])
        }

        var (ok, screen) = Self.waitUntil(tmux, seconds: 60) { Self.laidOut($0, width: 120, height: 40) }
        #expect(ok, "120×40:\n\(screen)")
        // Wide layout: the kind column spells the kind out.
        #expect(screen.contains("JobFlow    jobflow-example"), "\(screen)")

        resize(80, 24)
        (ok, screen) = Self.waitUntil(tmux) { Self.laidOut($0, width: 80, height: 24) && $0.contains(" JF ") }
        #expect(ok, "80×24:\n\(screen)")
        // Nothing of the 120-column rows is left: the kind column is abbreviated on every row.
        #expect(!screen.contains("JobFlow  "), "leftover from the wide layout:\n\(screen)")

        resize(60, 20)
        (ok, screen) = Self.waitUntil(tmux) { $0.contains("terminal too small") }
        #expect(ok, "60×20:\n\(screen)")
        #expect(screen.contains(plain ? "need 80x24, have 60x20" : "need 80×24, have 60×20"), "\(screen)")
        let small = Self.rows(screen)
        #expect(small.count == 20)
        // Only the message: no header, rows or footer of the last layout.
        #expect(!screen.contains("jobflow-example") && !screen.contains("Enter open") && !screen.contains("read-only"),
                "leftover from the 80×24 layout:\n\(screen)")

        resize(200, 60)
        (ok, screen) = Self.waitUntil(tmux) { Self.laidOut($0, width: 200, height: 60) }
        #expect(ok, "200×60:\n\(screen)")
        let big = Self.rows(screen)
        // The full header (program name) and the whole key bar fit again.
        #expect(big.first?.contains("jobflow-tui") == true && big.last?.contains("q back/quit") == true, "\(screen)")
        if plain {
            #expect(!screen.unicodeScalars.contains { $0.value > 0x7F }, "ASCII only with LANG=C:\n\(screen)")
        }

        tmux.keys("q")
        #expect(tmux.waitUntilGone("read-only"), "\(tmux.screen())")
    }
}
