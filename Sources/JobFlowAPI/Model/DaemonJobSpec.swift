import Kube

/// `spec` of a DaemonJob: global params, the exclude list and an inline JobSpec (`template`,
/// `backoffLimit`, … directly under `spec`, as in the seed).
public struct DaemonJobSpec: Sendable, Hashable {
    /// Labels, annotations and environment variables that the operator adds to every Job and pod of
    /// the DaemonJob. A value the pod template already sets wins.
    public var globalParams: GlobalParams
    /// Nodes that get no Job, as one comma-separated string ("node1, node2"). Whitespace around
    /// names is ignored; empty items and repeated names are ignored with a warning. Names that are
    /// not nodes of the cluster are listed in status.unknownExcludedNodes.
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
