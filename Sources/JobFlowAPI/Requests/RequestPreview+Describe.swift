extension RequestPreview {
    /// Why the request changes nothing, as one sentence ("nothing to retry: job1 is Succeed");
    /// nil when it changes something.
    public func nothingToDo(display: (String) -> String = { $0 }) -> String? {
        guard applied.isEmpty else { return nil }
        let verb = "nothing to \(kind.rawValue): "
        if targets.names.isEmpty || (targets.all && refusals.isEmpty) {
            switch (kind, subjectKind) {
            case (.retry, .daemonJob): return verb + "no failed or cancelled nodes"
            case (.retry, _): return verb + "no failed, cancelled or skipped entries"
            case (.cancel, .daemonJob): return verb + "every node has finished"
            case (.cancel, _): return verb + "every entry has finished"
            }
        }
        return verb + refusals.map { display($0.why) }.joined(separator: "; ")
    }

    /// The effect as lines for a person, the same in the CLI and the UI's confirmation: what runs
    /// again or stops, what becomes runnable or is skipped, what stays as it is and why. Each list
    /// shows at most `limit` names and counts the rest. `display` makes a name safe to draw.
    public func describe(limit: Int = 8, display: (String) -> String = { $0 }) -> [String] {
        func list(_ names: [String]) -> String {
            let shown = names.prefix(limit).map(display).joined(separator: ", ")
            return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
        }
        func inOrder(_ sets: [String]...) -> [String] {
            let wanted = Set(sets.joined())
            return order.filter(wanted.contains)
        }
        func each(_ names: [String], _ line: (String) -> String, rest: String) -> [String] {
            var out = names.prefix(limit).map(line)
            if names.count > limit { out.append("and \(names.count - limit) more \(rest)") }
            return out
        }
        let nodes = subjectKind == .daemonJob
        let wholeObject = targets.all && targets.names.isEmpty
        var lines: [String] = []
        switch kind {
        case .retry:
            if wholeObject {
                if !applied.isEmpty {
                    lines.append(nodes ? "nodes whose Job runs again: " + list(applied) : "will run again: " + list(inOrder(applied, runnable)))
                }
            } else {
                for r in rootCauses { lines.append("\(display(r.skipped)) was skipped because of \(list(r.causes))") }
                lines += each(applied, { n in
                    let attempt = nextAttempt[n].map { " (attempt \($0))" } ?? ""
                    return nodes ? "node \(display(n)): its Job is deleted and runs again\(attempt)" : "\(display(n)) runs again\(attempt)"
                }, rest: "run again")
                if !runnableDependents.isEmpty { lines.append("dependents that will run again: " + list(runnableDependents)) }
                if !released.isEmpty { lines.append("held back by FailFast, will start too: " + list(released)) }
            }
            lines += each(stillBlocked.map(\.name), { n in
                let blockers = stillBlocked.first { $0.name == n }?.blockers ?? []
                return "stays Skipped: \(display(n)) (\(list(blockers)) still \(blockers.count == 1 ? "is" : "are") Failed or Cancelled)"
            }, rest: "stay Skipped")
        case .cancel:
            if wholeObject {
                if !applied.isEmpty {
                    lines.append(nodes ? "nodes whose Job is stopped: " + list(applied) : "will be cancelled or skipped: " + list(inOrder(applied, skipped)))
                }
            } else {
                lines += each(applied, { n in
                    nodes ? "node \(display(n)): its Job and pod are deleted" : "\(display(n)) is stopped (its Job and pod deleted)"
                }, rest: "stopped")
                if !skipped.isEmpty { lines.append("dependents that will be skipped: " + list(skipped)) }
            }
        }
        if !applied.isEmpty {
            lines += each(refusals.map(\.name), { n in
                "not \(kind == .retry ? "retried" : "cancelled"): " + display(refusals.first { $0.name == n }?.why ?? n)
            }, rest: "left as they are")
        }
        return lines
    }
}
