/// What a simulated container "does", derived deterministically from its `command` and `args`.
///
/// Nothing is executed. A tiny shell subset is interpreted into a timeline: log lines at offsets
/// from the container's start, and an exit code at `duration`. Times are unscaled (the kubelet
/// divides them by its speed factor).
///
/// Understood: `sh|bash|ash|dash|zsh -c SCRIPT` (also with a path such as `/bin/sh`); lists with
/// `&&`, `||`, `;`, `|` (run like `;`) and newlines; `sleep N[s|m|h|d]` (decimals, several
/// operands add up, `infinity` = the cap); `exit [N]`; `true`, `:`; `false`; `echo [-n|-e] …`;
/// `printf FORMAT …` (the format, `%s` filled, `\n` splits lines); `env`, `printenv [NAME…]`;
/// single and double quotes, backslash escapes, `$VAR`, `${VAR}`, `$?` and `$(VAR)` in the exec
/// form (the kubelet's own expansion). Every other command (`cat`, `ls`, `python …`) takes no
/// time and succeeds. No command at all (the image default) runs one second and exits 0.
/// Input is bounded: scripts beyond `maxScriptBytes` are cut, at most `maxSteps` commands run,
/// at most `maxLogLines` lines are logged, every `sleep` and the whole run are capped.
public struct ContainerProgram: Sendable, Hashable {
    /// A log line written `at` this offset from the container's start.
    public struct LogLine: Sendable, Hashable {
        /// Offset from the container's start.
        public var at: Duration
        /// The line, without its newline.
        public var text: String
        public init(at: Duration, text: String) {
            self.at = at
            self.text = text
        }
    }

    /// Log lines in time order.
    public var lines: [LogLine]
    /// When the container exits, from its start.
    public var duration: Duration
    /// Exit code, 0…255.
    public var exitCode: Int

    public init(lines: [LogLine], duration: Duration, exitCode: Int) {
        self.lines = lines
        self.duration = duration
        self.exitCode = exitCode
    }

    /// Scripts are cut at this many bytes.
    public static let maxScriptBytes = 64 * 1024
    /// At most this many commands run.
    public static let maxSteps = 10_000
    /// At most this many lines are logged.
    public static let maxLogLines = 5_000
    /// Longer lines are cut.
    public static let maxLineBytes = 16 * 1024
    /// The longest a container can run: 30 days (also what `sleep infinity` means).
    public static let maxDuration: Duration = .seconds(30 * 24 * 3600)

    /// The program of a container spec (`command`, `args` and `env` as in the Pod API).
    /// `env` values are expanded where the script refers to them.
    public static func derive(command: [String], args: [String], env: [String: String]) -> ContainerProgram {
        let argv = command + args
        guard !argv.isEmpty else {
            return ContainerProgram(lines: [], duration: .seconds(1), exitCode: 0)
        }
        if argv.count >= 3, isShell(argv[0]), let c = argv.firstIndex(of: "-c"), c + 1 < argv.count {
            var interpreter = ShellInterpreter(env: env)
            return interpreter.run(script: argv[c + 1])
        }
        if argv.count >= 2, isShell(argv[0]), argv.count == 2 || argv[1] != "-c" {
            // `sh script.sh`: a file we cannot see; treat as an unknown command.
            return ContainerProgram(lines: [], duration: .zero, exitCode: 0)
        }
        // Exec form: one simple command; `$(VAR)` is expanded as the kubelet does.
        let words = argv.prefix(maxSteps).map { expandKubeletReferences($0, env: env) }
        var interpreter = ShellInterpreter(env: env)
        interpreter.execute(words)
        return interpreter.result()
    }

    static func isShell(_ path: String) -> Bool {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return ["sh", "bash", "ash", "dash", "zsh", "ksh"].contains(base)
    }

    /// `$(VAR)` → value when defined, `$$(VAR)` → `$(VAR)`, anything else kept verbatim.
    static func expandKubeletReferences(_ s: String, env: [String: String]) -> String {
        guard s.contains("$(") else { return s }
        let chars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < chars.count {
            if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "$",
               i + 2 < chars.count, chars[i + 2] == "(" {
                out.append("$")
                i += 2
                continue
            }
            if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "(",
               let close = chars[(i + 2)...].firstIndex(of: ")") {
                let name = String(String.UnicodeScalarView(chars[(i + 2)..<close]))
                if let value = env[name] {
                    out.append(contentsOf: value.unicodeScalars)
                } else {
                    out.append(contentsOf: chars[i...close])
                }
                i = close + 1
                continue
            }
            out.append(chars[i])
            i += 1
        }
        return String(out)
    }
}
