#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Flags set by signal handlers. The handlers do nothing else (an atomic store is
/// async-signal-safe); the runner's thread polls the flags and acts.
public enum SignalFlags {
    static let terminate = Atomic<Bool>(false)
    static let resized = Atomic<Bool>(false)

    /// Installs SIGINT/SIGTERM/SIGHUP (→ terminate) and SIGWINCH (→ resized) handlers.
    public static func install() {
        let quit: @convention(c) (Int32) -> Void = { _ in SignalFlags.terminate.store(true, ordering: .relaxed) }
        let winch: @convention(c) (Int32) -> Void = { _ in SignalFlags.resized.store(true, ordering: .relaxed) }
        signal(SIGINT, quit)
        signal(SIGTERM, quit)
        signal(SIGHUP, quit)
        signal(SIGWINCH, winch)
    }

    /// Reads and clears the terminate flag.
    public static func takeTerminate() -> Bool { terminate.exchange(false, ordering: .relaxed) }
    /// Reads and clears the resize flag.
    public static func takeResized() -> Bool { resized.exchange(false, ordering: .relaxed) }
}
