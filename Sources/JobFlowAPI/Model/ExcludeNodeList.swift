/// `spec.excludeNodeList` parsed tolerantly: comma-separated, whitespace trimmed, empty items and
/// duplicates dropped (and noted).
public struct ExcludeNodeList: Sendable, Hashable {
    /// The node names, in first-seen order, without duplicates.
    public var names: [String]
    /// Empty items and duplicates, as warnings.
    public var notes: [Finding]

    public init(parsing text: String?, path: String = "spec.excludeNodeList") {
        names = []
        notes = []
        guard let text else { return }
        for (i, raw) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let name = raw.trimmingCharacters(in: " \t\r\n")
            if name.isEmpty {
                if text.trimmingCharacters(in: " \t\r\n").isEmpty { continue }
                notes.append(Finding(.warning, reason: FindingReason.excludeNodeList, path: path, message: "item \(i + 1) is empty"))
            } else if names.contains(name) {
                notes.append(Finding(.warning, reason: FindingReason.excludeNodeList, path: path, message: "node \(DNSName.quoted(name)) is listed more than once"))
            } else {
                names.append(name)
            }
        }
    }

    public func contains(_ node: String) -> Bool { names.contains(node) }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = self[...]
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String { self[...].trimmingCharacters(in: set) }
}
