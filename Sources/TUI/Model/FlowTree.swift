import JobFlowAPI
import Kube

/// One flow entry as the tree shows it.
public struct TreeEntry: Sendable, Hashable {
    /// The raw entry name (used in retry/cancel annotations).
    public var name: String
    public var displayName: String
    public var dependencies: [String]
    public var phase: Phase
    /// The phase and reason as the API reads them (for the request rule); `reason` below is the
    /// sanitised word to draw.
    public var status: EntryPhase
    public var reasonCode: EntryReason?
    public var jobName: String
    public var podName: String
    public var nodeName: String
    public var reason: String
    public var message: String
    public var started: Int64?
    public var completed: Int64?
    public var attempts: Int
    public var exitCode: Int?
}

/// A JobFlow's DAG as a tree: every entry exactly once, under the first of its dependencies that
/// exists (or the root); the other dependencies are named on its line. Children keep spec order.
/// Entries caught in a dependency cycle are placed at the root so none is lost.
public struct FlowTree: Sendable {
    public var entries: [TreeEntry]
    /// Index of each entry's parent in `entries`, nil at the root.
    public var parent: [Int?]
    public var children: [[Int]]
    public var roots: [Int]
    public var index: [String: Int]
    /// What the tree was built from, so that the next version of the object reuses what did not
    /// change (see `init(object:previous:)`): the object's version, `spec.flows`, `status.jobs`,
    /// and for each entry the index of its item in `status.jobs`.
    var version: ObjectVersion
    var flowsSource: [JSONValue]
    var jobsSource: [JSONValue]
    var statusIndex: [Int?]
    /// Changes whenever entries, parents or children may have changed (rows built for one value
    /// stay valid while it is the same).
    var structure: Int

    public init(object o: JSONValue) { self.init(object: o, previous: nil) }

    /// The tree of `o`, reusing `previous` where it can: all of it when the object's version is the
    /// same, its shape and unchanged entries when only entries' status changed (the usual update),
    /// nothing otherwise. The result is always what building from scratch gives.
    init(object o: JSONValue, previous: FlowTree?) {
        let version = ObjectVersion(o)
        if let previous, version.provesUnchanged(previous.version) {
            self = previous
            return
        }
        let flows = o["spec"]?["flows"]?.arrayValue ?? []
        let jobs = o["status"]?["jobs"]?.arrayValue ?? []
        if let previous, let updated = previous.updating(flows: flows, jobs: jobs, version: version) {
            self = updated
            return
        }
        var entries: [TreeEntry] = []
        var index: [String: Int] = [:]
        var statusAt: [String: Int] = [:]
        for (k, j) in jobs.enumerated() {
            if let n = j["name"]?.stringValue { statusAt[n] = k }
        }
        var statusIndex: [Int?] = []
        func add(name: String, deps: [String]) {
            guard index[name] == nil else { return }
            let k = statusAt[name]
            index[name] = entries.count
            entries.append(FlowTree.entry(name: name, dependencies: deps, status: k.map { jobs[$0] }))
            statusIndex.append(k)
        }
        // Decoded only here, when the shape may have changed: the usual update reuses it.
        for f in JobFlowSpec.decode(o["spec"]).spec.flows { add(name: f.name, deps: f.dependencies) }
        for j in jobs {
            if let n = j["name"]?.stringValue { add(name: n, deps: []) }
        }
        var parent: [Int?] = entries.map { e in
            e.dependencies.lazy.compactMap { index[$0] }.first { $0 != index[e.name] }
        }
        var children = Array(repeating: [Int](), count: entries.count)
        for (i, p) in parent.enumerated() { if let p { children[p].append(i) } }
        // Walk from the roots; whatever is unreachable sits in a cycle: re-root it.
        var visited = Array(repeating: false, count: entries.count)
        var roots: [Int] = []
        func visit(_ start: Int) {
            var stack = [start]
            while let i = stack.popLast() {
                if visited[i] { continue }
                visited[i] = true
                stack.append(contentsOf: children[i].reversed())
            }
        }
        for i in entries.indices where parent[i] == nil { roots.append(i); visit(i) }
        for i in entries.indices where !visited[i] {
            if let p = parent[i] { children[p].removeAll { $0 == i } }
            parent[i] = nil
            roots.append(i)
            visit(i)
        }
        self.entries = entries
        self.parent = parent
        self.children = children
        self.roots = roots
        self.index = index
        self.version = version
        self.flowsSource = flows
        self.jobsSource = jobs
        self.statusIndex = statusIndex
        self.structure = (previous?.structure ?? 0) &+ 1
    }

    /// Dependencies other than the tree parent, with their phases ("needs job1 ✔ job2 ●").
    public func otherNeeds(_ i: Int) -> [(name: String, phase: Phase)] {
        let p = parent[i].map { entries[$0].name }
        return entries[i].dependencies.filter { $0 != p }.map { d in
            (Sanitizer.singleLine(d), index[d].map { entries[$0].phase } ?? .unknown(""))
        }
    }

    /// Why an entry that has not started yet waits ("" once it started).
    public func waitReason(_ i: Int) -> String {
        let e = entries[i]
        if e.phase == .skipped {
            return e.message.isEmpty ? (e.reason.isEmpty ? "skipped" : e.reason) : e.message
        }
        guard e.phase.isNotStarted else { return "" }
        // The operator's own sentence says it best ("waiting for job2", "JobTemplate t not found");
        // the UI works out what is unmet only when the operator said nothing.
        if !e.message.isEmpty { return e.message }
        var parts: [String] = []
        if !e.reason.isEmpty { parts.append(e.reason) }
        let unmet = e.dependencies.filter { d in index[d].map { entries[$0].phase != .succeeded } ?? true }
        if !unmet.isEmpty {
            parts.append("waits for " + unmet.map { Sanitizer.singleLine($0) }.joined(separator: ", "))
        } else if parts.isEmpty && e.phase == .pending {
            parts.append("Job created, pod not running yet")
        }
        return parts.joined(separator: "; ")
    }

    /// Entries that depend on `name`, directly or transitively, in spec order.
    public func dependents(of names: Set<String>) -> [String] {
        var result = Set<String>()
        var frontier = names
        while !frontier.isEmpty {
            var next = Set<String>()
            for e in entries where !result.contains(e.name) && !names.contains(e.name) {
                if e.dependencies.contains(where: frontier.contains) { next.insert(e.name) }
            }
            result.formUnion(next)
            frontier = next
        }
        return entries.map(\.name).filter(result.contains)
    }

    /// Count of entries per phase, problems first.
    public func summary() -> [(Phase, Int)] {
        var counts: [Phase: Int] = [:]
        for e in entries { counts[e.phase, default: 0] += 1 }
        return counts.sorted { $0.key.rank < $1.key.rank }.map { ($0.key, $0.value) }
    }

    /// The rows to draw, depth first, skipping the children of collapsed entries. O(n): a row
    /// refers to its parent row instead of copying its ancestors, so deep chains stay linear.
    public func visibleRows(collapsed: Set<String>) -> [TreeRow] {
        var rows: [TreeRow] = []
        rows.reserveCapacity(entries.count)
        // (entry, parent row, is last sibling, depth), pushed in reverse so pops keep spec order.
        var stack: [(Int, Int?, Bool, Int)] = roots.enumerated().reversed().map { ($0.element, nil, $0.offset == roots.count - 1, 0) }
        while let (i, parentRow, last, depth) = stack.popLast() {
            let folded = collapsed.contains(entries[i].name)
            rows.append(TreeRow(entry: i, parentRow: parentRow, depth: depth, isLast: last,
                                hasChildren: !children[i].isEmpty, isCollapsed: folded))
            if folded { continue }
            let me = rows.count - 1
            let kids = children[i]
            for (k, c) in kids.enumerated().reversed() { stack.append((c, me, k == kids.count - 1, depth + 1)) }
        }
        return rows
    }
}

/// One drawn line of the tree: which entry and what its guide lines look like.
public struct TreeRow: Sendable, Hashable {
    public var entry: Int
    /// Index of the parent's row in the same `visibleRows` array; nil at the root.
    public var parentRow: Int?
    public var depth: Int
    public var isLast: Bool
    public var hasChildren: Bool
    public var isCollapsed: Bool
}

extension Array where Element == TreeRow {
    /// The guide-line prefix of row `i`, e.g. "│  └─ ". Deep rows keep only the innermost guide
    /// columns that fit in `maxWidth` and start with the depth ("12›"), so names stay readable in
    /// big DAGs. Costs O(levels drawn), not O(depth).
    public func prefix(_ i: Int, glyphs g: GlyphSet, maxWidth: Int = .max) -> String {
        let row = self[i]
        let unit = DisplayWidth.of(g.pipe)
        var label = ""
        var keep = row.depth
        if (row.depth + 1) * unit > maxWidth {
            label = "\(row.depth + 1)\(g == .ascii ? ">" : "›")"
            keep = Swift.max(0, (maxWidth - DisplayWidth.of(label)) / unit - 1)
        }
        // Walk up `keep` ancestors; the innermost comes first, so build backwards.
        var levels: [Bool] = []
        var p = row.parentRow
        while let j = p, levels.count < keep {
            levels.append(self[j].isLast)
            p = self[j].parentRow
        }
        var s = label
        for last in levels.reversed() { s += last ? g.space : g.pipe }
        return s + (row.isLast ? g.corner : g.tee)
    }
}
