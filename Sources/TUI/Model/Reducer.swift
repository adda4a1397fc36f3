import JobFlowAPI
import Kube

/// The message shown instead of carrying out a mutating action in read-only (watch) mode.
public let readOnlyMessage = "read-only: attached to a cluster operator; use `jobflow-tui operator` or kubectl annotate …"

/// The app's only state transition: an event in, the new state and the effects to perform out.
/// Pure: no I/O, no clock, no globals.
public func reduce(_ state: AppState, _ event: AppEvent) -> (AppState, [Effect]) {
    var s = state
    var effects: [Effect] = []
    switch event {
    case .resized(let w, let h):
        s.width = max(0, w)
        s.height = max(0, h)
    case .tick(let now):
        s.now = now
        for request in s.pending where !request.seen && now - request.since > 60 {
            s.settled(request, text: "\(request.action == .retry ? "retry" : "cancel") of \(s.describe(request.target)) not carried out within 60 s: is an operator running?", isError: true)
        }
        s.pending.removeAll { !$0.seen && now - $0.since > 60 }
    case .snapshotChanged(let snap):
        s.snapshot = snap
        s.now = max(s.now, snap.takenAt)
        s.rebuildDerived()
        s.updatePending()
    case .logLines(let lines):
        for l in lines { s.logs.append(LogLine(raw: l)) }
    case .logEnded(let message):
        s.logStatus = message.map { "log stream ended: " + Sanitizer.singleLine($0) } ?? "log stream ended"
    case .effectFailed(let message):
        s.message = StatusMessage(text: Sanitizer.singleLine(message), isError: true)
    case .key(let key):
        effects = s.handle(key)
    }
    s.keepSelectionVisible()
    return (s, effects)
}

extension AppState {
    /// Brings the derived rows and trees up to date with the snapshot, filter and screen. Cheap
    /// when little changed: only objects with a new uid/resourceVersion are recomputed.
    mutating func rebuildDerived() {
        overview.update(jobFlows: snapshot.jobFlows, daemonJobs: snapshot.daemonJobs, sort: sort,
                        namespace: namespace, filter: filter(.overview))
        var tree: FlowTree?
        var daemon: DaemonJobModel?
        var daemonVersion: ObjectVersion?
        for screen in stack {
            switch screen {
            case .flow(let ref):
                tree = object(ref).map { FlowTree(object: $0, previous: flowTree) }
            case .daemonJob(let ref):
                if let o = object(ref) {
                    let v = ObjectVersion(o)
                    if let old = daemonJobModel, let oldV = daemonJobVersion, v.provesUnchanged(oldV) {
                        daemon = old
                    } else {
                        daemon = DaemonJobModel(object: o)
                    }
                    daemonVersion = v
                }
            default: break
            }
        }
        flowTree = tree
        daemonJobModel = daemon
        daemonJobVersion = daemonVersion
        refreshFlowRows()
    }

    /// Marks requests whose annotation appeared, drops those whose annotation went away again.
    mutating func updatePending() {
        var done: [PendingRequest] = []
        pending = pending.compactMap { p in
            var p = p
            let key = p.action == .retry ? Keys.retryAnnotation : Keys.cancelAnnotation
            let object = self.object(p.target.ref)
            let present = object?[path: "metadata.annotations"]?[key] != nil
            if present { p.seen = true; return p }
            // Gone after it was seen, or carried out before any snapshot showed the annotation
            // (the targets moved on): either way the operator has done it.
            if p.seen || PendingRequest.fingerprint(of: object, target: p.target) != p.fingerprint {
                done.append(p)
                return nil
            }
            return p
        }
        for request in done {
            settled(request, text: "\(request.action == .retry ? "retry" : "cancel") carried out: \(describe(request.target))", isError: false)
        }
    }

    /// The status line while `request` waits for the operator.
    func pendingText(_ request: PendingRequest) -> String {
        "\(request.action == .retry ? "retry" : "cancel") requested: \(describe(request.target)) (pending until the operator carries it out)"
    }

    /// Replaces the status line's "pending" message for `request` (and only that one: a newer
    /// message the user caused stays) once the request is carried out or given up on.
    mutating func settled(_ request: PendingRequest, text: String, isError: Bool) {
        guard message?.text == pendingText(request) else { return }
        message = StatusMessage(text: text, isError: isError)
    }

    /// The rows the flow view lists right now (tree rows, or matching entries when filtering).
    /// Cached: rebuilt when the snapshot, folding or filter changes, not on every key or frame.
    public func flowRows() -> [TreeRow] { flowRowsCache }

    mutating func refreshFlowRows() {
        guard let tree = flowTree, case .flow(let ref) = screen else {
            flowRowsCache = []
            flowRowsKey = nil
            return
        }
        // Unfiltered rows depend only on the tree's shape and the folding: an update that changed
        // entries' states keeps them.
        let key = FlowRowsKey(ref: ref, structure: tree.structure, collapsed: collapsed[ref] ?? [])
        if filter(.flow).isEmpty && key == flowRowsKey { return }
        flowRowsCache = computeFlowRows()
        flowRowsKey = filter(.flow).isEmpty ? key : nil
    }

    func computeFlowRows() -> [TreeRow] {
        guard let tree = flowTree, case .flow(let ref) = screen else { return [] }
        let f = filter(.flow).lowercased()
        let rows = tree.visibleRows(collapsed: f.isEmpty ? (collapsed[ref] ?? []) : [])
        if f.isEmpty { return rows }
        return rows.filter { r in
            let e = tree.entries[r.entry]
            return e.displayName.lowercased().contains(f) || e.phase.word.lowercased().contains(f)
        }
    }

    /// The DaemonJob view's node rows after filtering.
    public func nodeRows() -> [NodeRow] {
        let f = filter(.daemonJob).lowercased()
        let nodes = daemonJobModel?.nodes ?? []
        if f.isEmpty { return nodes }
        return nodes.filter { $0.displayNode.lowercased().contains(f) || $0.phase.word.lowercased().contains(f) }
    }

    var flowSelectedIndex: Int {
        guard let tree = flowTree, let sel = flowSelection, let i = tree.index[sel] else { return 0 }
        return flowRowsCache.firstIndex { $0.entry == i } ?? 0
    }

    /// Number of rows in the current list, for movement.
    var listCount: Int {
        switch screen {
        case .overview: overviewRows.count
        case .flow: flowRows().count
        case .daemonJob: nodeRows().count
        default: 0
        }
    }

    /// Clamps selection and adjusts scroll so the selected row stays on screen.
    mutating func keepSelectionVisible() {
        let h = bodyHeight
        func fix(_ sel: inout Int, _ scroll: inout Int, count: Int) {
            sel = max(0, min(sel, count - 1))
            if sel < scroll { scroll = sel }
            if sel >= scroll + h { scroll = sel - h + 1 }
            scroll = max(0, min(scroll, max(0, count - h)))
        }
        switch screen {
        case .overview:
            fix(&overviewCursor.selected, &overviewCursor.scroll, count: overviewRows.count)
        case .flow:
            let rows = flowRows()
            var sel = flowSelectedIndex
            fix(&sel, &flowScroll, count: rows.count)
            if let tree = flowTree, rows.indices.contains(sel) { flowSelection = tree.entries[rows[sel].entry].name }
        case .daemonJob:
            // One body row holds the column headers. The node list is followed by the skipped
            // nodes (a heading and a row each): scrolling may reach them.
            let listH = max(1, h - 1)
            let nodes = nodeRows().count
            let skipped = daemonJobModel?.skipped.count ?? 0
            let total = nodes + (skipped > 0 ? skipped + 1 : 0)
            nodeCursor.selected = max(0, min(nodeCursor.selected, nodes - 1))
            if nodeCursor.selected < nodeCursor.scroll { nodeCursor.scroll = nodeCursor.selected }
            if nodeCursor.selected >= nodeCursor.scroll + listH { nodeCursor.scroll = nodeCursor.selected - listH + 1 }
            // At the last node, show the skipped nodes below it too when they fit.
            if nodeCursor.selected == nodes - 1 { nodeCursor.scroll = max(nodeCursor.scroll, min(nodeCursor.selected, total - listH)) }
            nodeCursor.scroll = max(0, min(nodeCursor.scroll, max(0, total - listH)))
        case .help:
            textScroll = max(0, min(textScroll, HelpView.rowCount(self) - h))
        case .details(let ref, let entry, let yaml):
            let n = yaml ? DetailsView.yamlLines(self, ref, entry: entry).count
                : DetailsView.describeLines(self, ref, entry: entry, glyphs: .ascii).count
            textScroll = max(0, min(textScroll, n - h))
        case .logs:
            break
        }
    }
}
