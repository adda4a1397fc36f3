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
func run(_ executable: String, _ arguments: [String], stdin: String? = nil, timeout: Double = 60) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    if let stdin {
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        pipe.fileHandleForWriting.write(Data(stdin.utf8))
        try pipe.fileHandleForWriting.close()
    } else {
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
        Issue.record("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
    }
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         out: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                         err: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// A `jobflow-tui sandbox` process, started and waited for until it prints its kubeconfig.
final class SandboxProcess {
    let process = Process()
    let kubeconfig: String
    let auditLog: String
    let directory: URL
    let output: URL

    init(arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        kubeconfig = directory.appendingPathComponent("kubeconfig.yaml").path
        auditLog = directory.appendingPathComponent("audit.jsonl").path
        output = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stderr").path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["sandbox", "--write-kubeconfig", kubeconfig, "--audit-log", auditLog,
                             "--crds", Paths.root + "/deploy/crds"] + arguments
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

    /// Stops it with SIGTERM and returns its exit status.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
        return process.terminationStatus
    }
}

struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
