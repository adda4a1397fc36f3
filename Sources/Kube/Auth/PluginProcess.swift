import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one credential-plugin process to completion with stdin unconnected, collecting stdout and
/// stderr, and kills it (SIGKILL) when it outlives `timeout`. Foundation spawns the plugin as the
/// leader of a new process group, so the kill reaches whatever it started too.
///
/// Pipes are drained on Dispatch threads, never on the cooperative pool, so a plugin that writes
/// a lot cannot deadlock it and a slow plugin blocks no task threads.
enum PluginProcess {
    struct Output: Sendable {
        var exitStatus: Int32
        /// Killed by a signal rather than exiting.
        var signaled: Bool
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    enum Failure: Error, Sendable {
        case launch(String)
        case timedOut
    }

    static func run(executable: String, arguments: [String], environment: [String: String],
                    timeout: Duration, clock: any Clock<Duration>) async throws(Failure) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe

        let run = Run()
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            let signaled = finished.terminationReason == .uncaughtSignal
            run.update { $0.exit = (status, signaled) }
        }
        do {
            try process.run()
        } catch {
            throw .launch(Self.describe(error))
        }
        // `Process.run()` has closed our copies of the pipes' write ends, so the reads see end of
        // file once the plugin (and anything it started that inherited them) is gone.
        let pid = process.processIdentifier
        run.update { $0.pid = pid }

        drain(stdoutPipe.fileHandleForReading) { bytes in run.update { $0.stdout = bytes } }
        drain(stderrPipe.fileHandleForReading) { bytes in run.update { $0.stderr = bytes } }
        let timer = Task {
            try await clock.sleep(for: timeout)
            run.timeOut()
        }
        let outcome = await run.wait()
        timer.cancel()
        switch outcome {
        case .finished(let output): return output
        case .timedOut: throw .timedOut
        }
    }

    /// Plugin output beyond this is dropped (the pipe is still drained so the plugin can exit).
    static let outputLimit = 4 * 1024 * 1024

    private static func drain(_ handle: FileHandle, into store: @escaping @Sendable ([UInt8]) -> Void) {
        DispatchQueue.global().async {
            var collected: [UInt8] = []
            while true {
                let chunk = handle.availableData  // blocks until data or end of file
                if chunk.isEmpty { break }
                if collected.count < outputLimit { collected.append(contentsOf: chunk.prefix(outputLimit - collected.count)) }
            }
            try? handle.close()
            store(collected)
        }
    }

    private static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }

    /// The shared state of one run: filled by the termination handler, the two pipe readers and
    /// the timer; resumes the waiting task once, after releasing the lock.
    private final class Run: Sendable {
        enum Outcome: Sendable {
            case finished(Output)
            case timedOut
        }

        struct State {
            var pid: Int32?
            var exit: (status: Int32, signaled: Bool)?
            var stdout: [UInt8]?
            var stderr: [UInt8]?
            var timedOut = false
            var continuation: CheckedContinuation<Outcome, Never>?
            var delivered = false

            /// The outcome, once there is one and it has not been handed out.
            mutating func takeReady() -> (CheckedContinuation<Outcome, Never>, Outcome)? {
                guard !delivered, let continuation else { return nil }
                let outcome: Outcome
                if timedOut {
                    outcome = .timedOut
                } else if let exit, let stdout, let stderr {
                    outcome = .finished(Output(exitStatus: exit.status, signaled: exit.signaled, stdout: stdout, stderr: stderr))
                } else {
                    return nil
                }
                delivered = true
                self.continuation = nil
                return (continuation, outcome)
            }
        }

        private let state = Mutex(State())

        func update(_ change: (inout State) -> Void) {
            let ready = state.withLock { state in
                change(&state)
                return state.takeReady()
            }
            if let (continuation, outcome) = ready { continuation.resume(returning: outcome) }
        }

        /// Kills the process if it has not been seen to exit. The check and the kill share the lock
        /// with the termination handler, which leaves only the instant between the reap and the
        /// handler for a reused pid.
        func timeOut() {
            update { state in
                guard state.exit == nil, !state.delivered else { return }
                if let pid = state.pid, pid > 0 {
                    // The whole group first (children of a shell script), then the plugin itself in
                    // case it left the group.
                    kill(-pid, SIGKILL)
                    kill(pid, SIGKILL)
                }
                state.timedOut = true
            }
        }

        func wait() async -> Outcome {
            await withCheckedContinuation { continuation in
                update { $0.continuation = continuation }
            }
        }
    }
}
