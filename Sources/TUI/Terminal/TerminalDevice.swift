/// Input from the terminal.
public enum TerminalInput: Sendable, Hashable {
    case key(Key)
    case resized(width: Int, height: Int)
}

/// What the runner needs from a terminal. `NcursesTerminal` is the real one; tests use a recording
/// fake. All methods except `wake()` are called from the runner's one thread only.
public protocol TerminalDevice: AnyObject, Sendable {
    /// Takes over the screen; returns its size.
    func start() throws -> (width: Int, height: Int)
    /// Waits up to `timeoutMs` (or until `wake()`) for one input; nil when nothing arrived.
    func readInput(timeoutMs: Int) -> TerminalInput?
    /// Draws changed cells; `full` means the screen must be cleared first (size changed).
    func draw(_ runs: [GridRun], full: Bool)
    /// Gives the terminal back (endwin). Safe to call more than once.
    func restore()
    /// Interrupts a `readInput` wait from any thread (a mailbox got work).
    func wake()
}

/// Errors starting the terminal.
public enum TerminalError: Error, Sendable, CustomStringConvertible {
    case notATerminal
    case initFailed(String)

    public var description: String {
        switch self {
        case .notATerminal: "standard input/output is not a terminal; use `jobflow-tui get` for plain output"
        case .initFailed(let why): "cannot start the terminal UI: \(why)"
        }
    }
}
