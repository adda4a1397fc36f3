import Foundation
import Kube

/// A deliberately small renderer for the Go-template subset charts/jobflow-operator uses (Helm
/// is not installable here). Anything outside the subset is an error, so the chart cannot drift
/// into syntax these tests do not understand. The subset:
///
/// - `{{ .Values.a.b }}`, `{{ .Release.Namespace }}`, `{{ .Chart.AppVersion }}`: a value; a path
///   that does not exist is an error (Helm would print `<no value>`);
/// - `{{ X | quote }}`; `{{ toYaml X | nindent N }}` (and `indent N`);
/// - `{{ if X }}` / `{{ if not X }}` … `{{ else }}` … `{{ end }}` with Go's truthiness (false, 0,
///   "", null, empty list and map are false);
/// - `{{/* comments */}}` and the trim markers `{{-` / `-}}`.
struct ChartRenderer {
    struct RenderError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The data a template sees: `.Values`, `.Release`, `.Chart`.
    var root: JSONValue

    init(values: JSONValue, releaseNamespace: String, chart: JSONValue = .object([:])) {
        root = .object(["Values": values, "Release": .object(["Namespace": .string(releaseNamespace), "Name": "jobflow"]),
                        "Chart": chart])
    }

    // MARK: - Parsing

    indirect enum Node {
        case text(String)
        case output(String)
        case conditional(condition: String, then: [Node], otherwise: [Node])
    }

    enum Token {
        case text(String)
        case action(String)
    }

    /// Splits a template into text and actions, applying the trim markers.
    static func tokenize(_ template: String) throws -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(template)
        var trimNextLeading = false
        while let open = rest.range(of: "{{") {
            var text = String(rest[..<open.lowerBound])
            if trimNextLeading { text = String(text.drop { $0.isWhitespace }) }
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else {
                throw RenderError("unclosed {{")
            }
            var action = String(rest[open.upperBound..<close.lowerBound])
            if action.hasPrefix("-") {
                guard action.dropFirst().first?.isWhitespace == true else { throw RenderError("'{{-' must be followed by a space") }
                action.removeFirst()
                while text.last?.isWhitespace == true { text.removeLast() }
            }
            trimNextLeading = false
            if action.hasSuffix("-"), action.dropLast().last?.isWhitespace == true {
                action.removeLast()
                trimNextLeading = true
            }
            tokens.append(.text(text))
            tokens.append(.action(action.trimmingCharacters(in: .whitespacesAndNewlines)))
            rest = rest[close.upperBound...]
        }
        var tail = String(rest)
        if trimNextLeading { tail = String(tail.drop { $0.isWhitespace }) }
        tokens.append(.text(tail))
        return tokens
    }

    static func parse(_ template: String) throws -> [Node] {
        var tokens = try tokenize(template)[...]
        let (nodes, terminator) = try parseBlock(&tokens)
        guard terminator == nil else { throw RenderError("unexpected {{ \(terminator!) }}") }
        return nodes
    }

    /// Parses until `else`/`end` (returned) or the end of input (nil).
    private static func parseBlock(_ tokens: inout ArraySlice<Token>) throws -> ([Node], String?) {
        var nodes: [Node] = []
        while let token = tokens.popFirst() {
            switch token {
            case .text(let text):
                if !text.isEmpty { nodes.append(.text(text)) }
            case .action(let action):
                if action.hasPrefix("/*") {
                    guard action.hasSuffix("*/") else { throw RenderError("comment must end with */ before }}") }
                } else if action == "else" || action == "end" {
                    return (nodes, action)
                } else if action.hasPrefix("if ") {
                    let condition = String(action.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                    let (then, terminator) = try parseBlock(&tokens)
                    var otherwise: [Node] = []
                    if terminator == "else" {
                        let (elseNodes, end) = try parseBlock(&tokens)
                        guard end == "end" else { throw RenderError("if \(condition): missing end") }
                        otherwise = elseNodes
                    } else if terminator != "end" {
                        throw RenderError("if \(condition): missing end")
                    }
                    nodes.append(.conditional(condition: condition, then: then, otherwise: otherwise))
                } else {
                    nodes.append(.output(action))
                }
            }
        }
        return (nodes, nil)
    }

    // MARK: - Evaluation

    func render(_ template: String) throws -> String {
        try render(ChartRenderer.parse(template))
    }

    private func render(_ nodes: [Node]) throws -> String {
        var out = ""
        for node in nodes {
            switch node {
            case .text(let text): out += text
            case .output(let pipeline): out += try evaluate(pipeline)
            case .conditional(let condition, let then, let otherwise):
                out += try render(try isTrue(condition) ? then : otherwise)
            }
        }
        return out
    }

    func isTrue(_ condition: String) throws -> Bool {
        let words = condition.split(separator: " ").map(String.init)
        if words.count == 2, words[0] == "not" { return !ChartRenderer.truthy(try lookup(words[1])) }
        guard words.count == 1 else { throw RenderError("unsupported condition: \(condition)") }
        return ChartRenderer.truthy(try lookup(words[0]))
    }

    static func truthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    /// `.Values.a.b`, `.Release.Namespace`, `.Chart.X`: the value, or an error when absent.
    func lookup(_ path: String) throws -> JSONValue {
        guard path.hasPrefix(".") else { throw RenderError("unsupported operand: \(path)") }
        var value = root
        for key in path.dropFirst().split(separator: ".") {
            guard let next = value[String(key)] else { throw RenderError("\(path) is not defined") }
            value = next
        }
        return value
    }

    /// One pipeline: an operand or `toYaml OPERAND`, then `| quote`, `| nindent N`, `| indent N`.
    func evaluate(_ pipeline: String) throws -> String {
        let stages = pipeline.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        let first = stages[0].split(separator: " ").map(String.init)
        var text: String
        switch first.count {
        case 1: text = ChartRenderer.scalarText(try lookup(first[0]))
        case 2 where first[0] == "toYaml":
            let value = try lookup(first[1])
            text = value.yamlString()
            while text.hasSuffix("\n") { text.removeLast() }  // Helm's toYaml trims the trailing newline
        default: throw RenderError("unsupported expression: \(stages[0])")
        }
        for stage in stages.dropFirst() {
            let words = stage.split(separator: " ").map(String.init)
            switch (words.first, words.count) {
            case ("quote", 1):
                text = "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            case ("nindent", 2), ("indent", 2):
                guard let n = Int(words[1]) else { throw RenderError("\(stage): not a number") }
                let pad = String(repeating: " ", count: n)
                text = text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
                if words[0] == "nindent" { text = "\n" + text }
            default: throw RenderError("unsupported function: \(stage)")
            }
        }
        return text
    }

    static func scalarText(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "<no value>"
        case .array, .object: return value.serializedString(sortedKeys: true)
        }
    }

    /// Every `.Values.…` path the template mentions.
    static func valuePaths(in template: String) -> Set<String> {
        let withoutComments = template.replacing(/\/\*(?:.|\n)*?\*\//, with: "")
        let pattern = /\.Values((?:\.[A-Za-z0-9_]+)+)/
        return Set(withoutComments.matches(of: pattern).map { String($0.output.1.dropFirst()) })
    }
}

/// `base` with `overrides` merged in (maps merge recursively; anything else replaces).
func deepMerged(_ base: JSONValue, _ overrides: JSONValue) -> JSONValue {
    guard case .object(var merged) = base, case .object(let extra) = overrides else { return overrides }
    for (key, value) in extra { merged[key] = merged[key].map { deepMerged($0, value) } ?? value }
    return .object(merged)
}
