import Kube

/// Checks that a JobSpec has a usable pod template (the fields rendering relies on).
public enum PodTemplateCheck {
    public static func check(_ jobSpec: JSONValue, path: String) -> [Finding] {
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
