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
    public var nodeName: String?
    public var env: [JSONValue]
    public var labels: [String: String]
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
    public var name: String
    /// Dependencies in spec order, duplicates removed.
    public var dependencies: [String]
    /// An inline JobSpec, when given.
    public var jobTemplate: JSONValue?
    /// The name of a JobTemplate, when given.
    public var jobTemplateRef: String?
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
    public var globalParams: GlobalParams
    public var shareVolumes: [JSONValue]
    public var failurePolicy: FailurePolicy
    /// Entries with a usable name, in spec order (entries without one are only findings).
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
