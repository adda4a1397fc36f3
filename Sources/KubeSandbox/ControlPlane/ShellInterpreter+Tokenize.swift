extension ShellInterpreter {
    /// Splits a script into words (quotes removed, variables expanded) and operators.
    /// Unbalanced quotes end at the end of the script; unknown syntax becomes words.
    static func tokenize(_ script: String, env: [String: String]) -> [Token] {
        let chars = Array(script)
        var tokens: [Token] = []
        var word = ""
        var inWord = false
        var i = 0
        func endWord() {
            if inWord { tokens.append(.word(word)) }
            word = ""
            inWord = false
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "\t", "\r":
                endWord()
                i += 1
            case "\n", ";":
                endWord()
                tokens.append(.sequence)
                i += 1
            case "&":
                endWord()
                if i + 1 < chars.count, chars[i + 1] == "&" {
                    tokens.append(.and)
                    i += 2
                } else {
                    tokens.append(.sequence)  // background jobs run in sequence here
                    i += 1
                }
            case "|":
                endWord()
                if i + 1 < chars.count, chars[i + 1] == "|" {
                    tokens.append(.or)
                    i += 2
                } else {
                    tokens.append(.sequence)  // a pipe runs both sides, one after the other
                    i += 1
                }
            case ">", "<":
                // `2>&1`, `>> file`, `< in`: the fd number before it is dropped, so is the target.
                if inWord, word.allSatisfy(\.isNumber) { word = ""; inWord = false }
                endWord()
                i += 1
                while i < chars.count, chars[i] == ">" || chars[i] == "&" { i += 1 }
                if i < chars.count, chars[i].isNumber, chars[i - 1] == "&" {
                    while i < chars.count, chars[i].isNumber { i += 1 }  // `2>&1`: no target, output still logged
                } else {
                    tokens.append(.redirect(output: c == ">"))
                }
            case "#" where !inWord:
                while i < chars.count, chars[i] != "\n" { i += 1 }
            case "'":
                inWord = true
                i += 1
                while i < chars.count, chars[i] != "'" { word.append(chars[i]); i += 1 }
                i += 1
            case "\"":
                inWord = true
                i += 1
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count, "$\"\\`".contains(chars[i + 1]) {
                        word.append(chars[i + 1])
                        i += 2
                    } else if chars[i] == "$" {
                        i = expand(chars, at: i, env: env, into: &word)
                    } else {
                        word.append(chars[i])
                        i += 1
                    }
                }
                i += 1
            case "\\":
                inWord = true
                if i + 1 < chars.count {
                    if chars[i + 1] != "\n" { word.append(chars[i + 1]) }
                    i += 2
                } else {
                    i += 1
                }
            case "$":
                inWord = true
                i = expand(chars, at: i, env: env, into: &word)
            default:
                inWord = true
                word.append(c)
                i += 1
            }
        }
        endWord()
        return tokens
    }

    /// Expands `$NAME`, `${NAME}` or `${NAME:-default}` starting at `i` (a `$`); returns the index
    /// after it. Anything else leaves the `$` as text. Unset variables expand to nothing.
    static func expand(_ chars: [Character], at start: Int, env: [String: String], into word: inout String) -> Int {
        var i = start + 1
        func isNameChar(_ c: Character, first: Bool) -> Bool {
            c.isASCII && (c.isLetter || c == "_" || (!first && c.isNumber))
        }
        if i < chars.count, chars[i] == "{" {
            guard let close = chars[(i + 1)...].firstIndex(of: "}") else {
                word.append("$")
                return start + 1
            }
            let inner = String(chars[(i + 1)..<close])
            if let range = inner.range(of: ":-") {
                let name = String(inner[..<range.lowerBound])
                let fallback = String(inner[range.upperBound...])
                let value = env[name] ?? ""
                word += value.isEmpty ? fallback : value
            } else {
                word += env[inner] ?? ""
            }
            return close + 1
        }
        guard i < chars.count, isNameChar(chars[i], first: true) else {
            word.append("$")
            return start + 1
        }
        var name = ""
        while i < chars.count, isNameChar(chars[i], first: name.isEmpty) {
            name.append(chars[i])
            i += 1
        }
        word += env[name] ?? ""
        return i
    }
}
