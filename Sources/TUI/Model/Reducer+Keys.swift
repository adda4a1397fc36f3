import Kube

extension AppState {
    /// Handles one key: the confirmation dialog and the prompt take keys first, then the key map.
    mutating func handle(_ key: Key) -> [Effect] {
        if key == .ctrl("c") { return [.quit] }
        if let c = confirmation { return handleConfirmation(key, c) }
        if let p = picker { return handlePicker(key, p) }
        if prompt != nil { return handlePrompt(key) }
        guard let action = KeyMap.action(for: key, in: screen.kind) else { return [] }
        message = nil
        return perform(action)
    }

    private mutating func handleConfirmation(_ key: Key, _ c: Confirmation) -> [Effect] {
        switch key {
        case .char("y"), .char("Y"), .enter:
            confirmation = nil
            // Read-only is checked here too: the single gate every mutation passes.
            guard mutationGate(c.action) != nil else { return [] }
            let request = PendingRequest(action: c.action, target: c.target, since: now, seen: false,
                                         fingerprint: PendingRequest.fingerprint(of: object(c.target.ref), target: c.target))
            pending.append(request)
            message = StatusMessage(text: pendingText(request), isError: false)
            return [c.action == .retry ? .requestRetry(c.target) : .requestCancel(c.target)]
        case .char("n"), .char("N"), .escape, .char("q"):
            confirmation = nil
            message = StatusMessage(text: "nothing changed", isError: false)
            return []
        default:
            return []
        }
    }

    private mutating func handlePrompt(_ key: Key) -> [Effect] {
        guard var p = prompt else { return [] }
        switch key {
        case .escape:
            if p.kind == .filter { setFilter("") }
            prompt = nil
            return []
        case .enter:
            prompt = nil
            return p.kind == .command ? runCommand(p.text) : []
        case .backspace:
            if !p.text.isEmpty { p.text.removeLast() }
        case .char(let c):
            p.text.append(c)
        default:
            return []
        }
        prompt = p
        if p.kind == .filter { setFilter(p.text) }
        return []
    }

    mutating func setFilter(_ text: String) {
        filters[screen.kind] = Sanitizer.singleLine(text)
        if screen.kind == .overview { rebuildDerived(); overviewCursor = ListCursor() }
        if screen.kind == .flow { refreshFlowRows() }
    }

    /// `:` commands.
    mutating func runCommand(_ text: String) -> [Effect] {
        let words = text.split(separator: " ").map(String.init)
        switch words.first ?? "" {
        case "q", "q!", "quit": return [.quit]
        case "ns", "namespace":
            let ns = words.count > 1 && words[1] != "all" && words[1] != "-A" ? words[1] : nil
            namespace = ns
            stack = [.overview]
            overviewCursor = ListCursor()
            rebuildDerived()
            return [.switchNamespace(ns)]
        case "flows", "jf", "jobflows", "dj", "daemonjobs", "overview":
            stack = [.overview]
            rebuildDerived()
            return []
        case "help":
            stack.append(.help)
            return []
        default:
            message = StatusMessage(text: "unknown command: \(Sanitizer.singleLine(text)) (try ns NAME, ns all, flows, help, quit)", isError: true)
            return []
        }
    }

    /// The one place read-only is enforced: returns nil (and says why) when `action` would write.
    mutating func mutationGate(_ action: Action) -> Action? {
        guard action.isMutating else { return action }
        if mode.isReadOnly {
            message = StatusMessage(text: readOnlyMessage, isError: true)
            return nil
        }
        return action
    }

    mutating func perform(_ action: Action) -> [Effect] {
        guard let action = mutationGate(action) else { return [] }
        let page = max(1, bodyHeight - 1)
        switch action {
        case .up: move(-1)
        case .down: move(1)
        case .pageUp: move(-page)
        case .pageDown: move(page)
        case .top: move(Int.min / 2)
        case .bottom:
            if screen.kind == .logs { logFollow = true }
            move(Int.max / 2)
        case .open: return open()
        case .back:
            if !filter(screen.kind).isEmpty { setFilter(""); return [] }
            return back()
        case .quit:
            return stack.count > 1 ? back() : [.quit]
        case .forceQuit: return [.quit]
        case .filter: prompt = Prompt(kind: .filter, text: filter(screen.kind))
        case .command: prompt = Prompt(kind: .command, text: "")
        case .help: if screen != .help { stack.append(.help); textScroll = 0 }
        case .sort:
            sort = sort.next
            rebuildDerived()
            message = StatusMessage(text: "sorted by \(sort.rawValue)", isError: false)
        case .toggleCollapse, .collapse, .expand: collapse(action)
        case .follow:
            logFollow.toggle()
            if !logFollow { logBottom = max(0, logs.count - 1) }
        case .wrap: logWrap.toggle(); logColumn = 0
        case .panLeft: logColumn = max(0, logColumn - max(8, width / 2))
        case .panRight: if !logWrap { logColumn += max(8, width / 2) }
        case .timestamps: logTimestamps.toggle()
        case .logs: return openLogs()
        case .describe, .yaml: return openDetails(yaml: action == .yaml)
        case .retry, .cancel: askConfirmation(action)
        }
        return []
    }

    mutating func back() -> [Effect] {
        guard stack.count > 1 else { return [] }
        let left = stack.removeLast()
        textScroll = 0
        rebuildDerived()
        if case .logs = left { logs.removeAll(); logStatus = nil; logColumn = 0; return [.closeLogs] }
        return []
    }

    mutating func move(_ delta: Int) {
        func clamp(_ v: Int, _ n: Int) -> Int { max(0, min(v, n - 1)) }
        switch screen {
        case .overview:
            overviewCursor.selected = clamp(overviewCursor.selected &+ delta, overviewRows.count)
        case .flow:
            let rows = flowRows()
            guard let tree = flowTree, !rows.isEmpty else { return }
            let i = clamp(flowSelectedIndex &+ delta, rows.count)
            flowSelection = tree.entries[rows[i].entry].name
        case .daemonJob:
            nodeCursor.selected = clamp(nodeCursor.selected &+ delta, nodeRows().count)
        case .logs:
            if delta < 0 && logFollow { logFollow = false; logBottom = max(0, logs.count - 1) }
            if !logFollow { logBottom = clamp(logBottom &+ delta, logs.count) }
            if logBottom >= logs.count - 1 && delta > 0 { logFollow = true }
        case .details, .help:
            textScroll = max(0, textScroll &+ delta)
        }
    }

    /// The selected overview row, if any.
    public var selectedRow: FlowRow? {
        overviewRows.indices.contains(overviewCursor.selected) ? overviewRows[overviewCursor.selected] : nil
    }

    /// The selected flow entry's index in the tree.
    public var selectedEntry: Int? {
        guard let tree = flowTree, let sel = flowSelection else { return nil }
        return tree.index[sel]
    }

    public var selectedNode: NodeRow? {
        let rows = nodeRows()
        return rows.indices.contains(nodeCursor.selected) ? rows[nodeCursor.selected] : nil
    }

    mutating func open() -> [Effect] {
        switch screen {
        case .overview:
            guard let row = selectedRow else { return [] }
            stack.append(row.ref.kind == .jobFlow ? .flow(row.ref) : .daemonJob(row.ref))
            flowSelection = nil
            flowScroll = 0
            nodeCursor = ListCursor()
            rebuildDerived()
            return []
        case .flow, .daemonJob:
            return openDetails(yaml: false)
        default:
            return []
        }
    }

    mutating func collapse(_ action: Action) {
        guard case .flow(let ref) = screen, let tree = flowTree, let i = selectedEntry else { return }
        let name = tree.entries[i].name
        var set = collapsed[ref] ?? []
        let hasChildren = !tree.children[i].isEmpty
        switch action {
        case .expand: set.remove(name)
        case .collapse:
            if hasChildren && !set.contains(name) { set.insert(name) }
            else if let p = tree.parent[i] { flowSelection = tree.entries[p].name }
        default:
            if hasChildren { if set.contains(name) { set.remove(name) } else { set.insert(name) } }
        }
        collapsed[ref] = set
        refreshFlowRows()
    }
}
