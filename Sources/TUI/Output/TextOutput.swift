import Kube

/// Plain-text output for `jobflow-tui get`: the same tree as the UI, for scripts and CI logs.
public enum TextOutput {
    /// How to print: ASCII glyphs, ANSI colours (only when asked: never by default, never for
    /// NO_COLOR or a non-TTY — the caller decides), and the time ages are counted from.
    public struct Options: Sendable {
        public var ascii: Bool
        public var color: Bool
        public var now: Int64

        public init(ascii: Bool = false, color: Bool = false, now: Int64) {
            self.ascii = ascii
            self.color = color
            self.now = now
        }
    }

    /// Every JobFlow (as a tree) and DaemonJob (a line per node) of the snapshot, sorted by
    /// namespace and name, separated by blank lines. Ends with a newline unless empty.
    public static func renderTree(_ snapshot: ClusterSnapshot, options: Options) -> String {
        let g: GlyphSet = options.ascii ? .ascii : .unicode
        var blocks: [String] = []
        let flows = snapshot.jobFlows.map { (FlowRow(kind: .jobFlow, object: $0), $0) }
        let daemons = snapshot.daemonJobs.map { (FlowRow(kind: .daemonJob, object: $0), $0) }
        for (row, obj) in (flows + daemons).sorted(by: { $0.0.ref < $1.0.ref }) {
            var lines = [titleLine(row, g, options)]
            if row.ref.kind == .jobFlow {
                lines += flowLines(FlowTree(object: obj), g, options)
            } else {
                lines += daemonLines(DaemonJobModel(object: obj), g, options)
            }
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.isEmpty ? "" : blocks.joined(separator: "\n\n") + "\n"
    }

    /// `-o json` / `-o yaml`: a v1 List of the raw objects.
    public static func renderList(_ snapshot: ClusterSnapshot, yaml: Bool) -> String {
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(snapshot.jobFlows + snapshot.daemonJobs)]
        return yaml ? list.yamlString() : String(decoding: list.serialized(sortedKeys: true), as: UTF8.self) + "\n"
    }

    static func paint(_ text: String, _ p: Phase, _ o: Options) -> String {
        guard o.color else { return text }
        let code: String
        switch Theme.role(p) {
        case .ok: code = "32"
        case .running: code = "34;1"
        case .pending: code = "33"
        case .failed: code = "31;1"
        default: code = "2"
        }
        return "\u{1b}[\(code)m\(text)\u{1b}[0m"
    }

    static func pad(_ s: String, _ w: Int) -> String {
        let d = DisplayWidth.of(s)
        return d >= w ? s : s + String(repeating: " ", count: w - d)
    }

    static func titleLine(_ r: FlowRow, _ g: GlyphSet, _ o: Options) -> String {
        var parts = ["\(r.ref.kind.rawValue) \(r.displayNamespace)/\(r.displayName)",
                     paint("\(g.glyph(r.phase)) \(r.phase.word)", r.phase, o), "\(r.succeeded)/\(r.total)"]
        let d = Time.duration(start: r.started, end: r.completed, now: o.now)
        if !d.isEmpty { parts.append(d) }
        if !r.message.isEmpty { parts.append(r.message) }
        return parts.joined(separator: "  ")
    }

    static func flowLines(_ tree: FlowTree, _ g: GlyphSet, _ o: Options) -> [String] {
        let rows = tree.visibleRows(collapsed: [])
        let heads = rows.indices.map { i -> String in
            let r = rows[i]
            return rows.prefix(i, glyphs: g) + g.glyph(tree.entries[r.entry].phase) + " " + tree.entries[r.entry].displayName
        }
        let w0 = heads.map(DisplayWidth.of).max() ?? 0
        let nodeW = tree.entries.map { DisplayWidth.of($0.nodeName) }.max() ?? 0
        let podW = tree.entries.map { DisplayWidth.of($0.podName) }.max() ?? 0
        return zip(rows, heads).map { r, head in
            let e = tree.entries[r.entry]
            var cols = [paint(pad(head, w0), e.phase, o), pad(e.phase.word, 11),
                        pad(Time.duration(start: e.started, end: e.completed, now: o.now), 7)]
            if nodeW > 0 { cols.append(pad(e.nodeName, nodeW)) }
            if podW > 0 { cols.append(pad(e.podName, podW)) }
            cols.append(FlowView.info(tree, r.entry, glyphs: g))
            var line = cols.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    static func daemonLines(_ m: DaemonJobModel, _ g: GlyphSet, _ o: Options) -> [String] {
        let nodeW = (m.nodes.map { DisplayWidth.of($0.displayNode) } + m.skipped.map { DisplayWidth.of($0.node) }).max() ?? 0
        var lines: [String] = []
        for (k, n) in m.nodes.enumerated() {
            let last = k == m.nodes.count - 1 && m.skipped.isEmpty
            var extra: [String] = []
            if let code = n.exitCode { extra.append("exit \(code)") }
            if !n.reason.isEmpty { extra.append(n.reason) }
            if !n.message.isEmpty { extra.append(n.message) }
            var line = [(last ? g.corner : g.tee) + pad(n.displayNode, nodeW),
                        paint(pad("\(g.glyph(n.phase)) \(n.phase.word)", 14), n.phase, o),
                        pad(Time.duration(start: n.started, end: n.completed, now: o.now), 7),
                        n.jobName, extra.joined(separator: "; ")].joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        for (k, sk) in m.skipped.enumerated() {
            let last = k == m.skipped.count - 1
            lines.append((last ? g.corner : g.tee) + pad(sk.node, nodeW) + "  " + paint("\(g.glyph(.skipped)) skipped: \(sk.reason)", .skipped, o))
        }
        return lines
    }
}
