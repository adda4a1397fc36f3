import JobFlowAPI
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

    /// Builds the confirmation for a retry or cancel of the selection, naming what it affects by
    /// the shared rule (`RequestPreview`, the one the operator carries out and the CLI prints);
    /// says why instead when there is nothing to do.
    mutating func askConfirmation(_ action: Action) {
        let verb = action == .retry ? "Retry" : "Cancel"
        let kind: RequestKind = action == .retry ? .retry : .cancel
        let target: ActionTarget
        switch screen {
        case .overview:
            guard let row = selectedRow else { return }
            target = ActionTarget(ref: row.ref, entries: ["*"])
        case .flow(let ref):
            guard let tree = flowTree, let i = selectedEntry else { return }
            target = ActionTarget(ref: ref, entries: [tree.entries[i].name])
        case .daemonJob(let ref):
            guard let n = selectedNode else { return }
            target = ActionTarget(ref: ref, entries: [n.node])
        default:
            return
        }
        guard let object = object(target.ref), let subject = RequestSubject(kind: target.ref.kind.api, object: object) else { return }
        let preview = RequestPreview(kind, targets: RequestTargets(parsing: target.annotationValue), on: subject)
        if let nothing = preview.nothingToDo(display: Sanitizer.singleLine) {
            message = StatusMessage(text: nothing, isError: true)
            return
        }
        confirmation = Confirmation(action: action, target: target, title: "\(verb) \(describe(target))?",
                                    lines: preview.describe(display: Sanitizer.singleLine))
    }

    /// The pending request touching a flow entry or node (or the whole object), if any.
    public func pendingRequest(_ ref: ResourceRef, entry: String?) -> PendingRequest? {
        pending.first { p in
            p.target.ref == ref && (p.target.entries.contains("*") || entry.map { p.target.entries.contains($0) } ?? false)
        }
    }
}
