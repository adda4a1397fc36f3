#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Flags set by signal handlers. The handlers only store a flag and write one byte to a
/// self-pipe (both async-signal-safe); the runner's thread polls the pipe with the terminal, so
/// a resize or Ctrl-C is acted on at once whichever thread the kernel delivered the signal to.
public enum SignalFlags {
    static let terminate = Atomic<Bool>(false)
    static let resized = Atomic<Bool>(false)
    /// The self-pipe's ends; created once by `install()` and never closed, so a handler running
    /// on another thread can never write into a descriptor number that was reused.
    private static let pipeEnds = Atomic<Int64>(-1)

    /// The read end of the self-pipe (readable after a signal), or -1 before `install()`.
    public static var wakeDescriptor: Int32 {
        let both = pipeEnds.load(ordering: .acquiring)
        return both < 0 ? -1 : Int32(truncatingIfNeeded: both >> 32)
    }

    /// Installs SIGINT/SIGTERM/SIGHUP (→ terminate) and SIGWINCH (→ resized) handlers.
    public static func install() {
        if pipeEnds.load(ordering: .acquiring) < 0 {
            var fds: [Int32] = [0, 0]
            if pipe(&fds) == 0 {
                for fd in fds {
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                }
                let packed = (Int64(fds[0]) << 32) | Int64(UInt32(bitPattern: fds[1]))
                if !pipeEnds.compareExchange(expected: -1, desired: packed, ordering: .acquiringAndReleasing).exchanged {
                    close(fds[0])
                    close(fds[1])
                }
            }
        }
        let quit: @convention(c) (Int32) -> Void = { _ in
            SignalFlags.terminate.store(true, ordering: .relaxed)
            SignalFlags.poke()
        }
        let winch: @convention(c) (Int32) -> Void = { _ in
            SignalFlags.resized.store(true, ordering: .relaxed)
            SignalFlags.poke()
        }
        signal(SIGINT, quit)
        signal(SIGTERM, quit)
        signal(SIGHUP, quit)
        signal(SIGWINCH, winch)
    }

    /// Writes one byte to the self-pipe (async-signal-safe: an atomic load and write(2); errno kept).
    private static func poke() {
        let both = pipeEnds.load(ordering: .relaxed)
        guard both >= 0 else { return }
        let saved = errno
        var byte: UInt8 = 1
        _ = write(Int32(truncatingIfNeeded: both & 0xffff_ffff), &byte, 1)
        errno = saved
    }

    /// Empties the self-pipe (the flags say what happened).
    public static func drainWakeups() {
        let fd = wakeDescriptor
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fd, &buffer, buffer.count) > 0 {}
    }

    /// Reads and clears the terminate flag.
    public static func takeTerminate() -> Bool { terminate.exchange(false, ordering: .relaxed) }
    /// Reads and clears the resize flag.
    public static func takeResized() -> Bool { resized.exchange(false, ordering: .relaxed) }
}
