import Kube

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

/// `spec` of a DaemonJob: global params, the exclude list and an inline JobSpec (`template`,
/// `backoffLimit`, … directly under `spec`, as in the seed).
public struct DaemonJobSpec: Sendable, Hashable {
    public var globalParams: GlobalParams
    public var excludeNodeList: ExcludeNodeList
    /// The JobSpec: `spec` without `globalParams` and `excludeNodeList`.
    public var jobSpec: JSONValue

    public init(globalParams: GlobalParams = GlobalParams(), excludeNodeList: ExcludeNodeList = ExcludeNodeList(parsing: nil),
                jobSpec: JSONValue) {
        self.globalParams = globalParams
        self.excludeNodeList = excludeNodeList
        self.jobSpec = jobSpec
    }

    public static func decode(_ spec: JSONValue?, path: String = "spec") -> (spec: DaemonJobSpec?, findings: [Finding]) {
        var r = FieldReader()
        guard let members = r.object(spec, path) else {
            if spec == nil || spec?.isNull == true { r.fail(path, "is required") }
            return (nil, r.findings)
        }
        let params = GlobalParams.read(members["globalParams"], "\(path).globalParams", &r, allowNodeName: false)
        let exclude = ExcludeNodeList(parsing: r.string(members["excludeNodeList"], "\(path).excludeNodeList"), path: "\(path).excludeNodeList")
        r.findings += exclude.notes
        var jobSpec = JSONValue.object(members)
        jobSpec["globalParams"] = nil
        jobSpec["excludeNodeList"] = nil
        r.findings += PodTemplateCheck.check(jobSpec, path: path)
        return (DaemonJobSpec(globalParams: params, excludeNodeList: exclude, jobSpec: jobSpec), r.findings)
    }
}

/// Checks that a JobSpec has a usable pod template (the fields rendering relies on).
enum PodTemplateCheck {
    static func check(_ jobSpec: JSONValue, path: String) -> [Finding] {
        var r = FieldReader()
        let reason = FindingReason.invalidTemplate
        guard let template = jobSpec["template"], !template.isNull else {
            r.fail("\(path).template", "is required", reason: reason)
            return r.findings
        }
        guard template.objectValue != nil else {
            r.fail("\(path).template", "must be an object (a pod template), not \(template.typeName)", reason: reason)
            return r.findings
        }
        guard let podSpec = template["spec"], podSpec.objectValue != nil else {
            r.fail("\(path).template.spec", "must be an object (a pod spec)", reason: reason)
            return r.findings
        }
        guard let containers = podSpec["containers"]?.arrayValue, !containers.isEmpty else {
            r.fail("\(path).template.spec.containers", "must list at least one container", reason: reason)
            return r.findings
        }
        for key in ["containers", "initContainers"] {
            guard let list = podSpec[key], !list.isNull else { continue }
            guard let items = list.arrayValue else {
                r.fail("\(path).template.spec.\(key)", "must be a list, not \(list.typeName)", reason: reason)
                continue
            }
            for (i, c) in items.enumerated() {
                if c.objectValue == nil || c["name"]?.stringValue == nil {
                    r.fail("\(path).template.spec.\(key)[\(i)]", "must be an object with a name", reason: reason)
                } else if let env = c["env"], !env.isNull, env.arrayValue == nil {
                    r.fail("\(path).template.spec.\(key)[\(i)].env", "must be a list, not \(env.typeName)", reason: reason)
                }
            }
        }
        if let policy = podSpec["restartPolicy"], let p = policy.stringValue, p != "Never" {
            r.warn("\(path).template.spec.restartPolicy", "\(DNSName.quoted(p)) is overridden: Jobs run with restartPolicy Never",
                   reason: FindingReason.restartPolicyOverridden)
        }
        if let b = jobSpec["backoffLimit"], !b.isNull, (b.intValue ?? -1) < 0 {
            r.fail("\(path).backoffLimit", "must be a non-negative integer", reason: reason)
        }
        return r.findings
    }
}
