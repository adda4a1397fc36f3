import JobFlowAPI
import Kube

extension FlowTree {
    /// One entry from its spec (name, dependencies) and its `status.jobs` item (nil: not started),
    /// read through the API's `EntryStatus`.
    static func entry(name: String, dependencies: [String], status json: JSONValue?) -> TreeEntry {
        let s = json.flatMap { EntryStatus(json: $0) }
        return TreeEntry(
            name: name, displayName: Sanitizer.singleLine(name), dependencies: dependencies,
            phase: s.map { Phase($0.phase) } ?? .waiting,
            status: s?.phase ?? .waiting,
            reasonCode: s?.reason,
            jobName: Sanitizer.singleLine(s?.jobName ?? ""),
            podName: Sanitizer.singleLine(s?.podName ?? ""),
            nodeName: Sanitizer.singleLine(s?.nodeName ?? ""),
            reason: Sanitizer.singleLine(s?.reason?.rawValue ?? ""),
            message: Sanitizer.singleLine(s?.message ?? ""),
            started: Time.parse(s?.startTime),
            completed: Time.parse(s?.completionTime),
            attempts: s?.attempts ?? 0,
            exitCode: s?.exitCode)
    }

    /// This tree for a new version of its object when the spec's flows are the same and
    /// `status.jobs` names the same entries in the same order: the shape is kept and only entries
    /// whose status item changed are rebuilt. nil when the shape may differ (build from scratch).
    func updating(flows: [JSONValue], jobs: [JSONValue], version: ObjectVersion) -> FlowTree? {
        guard jobs.count == jobsSource.count, flows == flowsSource else { return nil }
        var changed: [Int] = []
        for k in jobs.indices where jobs[k] != jobsSource[k] {
            // Another name at this place may add, drop or move an entry: rebuild.
            guard jobs[k]["name"] == jobsSource[k]["name"] else { return nil }
            changed.append(k)
        }
        var tree = self
        tree.version = version
        tree.jobsSource = jobs
        for k in changed {
            guard let name = jobs[k]["name"]?.stringValue, let i = index[name], statusIndex[i] == k else { continue }
            let e = entries[i]
            tree.entries[i] = FlowTree.entry(name: e.name, dependencies: e.dependencies, status: jobs[k])
        }
        return tree
    }
}
