import Kube

// The stored form of the spec values: what `decode` reads, written back. Empty optional fields
// are left out, as the API server prunes them; decode(json) gives the value back.

extension GlobalParams {
    /// `spec.globalParams` as stored.
    public var json: JSONValue {
        var o: JSONValue = .emptyObject
        o.set("nodeName", nodeName)
        if !env.isEmpty { o["env"] = .array(env) }
        if !labels.isEmpty { o["labels"] = .object(labels.mapValues(JSONValue.string)) }
        if !annotations.isEmpty { o["annotations"] = .object(annotations.mapValues(JSONValue.string)) }
        return o
    }

    var isEmpty: Bool { nodeName == nil && env.isEmpty && labels.isEmpty && annotations.isEmpty }
}

extension FlowEntry {
    /// One item of `spec.flows` as stored.
    public var json: JSONValue {
        var o: JSONValue = ["name": .string(name)]
        if !dependencies.isEmpty { o["dependencies"] = .array(dependencies.map(JSONValue.string)) }
        if let jobTemplate { o["jobTemplate"] = jobTemplate }
        o.set("jobTemplateRef", jobTemplateRef)
        if !shareVolumeMounts.isEmpty { o["shareVolumeMounts"] = .array(shareVolumeMounts) }
        return o
    }
}

extension JobFlowSpec {
    /// `spec` of a JobFlow as stored.
    public var json: JSONValue {
        var o: JSONValue = ["flows": .array(flows.map(\.json))]
        if !globalParams.isEmpty { o["globalParams"] = globalParams.json }
        if !shareVolumes.isEmpty { o["shareVolumes"] = .array(shareVolumes) }
        if failurePolicy != .continue { o["failurePolicy"] = .string(failurePolicy.rawValue) }
        return o
    }
}

extension DaemonJobSpec {
    /// `spec` of a DaemonJob as stored: the JobSpec fields inline, with globalParams and the
    /// exclude list beside them.
    public var json: JSONValue {
        var o = jobSpec.objectValue.map(JSONValue.object) ?? .emptyObject
        if !globalParams.isEmpty { o["globalParams"] = globalParams.json }
        if !excludeNodeList.names.isEmpty { o["excludeNodeList"] = .string(excludeNodeList.names.joined(separator: ", ")) }
        return o
    }
}

extension JobTemplateSpec {
    /// `spec` of a JobTemplate as stored.
    public var json: JSONValue { ["jobTemplate": jobTemplate] }
}
