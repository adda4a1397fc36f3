import Kube

extension AppState {
    /// Opens the log of the selected job's pod.
    mutating func openLogs() -> [Effect] {
        var ns = "", pod = "", title = "", why = ""
        switch screen {
        case .flow(let ref):
            guard let tree = flowTree, let i = selectedEntry else { return [] }
            let e = tree.entries[i]
            (ns, pod, title) = (ref.namespace, e.podName, "\(ref.name)/\(e.name)")
            why = "\(e.displayName) has no pod yet (\(e.phase.word)\(tree.waitReason(i).isEmpty ? "" : ": " + tree.waitReason(i)))"
        case .daemonJob(let ref):
            guard let n = selectedNode else { return [] }
            (ns, pod, title) = (ref.namespace, n.podName, "\(ref.name)/\(n.node)")
            why = "\(n.displayNode) has no pod yet (\(n.phase.word))"
        case .details(let ref, let entry?, _):
            ns = ref.namespace
            title = "\(ref.name)/\(entry)"
            if ref.kind == .jobFlow, let tree = flowTree, let i = tree.index[entry] { pod = tree.entries[i].podName }
            if ref.kind == .daemonJob { pod = daemonJobModel?.nodes.first { $0.node == entry }?.podName ?? "" }
            why = "\(Sanitizer.singleLine(entry)) has no pod yet"
        default:
            return []
        }
        guard !pod.isEmpty else {
            message = StatusMessage(text: why, isError: true)
            return []
        }
        return openLogs(namespace: ns, pod: pod, title: title)
    }

    mutating func openDetails(yaml: Bool) -> [Effect] {
        textScroll = 0
        switch screen {
        case .overview:
            guard let row = selectedRow else { return [] }
            stack.append(.details(row.ref, entry: nil, yaml: yaml))
        case .flow(let ref):
            guard let tree = flowTree, let i = selectedEntry else { return [] }
            stack.append(.details(ref, entry: tree.entries[i].name, yaml: yaml))
        case .daemonJob(let ref):
            guard let n = selectedNode else { return [] }
            stack.append(.details(ref, entry: n.node, yaml: yaml))
        case .details(let ref, let entry, _):
            stack[stack.count - 1] = .details(ref, entry: entry, yaml: yaml)
        default:
            return []
        }
        return []
    }

    func describe(_ t: ActionTarget) -> String {
        let what = "\(t.ref.kind.rawValue) \(Sanitizer.singleLine(t.ref.namespace))/\(Sanitizer.singleLine(t.ref.name))"
        return t.entries == ["*"] ? what : "\(t.entries.map(Sanitizer.singleLine).joined(separator: ", ")) in \(what)"
    }

    /// Builds the confirmation for a retry or cancel of the selection, naming what it affects;
    /// says why instead when there is nothing to do.
    mutating func askConfirmation(_ action: Action) {
        let verb = action == .retry ? "Retry" : "Cancel"
        func refuse(_ text: String) { message = StatusMessage(text: text, isError: true) }
        func list(_ names: [String]) -> String {
            let shown = names.prefix(8).map(Sanitizer.singleLine).joined(separator: ", ")
            return names.count > 8 ? shown + " and \(names.count - 8) more" : shown
        }
        switch screen {
        case .overview:
            guard let row = selectedRow else { return }
            let t = ActionTarget(ref: row.ref, entries: ["*"])
            var lines: [String] = []
            if let o = object(row.ref), row.ref.kind == .jobFlow {
                let tree = FlowTree(object: o)
                let affected = tree.entries.filter {
                    action == .retry ? [.failed, .cancelled, .skipped].contains($0.phase) : !$0.phase.isFinished
                }.map(\.name)
                guard !affected.isEmpty else {
                    return refuse(action == .retry ? "nothing to retry: no failed, cancelled or skipped entries" : "nothing to cancel: every entry has finished")
                }
                lines.append((action == .retry ? "will run again: " : "will be cancelled or skipped: ") + list(affected))
            } else if let o = object(row.ref) {
                let nodes = DaemonJobModel(object: o).nodes.filter {
                    action == .retry ? [.failed, .cancelled].contains($0.phase) : !$0.phase.isFinished
                }.map(\.node)
                guard !nodes.isEmpty else {
                    return refuse(action == .retry ? "nothing to retry: no failed or cancelled nodes" : "nothing to cancel: every node has finished")
                }
                lines.append((action == .retry ? "nodes whose Job runs again: " : "nodes whose Job is stopped: ") + list(nodes))
            }
            confirmation = Confirmation(action: action, target: t, title: "\(verb) \(describe(t))?", lines: lines)
        case .flow(let ref):
            guard let tree = flowTree, let i = selectedEntry else { return }
            let e = tree.entries[i]
            let t = ActionTarget(ref: ref, entries: [e.name])
            let deps = tree.dependents(of: [e.name]).filter { d in tree.index[d].map { tree.entries[$0].phase != .succeeded } ?? false }
            var lines: [String]
            if action == .retry {
                guard [.failed, .cancelled, .skipped].contains(e.phase) else {
                    return refuse("nothing to retry: \(e.displayName) is \(e.phase.word)")
                }
                lines = ["\(e.displayName) runs again (attempt \(e.attempts &+ 1))"]
                if !deps.isEmpty { lines.append("dependents that will run again: " + list(deps)) }
                // Under FailFast, entries held back only because this one failed start too once no
                // other entry is failed.
                let stillFailed = tree.entries.contains { $0.phase == .failed && $0.name != e.name }
                let held = tree.entries.filter { $0.phase == .skipped && $0.reason == "FailFast" && !deps.contains($0.name) }.map(\.name)
                if e.phase == .failed, !stillFailed, !held.isEmpty {
                    lines.append("held back by FailFast, will start too: " + list(held))
                }
            } else {
                guard !e.phase.isFinished else { return refuse("nothing to cancel: \(e.displayName) is \(e.phase.word)") }
                lines = ["\(e.displayName) is stopped (its Job and pod deleted)"]
                let open = deps.filter { d in tree.index[d].map { !tree.entries[$0].phase.isFinished } ?? false }
                if !open.isEmpty { lines.append("dependents that will be skipped: " + list(open)) }
            }
            confirmation = Confirmation(action: action, target: t, title: "\(verb) \(describe(t))?", lines: lines)
        case .daemonJob(let ref):
            guard let n = selectedNode else { return }
            if action == .retry && ![.failed, .cancelled].contains(n.phase) {
                return refuse("nothing to retry: node \(n.displayNode) is \(n.phase.word)")
            }
            if action == .cancel && n.phase.isFinished {
                return refuse("nothing to cancel: node \(n.displayNode) is \(n.phase.word)")
            }
            let t = ActionTarget(ref: ref, entries: [n.node])
            confirmation = Confirmation(action: action, target: t, title: "\(verb) \(describe(t))?",
                                        lines: [action == .retry ? "the node's Job is deleted and runs again" : "the node's Job and pod are deleted"])
        default:
            return
        }
    }

    /// The pending request touching a flow entry or node (or the whole object), if any.
    public func pendingRequest(_ ref: ResourceRef, entry: String?) -> PendingRequest? {
        pending.first { p in
            p.target.ref == ref && (p.target.entries.contains("*") || entry.map { p.target.entries.contains($0) } ?? false)
        }
    }
}
