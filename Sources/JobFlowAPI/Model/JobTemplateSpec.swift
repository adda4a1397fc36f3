import Kube

/// `spec` of a JobTemplate: a full JobSpec under `spec.jobTemplate`.
public struct JobTemplateSpec: Sendable, Hashable {
    /// A full batch/v1 JobSpec, passed through as written to the Job of every flow entry that names
    /// this template in jobTemplateRef (with the flow's global params added, restartPolicy set to
    /// Never and backoffLimit defaulting to 0). It is read when that entry's Job is created:
    /// editing the template later does not change Jobs that exist.
    public var jobTemplate: JSONValue

    public static func decode(_ spec: JSONValue?, path: String = "spec") -> (spec: JobTemplateSpec?, findings: [Finding]) {
        var r = FieldReader()
        guard let members = r.object(spec, path) else {
            if spec == nil || spec?.isNull == true { r.fail(path, "is required") }
            return (nil, r.findings)
        }
        guard let template = members["jobTemplate"], template.objectValue != nil else {
            r.fail("\(path).jobTemplate", members["jobTemplate"].map { "must be an object (a JobSpec), not \($0.typeName)" } ?? "is required",
                   reason: FindingReason.invalidTemplate)
            return (nil, r.findings)
        }
        return (JobTemplateSpec(jobTemplate: template), r.findings)
    }
}
