import JobFlowAPI
import Kube

/// Details of a flow entry, a DaemonJob node or a whole object: state, Job and pod status,
/// conditions, events — or the rendered YAML. A scrollable text.
enum DetailsView {
    static func draw(_ c: inout Canvas, _ s: AppState, _ ref: ResourceRef, entry: String?, yaml: Bool) {
        let what = "\(ref.kind.rawValue) \(Sanitizer.singleLine(ref.namespace))/\(Sanitizer.singleLine(ref.name))"
        ScreenView.title(&c, (entry.map { "\(Sanitizer.singleLine($0)) in " } ?? "") + what + (yaml ? " — YAML" : " — describe"))
        let text = yaml ? yamlLines(s, ref, entry: entry) : describeLines(s, ref, entry: entry, glyphs: c.g)
        c.text("\(text.count) lines\(c.g.separator)d describe  y yaml  l logs  Esc back", x: 1, y: 2, style: .muted)
        let start = min(s.textScroll, max(0, text.count - s.bodyHeight))
        for (k, l) in text.dropFirst(start).prefix(s.bodyHeight).enumerated() {
            c.text(l.0, x: 1, y: Layout.bodyTop + k, width: c.width - 2, style: l.1)
        }
    }

    /// The Job behind an entry or node: (namespace/jobName key, pod name).
    static func jobKeys(_ s: AppState, _ ref: ResourceRef, entry: String?) -> (String, String)? {
        guard let entry, let o = s.object(ref) else { return nil }
        let list = ref.kind == .jobFlow ? o[path: "status.jobs"]?.arrayValue : o[path: "status.nodes"]?.arrayValue
        let key = ref.kind == .jobFlow ? "name" : "node"
        guard let st = list?.first(where: { $0[key]?.stringValue == entry }) else { return nil }
        return ("\(ref.namespace)/\(st["jobName"]?.stringValue ?? "")", st["podName"]?.stringValue ?? "")
    }

    static func yamlLines(_ s: AppState, _ ref: ResourceRef, entry: String?) -> [(String, Style)] {
        var obj = s.object(ref)
        var note: String?
        if let (jobKey, _) = jobKeys(s, ref, entry: entry) {
            if let job = s.snapshot.jobs[jobKey] { obj = job } else { note = "# Job \(jobKey) is not in the cache; showing the owner" }
        }
        guard let obj else { return [("object not found", .warning)] }
        let body = s.yamlMemo.lines(of: obj) { object in
            object.yamlString().split(separator: "\n", omittingEmptySubsequences: false).map { (Sanitizer.sanitize(String($0)), Style.normal) }
        }
        return (note.map { [($0, Style.muted)] } ?? []) + body
    }

    static func describeLines(_ s: AppState, _ ref: ResourceRef, entry: String?, glyphs g: GlyphSet) -> [(String, Style)] {
        var out: [(String, Style)] = []
        func add(_ t: String, _ st: Style = .normal) { out.append((Sanitizer.singleLine(t), st)) }
        func section(_ t: String) { out.append(("", .normal)); out.append((t, Style(.accent, bold: true))) }
        guard let o = s.object(ref) else { return [("object not found", .warning)] }
        let row = s.overview.row(ref) ?? FlowRow(kind: ref.kind, object: o)
        if let entry {
            if ref.kind == .jobFlow, let tree = s.flowTree ?? Optional(FlowTree(object: o)), let i = tree.index[entry] {
                let e = tree.entries[i]
                add("State:      \(g.glyph(e.phase)) \(e.phase.word)", Theme.style(e.phase))
                add("Job:        \(e.jobName.isEmpty ? "(not created yet)" : e.jobName)")
                add("Pod:        \(e.podName.isEmpty ? "-" : e.podName)    Node: \(e.nodeName.isEmpty ? "-" : e.nodeName)")
                add("Attempts:   \(e.attempts)    Exit code: \(e.exitCode.map(String.init) ?? "-")")
                add("Duration:   \(Time.duration(start: e.started, end: e.completed, now: s.now))")
                add("Depends on: \(e.dependencies.isEmpty ? "-" : e.dependencies.map { d in "\(d) \(tree.index[d].map { g.glyph(tree.entries[$0].phase) } ?? "?")" }.joined(separator: " "))")
                let deps = tree.dependents(of: [e.name])
                add("Dependents: \(deps.isEmpty ? "-" : deps.joined(separator: ", "))")
                if !e.reason.isEmpty || !e.message.isEmpty { add("Reason:     \(e.reason) \(e.message)") }
                let why = tree.waitReason(i)
                if !why.isEmpty { add("Waiting:    \(why)", Style(.pending)) }
            } else if let n = s.daemonJobModel?.nodes.first(where: { $0.node == entry }) ?? DaemonJobModel(object: o).nodes.first(where: { $0.node == entry }) {
                add("Node:       \(n.displayNode)")
                add("State:      \(g.glyph(n.phase)) \(n.phase.word)", Theme.style(n.phase))
                add("Job:        \(n.jobName)    Pod: \(n.podName.isEmpty ? "-" : n.podName)")
                add("Attempts:   \(n.attempts)    Exit code: \(n.exitCode.map(String.init) ?? "-")")
                add("Duration:   \(Time.duration(start: n.started, end: n.completed, now: s.now))")
                if !n.reason.isEmpty || !n.message.isEmpty { add("Reason:     \(n.reason) \(n.message)") }
            } else {
                add("no status for \(entry) yet", .muted)
            }
        } else {
            add("State:      \(g.glyph(row.phase)) \(row.phase.word)    Progress: \(row.succeeded)/\(row.total)", Theme.style(row.phase))
            add("Message:    \(row.message.isEmpty ? "-" : row.message)")
            add("Duration:   \(Time.duration(start: row.started, end: row.completed, now: s.now))")
            let ann = o[path: "metadata.annotations"]
            for key in [Keys.retryAnnotation, Keys.cancelAnnotation] {
                if let v = ann?[key]?.stringValue { add("Request:    \(key)=\(v) (not carried out yet)", Style(.pending)) }
            }
            conditions(o[path: "status.conditions"], add: add, section: section)
        }
        var names: Set<String> = [ref.name]
        if let (jobKey, pod) = jobKeys(s, ref, entry: entry) {
            let job = s.snapshot.jobs[jobKey]
            names.insert(String(jobKey.split(separator: "/").last ?? ""))
            if !pod.isEmpty { names.insert(pod) }
            section("Job status")
            if let job {
                let st = job["status"]
                add("active \(st?["active"]?.intValue ?? 0)  succeeded \(st?["succeeded"]?.intValue ?? 0)  failed \(st?["failed"]?.intValue ?? 0)  backoffLimit \(job[path: "spec.backoffLimit"]?.intValue.map(String.init) ?? "-")")
                conditions(st?["conditions"], add: add, section: { _ in })
            } else {
                add("Job not in the cache (not created yet, or already deleted)", .muted)
            }
            section("Pod")
            if let p = s.snapshot.pods["\(ref.namespace)/\(pod)"] {
                add("phase \(p[path: "status.phase"]?.stringValue ?? "?")  node \(p[path: "spec.nodeName"]?.stringValue ?? "-")")
                for cs in p[path: "status.containerStatuses"]?.arrayValue ?? [] {
                    let stateObj = cs["state"]?.objectValue ?? [:]
                    let (stName, detail) = stateObj.first.map { ($0.key, $0.value) } ?? ("unknown", .null)
                    var t = "container \(cs["name"]?.stringValue ?? "?"): \(stName)"
                    if let r = detail["reason"]?.stringValue { t += " (\(r))" }
                    if let code = detail["exitCode"]?.intValue { t += " exit \(code)" }
                    t += "  restarts \(cs["restartCount"]?.intValue ?? 0)"
                    add(t)
                }
            } else {
                add(pod.isEmpty ? "no pod yet" : "pod \(pod) not in the cache", .muted)
            }
        }
        section("Events")
        // The owner's own events name the Job they are about ("created Job flow-job3 for job3"):
        // for one entry, leave out those about the owner's other Jobs (a 500-job flow has
        // thousands); events that name no Job of the owner (the flow's own) stay.
        let others = entry == nil ? [] : otherJobNames(s, ref, entry: entry!)
        let evs = s.snapshot.events.filter { e in
            let name = e[path: "involvedObject.name"]?.stringValue ?? ""
            guard names.contains(name) else { return false }
            guard name == ref.name, !others.isEmpty, let message = e["message"]?.stringValue else { return true }
            return !message.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ":" }).contains { others.contains(String($0)) }
        }
        if evs.isEmpty { add("none", .muted) }
        for e in evs.suffix(50) {
            let when = Time.parse(e["lastTimestamp"]?.stringValue ?? e["eventTime"]?.stringValue ?? e[path: "metadata.creationTimestamp"]?.stringValue)
            add("\(e["type"]?.stringValue ?? "Normal")  \(e["reason"]?.stringValue ?? "")  \(when.map { Time.short(s.now - $0) + " ago" } ?? "")  \(e[path: "involvedObject.kind"]?.stringValue ?? "")/\(e[path: "involvedObject.name"]?.stringValue ?? ""): \(e["message"]?.stringValue ?? "")",
                e["type"]?.stringValue == "Warning" ? .warning : .normal)
        }
        return out
    }

    /// The Job names of the owner's other entries (flow entries or DaemonJob nodes).
    static func otherJobNames(_ s: AppState, _ ref: ResourceRef, entry: String) -> Set<String> {
        var all: [(String, String)] = []
        if ref.kind == .jobFlow, let tree = s.flowTree { all = tree.entries.map { ($0.name, $0.jobName) } }
        if ref.kind == .daemonJob, let model = s.daemonJobModel { all = model.nodes.map { ($0.node, $0.jobName) } }
        return Set(all.filter { $0.0 != entry && !$0.1.isEmpty }.map(\.1))
    }

    static func conditions(_ list: JSONValue?, add: (String, Style) -> Void, section: (String) -> Void) {
        guard let list = list?.arrayValue, !list.isEmpty else { return }
        section("Conditions")
        for cnd in list {
            add("\(cnd["type"]?.stringValue ?? "?")=\(cnd["status"]?.stringValue ?? "?")  \(cnd["reason"]?.stringValue ?? "")  \(cnd["message"]?.stringValue ?? "")", .normal)
        }
    }
}
