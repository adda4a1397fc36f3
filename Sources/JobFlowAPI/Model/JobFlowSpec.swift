import Kube

/// What a JobFlow does after an entry fails or is cancelled.
public enum FailurePolicy: String, Sendable, Hashable {
    /// Keep starting entries that do not depend on a failure (the default).
    case `continue` = "Continue"
    /// Start nothing new after the first failure; running entries keep running.
    case failFast = "FailFast"
}

/// Values rendered into every Job and pod (`spec.globalParams`).
public struct GlobalParams: Sendable, Hashable {
    /// The node every pod of a JobFlow runs on: it becomes the pod's spec.nodeName (the scheduler
    /// is bypassed) unless the template already names a node. Unset, the scheduler places each pod.
    /// A DaemonJob has no such field: it pins each Job to its own node.
    public var nodeName: String?
    /// Environment variables (Kubernetes EnvVar objects, passed through as written) added to every
    /// container and init container. A container that already sets a variable of the same name
    /// keeps its own value.
    public var env: [JSONValue]
    /// Labels added to every Job and its pod template. A key the template already sets keeps its
    /// own value; the operator's own api.practice.com/ labels, which say what a Job belongs to,
    /// always win.
    public var labels: [String: String]
    /// Annotations added to every Job and its pod template. A key the template already sets keeps
    /// its own value.
    public var annotations: [String: String]

    public init(nodeName: String? = nil, env: [JSONValue] = [], labels: [String: String] = [:],
                annotations: [String: String] = [:]) {
        self.nodeName = nodeName
        self.env = env
        self.labels = labels
        self.annotations = annotations
    }

    static func read(_ value: JSONValue?, _ path: String, _ r: inout FieldReader, allowNodeName: Bool) -> GlobalParams {
        guard let members = r.object(value, path) else { return GlobalParams() }
        var params = GlobalParams()
        if allowNodeName {
            params.nodeName = r.string(members["nodeName"], "\(path).nodeName")
            if let n = params.nodeName, !DNSName.isSubdomain(n) {
                r.fail("\(path).nodeName", "\(DNSName.quoted(n)) is not a valid node name", reason: FindingReason.invalidName)
            }
        }
        params.env = r.namedObjects(members["env"], "\(path).env")
        params.labels = r.stringMap(members["labels"], "\(path).labels")
        params.annotations = r.stringMap(members["annotations"], "\(path).annotations")
        return params
    }
}

/// One entry of `spec.flows`: a Job and the entries it waits for.
public struct FlowEntry: Sendable, Hashable {
    /// The entry's name, unique within the flow: a DNS-1123 label (lower-case letters, digits and
    /// '-', at most 63 characters). Other entries name it in their dependencies, and it is the last
    /// part of its Job's name.
    public var name: String
    /// Names of the entries that must all succeed before this one starts; empty or absent, it
    /// starts at once. A name that is not an entry, the entry's own name, or a cycle makes the spec
    /// invalid. A name listed twice counts once (with a warning).
    public var dependencies: [String]
    /// The Job to run, written inline: a full batch/v1 JobSpec whose fields pass through to the Job
    /// as written, except that the operator adds the global params, sets the pod's restartPolicy to
    /// Never and defaults backoffLimit to 0. Set exactly one of jobTemplate and jobTemplateRef.
    public var jobTemplate: JSONValue?
    /// The name of a JobTemplate in the same namespace whose spec.jobTemplate is the Job to run. It
    /// is read when the entry's Job is created; while it does not exist the entry waits with reason
    /// TemplateNotFound. Set exactly one of jobTemplate and jobTemplateRef.
    public var jobTemplateRef: String?
    /// Volume mounts (Kubernetes VolumeMount objects, passed through as written) added to every
    /// container and init container of this entry's pod. Each must name one of spec.shareVolumes,
    /// which is then added to the pod. A container that already mounts that name or path keeps its
    /// own mount.
    public var shareVolumeMounts: [JSONValue]
    /// Position in `spec.flows`, for field paths.
    public var index: Int
    /// Position of each dependency's first occurrence in the raw list, for field paths.
    public var rawDependencyIndex: [String: Int] = [:]

    public init(name: String, dependencies: [String] = [], jobTemplate: JSONValue? = nil,
                jobTemplateRef: String? = nil, shareVolumeMounts: [JSONValue] = [], index: Int = 0) {
        self.name = name
        self.dependencies = dependencies
        self.jobTemplate = jobTemplate
        self.jobTemplateRef = jobTemplateRef
        self.shareVolumeMounts = shareVolumeMounts
        self.index = index
    }
}

/// `spec` of a JobFlow, decoded tolerantly: every problem is a `Finding`, never a crash.
public struct JobFlowSpec: Sendable, Hashable {
    /// Labels, annotations, environment variables and a node name that the operator adds to every
    /// Job of the flow and to its pods. A value the entry's own template already sets wins.
    public var globalParams: GlobalParams
    /// Pod volumes (Kubernetes Volume objects, passed through as written) that flow entries share.
    /// A volume is added to an entry's pod only when the entry's shareVolumeMounts names it; a pod
    /// volume of the same name in the template wins.
    public var shareVolumes: [JSONValue]
    /// What the flow does after an entry fails. Continue (the default): entries that do not depend
    /// on the failed one keep starting. FailFast: no entry starts after the first failure; Jobs
    /// already running finish, and entries that were about to start become Skipped with reason
    /// FailFast. Either way, the entries that depend on a failed or cancelled entry become Skipped.
    public var failurePolicy: FailurePolicy
    /// The flow entries, in the order written. Each becomes one batch/v1 Job, named <flow>-<entry>,
    /// that is created once every one of its dependencies has succeeded. Entry names are unique:
    /// the list is keyed by name.
    public var flows: [FlowEntry]

    public init(globalParams: GlobalParams = GlobalParams(), shareVolumes: [JSONValue] = [],
                failurePolicy: FailurePolicy = .continue, flows: [FlowEntry]) {
        self.globalParams = globalParams
        self.shareVolumes = shareVolumes
        self.failurePolicy = failurePolicy
        self.flows = flows
    }

    /// Decodes `spec` (the value of the object's `spec` field) and reports the field-level findings.
    /// Graph problems (unknown dependencies, cycles) are checked by `Validator`.
    public static func decode(_ spec: JSONValue?, path: String = "spec") -> (spec: JobFlowSpec, findings: [Finding]) {
        var r = FieldReader()
        guard let members = r.object(spec, path) else {
            if spec == nil || spec?.isNull == true { r.fail(path, "is required") }
            return (JobFlowSpec(flows: []), r.findings)
        }
        let params = GlobalParams.read(members["globalParams"], "\(path).globalParams", &r, allowNodeName: true)
        let volumes = r.namedObjects(members["shareVolumes"], "\(path).shareVolumes")
        var policy = FailurePolicy.continue
        if let p = r.string(members["failurePolicy"], "\(path).failurePolicy") {
            if let known = FailurePolicy(rawValue: p) { policy = known } else {
                r.fail("\(path).failurePolicy", "must be Continue or FailFast, not \(DNSName.quoted(p))")
            }
        }
        var entries: [FlowEntry] = []
        if let items = r.array(members["flows"], "\(path).flows") {
            if items.isEmpty { r.fail("\(path).flows", "must name at least one flow entry") }
            for (i, item) in items.enumerated() {
                if let entry = readEntry(item, "\(path).flows[\(i)]", index: i, &r) { entries.append(entry) }
            }
        } else if members["flows"] == nil || members["flows"]?.isNull == true {
            r.fail("\(path).flows", "is required")
        }
        return (JobFlowSpec(globalParams: params, shareVolumes: volumes, failurePolicy: policy, flows: entries), r.findings)
    }

    private static func readEntry(_ item: JSONValue, _ path: String, index: Int, _ r: inout FieldReader) -> FlowEntry? {
        guard let members = r.object(item, path) else { return nil }
        guard let name = r.string(members["name"], "\(path).name") else {
            if members["name"] == nil || members["name"]?.isNull == true { r.fail("\(path).name", "is required", reason: FindingReason.invalidName) }
            return nil
        }
        var dependencies: [String] = []
        var rawIndex: [String: Int] = [:]
        if let deps = r.array(members["dependencies"], "\(path).dependencies") {
            for (j, dep) in deps.enumerated() {
                guard let d = r.string(dep, "\(path).dependencies[\(j)]") else { continue }
                if dependencies.contains(d) {
                    r.warn("\(path).dependencies[\(j)]", "\(DNSName.quoted(d)) is listed more than once", reason: FindingReason.duplicateDependency)
                } else {
                    dependencies.append(d)
                    rawIndex[d] = j
                }
            }
        }
        var template: JSONValue?
        if let t = members["jobTemplate"], !t.isNull {
            if t.objectValue == nil {
                r.fail("\(path).jobTemplate", "must be an object (a JobSpec), not \(t.typeName)", reason: FindingReason.invalidTemplate)
            } else {
                template = t
            }
        }
        let ref = r.string(members["jobTemplateRef"], "\(path).jobTemplateRef")
        let mounts = r.namedObjects(members["shareVolumeMounts"], "\(path).shareVolumeMounts")
        var entry = FlowEntry(name: name, dependencies: dependencies, jobTemplate: template, jobTemplateRef: ref,
                              shareVolumeMounts: mounts, index: index)
        entry.rawDependencyIndex = rawIndex
        return entry
    }
}
