import Foundation
import Testing

/// Paths of the checkout and the binaries the end-to-end tests drive.
enum Paths {
    /// The repository root (this file is Tests/EndToEndTests/Support.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The jobflow-tui binary SwiftPM built for this test run.
    static var binary: String {
        let candidates = [".build/debug/jobflow-tui", ".build/release/jobflow-tui"].map { root + "/" + $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    static func kubectl(_ version: String? = nil) -> String? {
        let base = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/kubectl" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let base else { return nil }
        guard let version else { return base }
        let real = URL(fileURLWithPath: base).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("kubectl.\(version)").path
        return FileManager.default.isExecutableFile(atPath: real) ? real : nil
    }
}

/// The result of a finished command.
struct CommandResult {
    var status: Int32
    var out: String
    var err: String
}

/// Runs a command to completion with a deadline (a hung command is killed and fails the test).
/// Uses posix_spawn and waitpid directly: Foundation's Process can wait forever on Linux when a
/// child daemonizes (tmux starts its server that way).
func run(_ executable: String, _ arguments: [String], stdin: String? = nil, timeout: Double = 60) throws -> CommandResult {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let inPath = dir.appendingPathComponent("in").path, outPath = dir.appendingPathComponent("out").path
    let errPath = dir.appendingPathComponent("err").path
    try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inPath))

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin == nil ? "/dev/null" : inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw CommandError("cannot run \(executable): \(String(cString: strerror(spawned)))") }

    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() >= deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            Issue.record("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
            break
        }
        usleep(10_000)
    }
    let exited = (status & 0x7f) == 0
    return CommandResult(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
                         out: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         err: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// A `jobflow-tui sandbox` process, started and waited for until it prints its kubeconfig.
final class SandboxProcess {
    let process = Process()
    let kubeconfig: String
    let auditLog: String
    let directory: URL
    let output: URL

    /// `embeddedCRDs`: start it outside the checkout without `--crds`, so it must use the CRDs
    /// built into the binary.
    init(arguments: [String] = [], embeddedCRDs: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        kubeconfig = directory.appendingPathComponent("kubeconfig.yaml").path
        auditLog = directory.appendingPathComponent("audit.jsonl").path
        output = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stderr").path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["sandbox", "--write-kubeconfig", kubeconfig, "--audit-log", auditLog]
            + (embeddedCRDs ? [] : ["--crds", Paths.root + "/deploy/crds"]) + arguments
        if embeddedCRDs { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if ((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains("kubeconfig: ") { return }
            if !process.isRunning { break }
            usleep(50_000)
        }
        throw CommandError("the sandbox did not print its kubeconfig: \((try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "")")
    }

    var stdout: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Stops it with SIGTERM and returns its exit status (see `terminate(_:)`).
    func stop() -> Int32 {
        let status = terminate(process)
        try? FileManager.default.removeItem(at: directory)
        return status
    }
}

struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Sends SIGTERM and returns the exit status; -9 if the process was still running 30 s later and
/// had to be killed. (Foundation's `waitUntilExit` would spin a core for as long as the child
/// lives, starving every other test, so this polls with a deadline instead.)
func terminate(_ process: Process) -> Int32 {
    if process.isRunning { process.terminate() }
    let deadline = Date().addingTimeInterval(30)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    guard process.isRunning else { return process.terminationStatus }
    kill(process.processIdentifier, SIGKILL)
    while process.isRunning { usleep(20_000) }
    return -9
}
