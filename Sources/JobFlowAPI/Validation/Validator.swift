import Kube

/// The rules shared by the operator and `jobflow-tui validate`.
///
/// Every function is pure and never traps on hostile input; YAML parsing errors are the caller's.
public enum Validator {
    /// Findings for any decoded manifest document: a JobFlow, JobTemplate or DaemonJob (by `kind`).
    public static func validate(document: JSONValue) -> [Finding] {
        guard document.objectValue != nil else {
            return [Finding(reason: FindingReason.invalidField, path: "", message: "a manifest must be an object, not \(document.typeName)")]
        }
        var findings: [Finding] = []
        if let api = document["apiVersion"]?.stringValue, api != APIGroup.apiVersion {
            findings.append(Finding(reason: FindingReason.unsupportedKind, path: "apiVersion",
                                    message: "must be \(APIGroup.apiVersion), not \(DNSName.quoted(api))"))
        }
        let name = document[path: "metadata.name"]?.stringValue
        if let name, !DNSName.isSubdomain(name) {
            findings.append(Finding(reason: FindingReason.invalidName, path: "metadata.name",
                                    message: "\(DNSName.quoted(name)) is not a valid DNS-1123 subdomain"))
        } else if name == nil, document[path: "metadata.generateName"] == nil {
            findings.append(Finding(reason: FindingReason.invalidName, path: "metadata.name", message: "is required"))
        }
        switch CustomKind(object: document) {
        case .jobFlow?: findings += validate(jobFlowSpec: document["spec"])
        case .jobTemplate?:
            let (spec, f) = JobTemplateSpec.decode(document["spec"])
            findings += f
            if let spec { findings += PodTemplateCheck.check(spec.jobTemplate, path: "spec.jobTemplate") }
        case .daemonJob?: findings += DaemonJobSpec.decode(document["spec"]).findings
        case nil:
            let kinds = CustomKind.allCases.map(\.rawValue)
            let known = kinds.dropLast().joined(separator: ", ") + " or " + kinds.last!
            findings.append(Finding(reason: FindingReason.unsupportedKind, path: "kind",
                                    message: document["kind"]?.stringValue.map { "\(DNSName.quoted($0)) is not \(known)" } ?? "is required"))
        }
        return findings
    }

    /// Findings for a JobFlow's `spec` value.
    public static func validate(jobFlowSpec value: JSONValue?) -> [Finding] {
        let (spec, findings) = JobFlowSpec.decode(value)
        return findings + validate(jobFlowSpec: spec)
    }

    /// Findings about the flow entries and their graph (decoding findings are not repeated).
    public static func validate(jobFlowSpec spec: JobFlowSpec) -> [Finding] {
        var findings: [Finding] = []
        func path(_ e: FlowEntry) -> String { "spec.flows[\(e.index)]" }
        var firstIndex: [String: Int] = [:]
        let volumeNames = Set(spec.shareVolumes.compactMap { $0["name"]?.stringValue })
        for entry in spec.flows {
            let p = path(entry)
            if !DNSName.isLabel(entry.name) {
                findings.append(Finding(reason: FindingReason.invalidName, path: "\(p).name",
                                        message: "\(DNSName.quoted(entry.name)) is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)"))
            }
            if let first = firstIndex[entry.name] {
                findings.append(Finding(reason: FindingReason.duplicateName, path: "\(p).name",
                                        message: "\(DNSName.quoted(entry.name)) is already the name of spec.flows[\(first)]"))
            } else {
                firstIndex[entry.name] = entry.index
            }
            switch (entry.jobTemplate, entry.jobTemplateRef) {
            case (.some, .some):
                findings.append(Finding(reason: FindingReason.invalidTemplate, path: p,
                                        message: "sets both jobTemplate and jobTemplateRef; set exactly one"))
            case (nil, nil):
                findings.append(Finding(reason: FindingReason.invalidTemplate, path: p,
                                        message: "sets neither jobTemplate nor jobTemplateRef; set exactly one"))
            case (.some(let template), nil):
                findings += PodTemplateCheck.check(template, path: "\(p).jobTemplate")
            case (nil, .some(let ref)):
                if !DNSName.isSubdomain(ref) {
                    findings.append(Finding(reason: FindingReason.invalidName, path: "\(p).jobTemplateRef",
                                            message: "\(DNSName.quoted(ref)) is not a valid JobTemplate name"))
                }
            }
            for (j, mount) in entry.shareVolumeMounts.enumerated() {
                let n = mount["name"]?.stringValue ?? ""
                if !volumeNames.contains(n) {
                    findings.append(Finding(reason: FindingReason.unknownShareVolume, path: "\(p).shareVolumeMounts[\(j)].name",
                                            message: "no spec.shareVolumes entry is named \(DNSName.quoted(n))"))
                }
            }
        }
        // Dependencies are checked against the raw spec so that paths keep their real indices.
        for entry in spec.flows where firstIndex[entry.name] == entry.index {
            for (j, dep) in entry.dependencies.enumerated() {
                let dp = "\(path(entry)).dependencies[\(rawIndex(of: dep, in: entry) ?? j)]"
                if dep == entry.name {
                    findings.append(Finding(reason: FindingReason.selfDependency, path: dp,
                                            message: "\(DNSName.quoted(dep)) cannot depend on itself"))
                } else if firstIndex[dep] == nil {
                    findings.append(Finding(reason: FindingReason.unknownDependency, path: dp,
                                            message: "unknown flow entry \(DNSName.quoted(dep))"))
                }
            }
        }
        let graph = FlowGraph(spec.flows)
        for cycle in graph.cycles() {
            let at = firstIndex[cycle[0]].map { "spec.flows[\($0)].dependencies" } ?? "spec.flows"
            findings.append(Finding(reason: FindingReason.dependencyCycle, path: at,
                                    message: "dependency cycle: " + cycle.joined(separator: " → ")))
        }
        return findings
    }

    /// FlowEntry keeps dependencies de-duplicated; the index in the original list is recovered
    /// from the stored order (first occurrence), which is what the finding should point at.
    private static func rawIndex(of dep: String, in entry: FlowEntry) -> Int? {
        entry.rawDependencyIndex[dep]
    }
}
