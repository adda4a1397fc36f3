import Foundation
import JobFlowAPI
import Testing

/// The API's words are spelled in JobFlowAPI and nowhere else: outside it, no Swift source
/// writes a phase, state, reason, condition word, policy or `api.practice.com` key as a string
/// literal. Kubernetes' own words have their constants in Kube (`KubernetesWords`); Kube and the
/// sandbox implement Kubernetes, not our API, and are not scanned; EmbeddedManifests.swift is
/// generated from deploy/.
@Suite struct SpellingOwnershipTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scanned = ["Orchestrator", "TUI", "jobflow-tui", "jobflow-bench", "OperatorEndpoints"]
    static let generated: Set<String> = ["EmbeddedManifests.swift"]

    static var words: Set<String> {
        var all = Set<String>()
        func add<W: WireWord>(_ type: W.Type) { all.formUnion(W.known.map(\.rawValue)) }
        add(EntryPhase.self); add(FlowState.self); add(EntryReason.self); add(SkipReason.self)
        add(EventReason.self); add(FindingReason.self); add(ConditionType.self); add(ConditionReason.self)
        all.formUnion([FailurePolicy.continue.rawValue, FailurePolicy.failFast.rawValue])
        all.formUnion(CustomKind.allCases.map(\.rawValue))
        return all
    }

    /// Every string literal of one line of code (comments dropped), with naive escape handling:
    /// enough for this codebase's sources, which the test reads, not arbitrary Swift.
    static func literals(in line: String) -> [String] {
        let code = line.trimmingCharacters(in: .whitespaces)
        if code.hasPrefix("//") { return [] }
        var result: [String] = []
        var current: String?
        var escaped = false
        for ch in code {
            if var s = current {
                if escaped { escaped = false; s.append(ch); current = s; continue }
                if ch == "\\" { escaped = true; s.append(ch); current = s; continue }
                if ch == "\"" { result.append(s); current = nil; continue }
                s.append(ch)
                current = s
            } else if ch == "\"" {
                current = ""
            }
        }
        return result
    }

    static func offenders() throws -> [String] {
        let words = Self.words
        var found: [String] = []
        for module in scanned {
            let dir = root.appendingPathComponent("Sources/\(module)")
            guard let files = FileManager.default.enumerator(atPath: dir.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") && !generated.contains((file as NSString).lastPathComponent) {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    for literal in literals(in: String(line)) where words.contains(literal) || literal.contains(APIGroup.name) {
                        found.append("Sources/\(module)/\(file):\(n + 1): \"\(literal)\"")
                    }
                }
            }
        }
        return found.sorted()
    }

    @Test func noAPIWordIsSpelledOutsideTheModule() throws {
        let found = try Self.offenders()
        #expect(found.isEmpty, "use the JobFlowAPI value instead of a literal:\n\(found.joined(separator: "\n"))")
    }

    @Test func theScanFindsALiteralWhenThereIsOne() {
        #expect(Self.literals(in: #"  if phase == "Succeed" { x = "a\"b" }"#) == ["Succeed", #"a\"b"#])
        #expect(Self.literals(in: #"  /// "Succeed" in a comment"#).isEmpty)
        #expect(Self.words.isSuperset(of: ["Succeed", "Skipped", "FailFast", "UpstreamFailed", "Valid", "JobFlow"]))
    }
}
