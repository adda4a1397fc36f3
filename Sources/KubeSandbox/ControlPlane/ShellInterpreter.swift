/// Interprets the shell subset `ContainerProgram` documents into a timeline. Never executes
/// anything and never traps: every input yields a program.
struct ShellInterpreter {
    enum Connector { case always, and, or }
    enum Token: Equatable {
        case word(String)
        case and, or, sequence
        case redirect(output: Bool)
    }

    var env: [String: String]
    private(set) var elapsed: Duration = .zero
    private(set) var status = 0
    private(set) var lines: [ContainerProgram.LogLine] = []
    private(set) var exited = false
    private var steps = 0

    init(env: [String: String]) { self.env = env }

    /// Runs a `sh -c` script.
    mutating func run(script: String) -> ContainerProgram {
        let bounded = script.utf8.count > ContainerProgram.maxScriptBytes
            ? String(decoding: script.utf8.prefix(ContainerProgram.maxScriptBytes), as: UTF8.self)
            : script
        let tokens = Self.tokenize(bounded, env: env)
        var words: [String] = []
        var redirected = false
        var skipNextWord = false
        var connector = Connector.always
        func flush(_ me: inout ShellInterpreter) {
            defer { words = []; redirected = false; skipNextWord = false }
            guard !words.isEmpty, !me.exited else { return }
            switch connector {
            case .and where me.status != 0: return
            case .or where me.status == 0: return
            default: me.execute(words, outputRedirected: redirected)
            }
        }
        for token in tokens {
            if exited || steps >= ContainerProgram.maxSteps { break }
            switch token {
            case .word(let w):
                if skipNextWord { skipNextWord = false } else { words.append(w) }
            case .redirect(let output):
                if output { redirected = true }
                skipNextWord = true
            case .and, .or, .sequence:
                let wasEmpty = words.isEmpty
                flush(&self)
                if !wasEmpty || token == .sequence {
                    connector = token == .and ? .and : token == .or ? .or : .always
                }
            }
        }
        flush(&self)
        return result()
    }

    func result() -> ContainerProgram {
        ContainerProgram(lines: lines, duration: min(elapsed, ContainerProgram.maxDuration), exitCode: status)
    }

    // MARK: - Commands

    /// Runs one simple command (already expanded words).
    mutating func execute(_ words: [String], outputRedirected: Bool = false) {
        steps += 1
        guard steps <= ContainerProgram.maxSteps, var name = words.first else { return }
        var operands = Array(words.dropFirst())
        // Leading assignments (`A=b cmd`) are accepted and ignored.
        while name.contains("="), !name.hasPrefix("="), !operands.isEmpty {
            name = operands.removeFirst()
        }
        if name.contains("="), !name.hasPrefix("=") { status = 0; return }
        let base = name.split(separator: "/").last.map(String.init) ?? name
        switch base {
        case "sleep": sleep(operands)
        case "exit":
            if let first = operands.first {
                if let n = Int(first) { status = ((n % 256) + 256) % 256 } else { status = 2 }
            }
            exited = true
        case "true", ":": status = 0
        case "false": status = 1
        case "echo":
            var args = operands[...]
            var newline = true, escapes = false
            while let flag = args.first, ["-n", "-e", "-E", "-ne", "-en"].contains(flag) {
                if flag.contains("n") { newline = false }
                if flag.contains("e") { escapes = true }
                args = args.dropFirst()
            }
            _ = newline
            var text = args.joined(separator: " ")
            if escapes { text = Self.interpretEscapes(text) }
            if !outputRedirected { log(text) }
            status = 0
        case "printf":
            guard let format = operands.first else { status = 2; return }
            var rest = operands.dropFirst()[...]
            var text = ""
            var chars = Substring(Self.interpretEscapes(format))
            while let c = chars.first {
                chars = chars.dropFirst()
                if c == "%", let spec = chars.first {
                    chars = chars.dropFirst()
                    if spec == "%" { text.append("%") } else { text += rest.first ?? ""; rest = rest.dropFirst() }
                } else {
                    text.append(c)
                }
            }
            if text.hasSuffix("\n") { text.removeLast() }
            if !outputRedirected, !text.isEmpty { log(text) }
            status = 0
        case "env", "printenv":
            if base == "printenv", !operands.isEmpty {
                var missing = false
                for key in operands {
                    if let v = env[key] { if !outputRedirected { log(v) } } else { missing = true }
                }
                status = missing ? 1 : 0
            } else {
                if !outputRedirected {
                    for key in env.keys.sorted() { log("\(key)=\(env[key]!)") }
                }
                status = 0
            }
        default:
            status = 0  // cat, ls, unknown programs: instant success
        }
    }

    private mutating func sleep(_ operands: [String]) {
        guard !operands.isEmpty else {
            log("sleep: missing operand")
            status = 1
            return
        }
        var total = 0.0
        for operand in operands {
            guard let seconds = Self.parseSleep(operand) else {
                log("sleep: invalid time interval '\(operand)'")
                status = 1
                return
            }
            total += seconds
        }
        let capSeconds = Double(ContainerProgram.maxDuration.components.seconds)
        let remaining = max(0, capSeconds - Self.seconds(elapsed))
        let s = min(total, remaining)
        elapsed += .nanoseconds(Int64((s * 1e9).rounded()))
        status = 0
    }

    /// `10`, `1.5`, `10s`, `2m`, `1h`, `1d`, `infinity` → seconds; `nil` when invalid.
    static func parseSleep(_ text: String) -> Double? {
        if text == "infinity" || text == "inf" { return Double(ContainerProgram.maxDuration.components.seconds) }
        var number = Substring(text)
        var unit = 1.0
        if let last = number.last, last.isLetter {
            switch last {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            default: return nil
            }
            number = number.dropLast()
        }
        guard !number.isEmpty, number.count < 32,
              number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(number), value.isFinite, value >= 0 else { return nil }
        return min(value * unit, Double(ContainerProgram.maxDuration.components.seconds))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private mutating func log(_ text: String) {
        for piece in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard lines.count < ContainerProgram.maxLogLines else { return }
            var line = String(piece)
            if line.utf8.count > ContainerProgram.maxLineBytes {
                line = String(decoding: line.utf8.prefix(ContainerProgram.maxLineBytes), as: UTF8.self)
            }
            lines.append(.init(at: elapsed, text: line))
        }
    }

    static func interpretEscapes(_ s: String) -> String {
        var out = ""
        var chars = Substring(s)
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "\\", let next = chars.first else { out.append(c); continue }
            chars = chars.dropFirst()
            switch next {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "\\": out.append("\\")
            default: out.append("\\"); out.append(next)
            }
        }
        return out
    }
}
