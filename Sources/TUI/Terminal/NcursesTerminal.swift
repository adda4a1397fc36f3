#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcurses
import Synchronization

/// Terminal settings saved before curses starts, for the crash handler. Written once on the
/// runner's thread before any crash handler is installed, read only by that handler.
nonisolated(unsafe) private var savedTermios = termios()
private let cursesActive = Atomic<Bool>(false)
private let atexitInstalled = Atomic<Bool>(false)
private let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

/// Restores the terminal from a crash signal without calling curses (not async-signal-safe):
/// the saved termios via tcsetattr and a fixed reset sequence via write, then the default
/// action re-raised so the crash still dumps/exits as it would.
private let crashHandler: @convention(c) (Int32) -> Void = { sig in
    if cursesActive.load(ordering: .relaxed) {
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTermios)
        // Leave the alternate screen, show the cursor, reset attributes.
        let reset: [UInt8] = Array("\u{1b}[?1049l\u{1b}[?25h\u{1b}[0m\r\n".utf8)
        reset.withUnsafeBytes { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
    signal(sig, SIG_DFL)
    raise(sig)
}

/// The only code that calls ncurses. Every method but `wake()` must be called from the runner's
/// one thread.
///
/// `@unchecked Sendable`: curses state is global and touched only from the runner thread (the
/// runner owns the only reference it draws with); `wake()`, the one cross-thread entry, only
/// writes a byte to a pipe, which is thread-safe.
public final class NcursesTerminal: TerminalDevice, @unchecked Sendable {
    private let theme: Theme
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var pairs: [ColorRole: Int16] = [:]
    private var colorsOn = false

    public init(theme: Theme) {
        self.theme = theme
    }

    public func start() throws -> (width: Int, height: Int) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }
        setlocale(LC_ALL, "")
        _ = tcgetattr(STDIN_FILENO, &savedTermios)
        var fds: [Int32] = [0, 0]
        if pipe(&fds) == 0 {
            wakeRead = fds[0]
            wakeWrite = fds[1]
            _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
            _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        }
        guard initscr() != nil else { throw TerminalError.initFailed("initscr failed (is TERM set?)") }
        cursesActive.store(true, ordering: .relaxed)
        if !atexitInstalled.exchange(true, ordering: .relaxed) {
            atexit { if cursesActive.exchange(false, ordering: .relaxed) { endwin() } }
        }
        for sig in crashSignals { signal(sig, crashHandler) }
        _ = SignalFlags.takeTerminate()   // a flag left from an earlier run must not end this one
        _ = SignalFlags.takeResized()
        SignalFlags.install()   // after initscr: ours replaces curses' SIGWINCH handler
        cbreak()
        noecho()
        nonl()
        keypad(jf_stdscr(), true)
        _ = set_escdelay(25)
        curs_set(0)
        if theme.colorMode != .monochrome && has_colors() {
            start_color()
            use_default_colors()
            let mode: ColorMode = jf_colors() >= 256 && theme.colorMode == .full256 ? .full256 : .basic8
            let palette = Theme(glyphs: theme.glyphs, colorMode: mode)
            for role in ColorRole.allCases {
                let n = Int16(role.rawValue) + 1
                init_pair(n, palette.foreground(role) ?? -1, -1)
                pairs[role] = n
            }
            colorsOn = true
        }
        return (Int(jf_cols()), Int(jf_lines()))
    }

    /// The size after a SIGWINCH, with curses told about it.
    public func pollSignals() -> SignalEvent? {
        if SignalFlags.takeTerminate() { return .terminate }
        if SignalFlags.takeResized() {
            var rows: Int32 = 0, cols: Int32 = 0
            if jf_winsize(STDOUT_FILENO, &rows, &cols) == 0 && rows > 0 && cols > 0 {
                resize_term(rows, cols)
            }
            return .resized(width: Int(jf_cols()), height: Int(jf_lines()))
        }
        return nil
    }

    public func readInput(timeoutMs: Int) -> TerminalInput? {
        if let key = readKeyNow() { return key }
        // stdin, the runner's wake pipe, and the signal self-pipe (a SIGWINCH or Ctrl-C delivered
        // to another thread still ends the wait at once); a descriptor of -1 is ignored by poll.
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: SignalFlags.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        let n = poll(&fds, 3, Int32(timeoutMs))
        guard n > 0 else { return nil }   // timeout, or EINTR from a signal: the runner polls flags
        if fds[1].revents != 0 {
            var buf = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &buf, buf.count) > 0 {}
        }
        if fds[2].revents != 0 { SignalFlags.drainWakeups() }   // the runner reads the flags next turn
        return fds[0].revents != 0 ? readKeyNow() : nil
    }

    private func readKeyNow() -> TerminalInput? {
        wtimeout(jf_stdscr(), 0)
        var ch: wint_t = 0
        let r = wget_wch(jf_stdscr(), &ch)
        if r == jf_err() { return nil }
        let code = Int32(bitPattern: UInt32(ch))
        if r == jf_key_code_yes() {
            switch code {
            case jf_key_resize(): return .resized(width: Int(jf_cols()), height: Int(jf_lines()))
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            default: return nil
            }
        }
        switch code {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(UInt8(96 + code)))))
        default:
            guard let s = Unicode.Scalar(UInt32(code)), code >= 32 else { return nil }
            return .key(.char(Character(s)))
        }
    }

    public func draw(_ runs: [GridRun], full: Bool) {
        let win = jf_stdscr()
        if full {
            werase(win)
            // After a resize the terminal itself may have moved text around (tmux and xterm keep
            // the bottom rows when a window gets shorter), which curses does not know about: it
            // would skip cells it believes blank and leave the old footer on screen. Repaint all.
            clearok(win, true)
        }
        var wcs = [wchar_t](repeating: 0, count: 6)
        for run in runs {
            var x = run.x
            for cell in run.cells {
                defer { x += 1 }
                if cell.width == 0 { continue }
                var k = 0
                for s in cell.text.unicodeScalars where k < 5 {
                    wcs[k] = wchar_t(bitPattern: s.value)
                    k += 1
                }
                if k == 0 { wcs[0] = 32; k = 1 }
                wcs[k] = 0
                _ = jf_put_cell(win, Int32(run.y), Int32(x), wcs, attributes(cell.style), colorsOn ? pairs[cell.style.role] ?? 0 : 0)
            }
        }
        wnoutrefresh(win)
        doupdate()
    }

    private func attributes(_ s: Style) -> attr_t {
        var a = jf_a_normal()
        if s.bold { a |= jf_a_bold() }
        if s.reverse { a |= jf_a_reverse() }
        if s.dim { a |= jf_a_dim() }
        if s.underline { a |= jf_a_underline() }
        return a
    }

    public func restore() {
        if cursesActive.exchange(false, ordering: .relaxed) {
            curs_set(1)
            endwin()
            // The UI is gone: signals behave as usual again.
            for sig in crashSignals + [SIGINT, SIGTERM, SIGHUP, SIGWINCH] { signal(sig, SIG_DFL) }
        }
        if wakeRead >= 0 { close(wakeRead); wakeRead = -1 }
        if wakeWrite >= 0 { close(wakeWrite); wakeWrite = -1 }
    }

    public func wake() {
        let fd = wakeWrite
        guard fd >= 0 else { return }
        var b: UInt8 = 1
        _ = write(fd, &b, 1)
    }
}
