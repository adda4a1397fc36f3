import JobFlowAPI
import Kube

/// A rendered Job and the warnings rendering produced (each becomes a Warning event).
public struct RenderedJob: Sendable, Hashable {
    public var job: JSONValue
    public var warnings: [String]
}

/// Renders flow entries and DaemonJob nodes into batch/v1 Jobs. Pure: the same input always
/// gives the same Job.
public enum JobRenderer {
    /// The Job for `entry` of a JobFlow, from `jobSpec` (the entry's inline JobSpec or its
    /// JobTemplate's `spec.jobTemplate`).
    public static func render(flowEntry entry: FlowEntry, of spec: JobFlowSpec, owner: Owner, jobSpec: JSONValue,
                              attempt: Int) -> RenderedJob {
        let mounted = Set(entry.shareVolumeMounts.compactMap { $0["name"]?.stringValue })
        let volumes = spec.shareVolumes.filter { mounted.contains($0["name"]?.stringValue ?? "") }
        return render(name: JobName.make(owner: owner.name, suffix: entry.name), owner: owner,
                      identity: [Keys.jobflowLabel: JobName.safeLabelValue(owner.name), Keys.flowLabel: entry.name],
                      extraAnnotations: [:], global: spec.globalParams, jobSpec: jobSpec, attempt: attempt,
                      nodeName: spec.globalParams.nodeName, affinityNode: nil, volumes: volumes,
                      mounts: entry.shareVolumeMounts)
    }

    /// The Job for `node` of a DaemonJob, pinned to that node.
    public static func render(node: String, of spec: DaemonJobSpec, owner: Owner, attempt: Int,
                              pinning: NodePinning = .nodeAffinity) -> RenderedJob {
        render(name: JobName.make(owner: owner.name, suffix: node), owner: owner,
               identity: [Keys.daemonJobLabel: JobName.safeLabelValue(owner.name), Keys.nodeLabel: JobName.safeLabelValue(node)],
               extraAnnotations: [Keys.nodeAnnotation: node], global: spec.globalParams, jobSpec: spec.jobSpec,
               attempt: attempt, nodeName: pinning == .nodeName ? node : nil,
               affinityNode: pinning == .nodeAffinity ? node : nil, volumes: [], mounts: [])
    }

    static func render(name: String, owner: Owner, identity: [String: String], extraAnnotations: [String: String],
                       global: GlobalParams, jobSpec: JSONValue, attempt: Int, nodeName: String?, affinityNode: String?,
                       volumes: [JSONValue], mounts: [JSONValue]) -> RenderedJob {
        var warnings: [String] = []
        var spec = jobSpec.objectValue != nil ? jobSpec : .emptyObject
        if spec["backoffLimit"] == nil || spec["backoffLimit"]?.isNull == true { spec["backoffLimit"] = 0 }

        var template = spec["template"]?.objectValue != nil ? spec["template"]! : .emptyObject
        var podMeta = template["metadata"]?.objectValue != nil ? template["metadata"]! : .emptyObject
        podMeta["labels"] = merged(podMeta["labels"], global: global.labels, identity: identity)
        podMeta["annotations"] = merged(podMeta["annotations"], global: global.annotations, identity: [:])
        // The pod template's own name/namespace/ownerReferences mean nothing to a Job; keep them out.
        podMeta["name"] = nil
        podMeta["namespace"] = nil
        template["metadata"] = podMeta

        var pod = template["spec"]?.objectValue != nil ? template["spec"]! : .emptyObject
        if let policy = pod["restartPolicy"]?.stringValue, policy != "Never" {
            warnings.append("restartPolicy \(policy) overridden to Never")
        }
        pod["restartPolicy"] = "Never"
        if let nodeName, pod["nodeName"]?.stringValue?.isEmpty ?? true { pod["nodeName"] = .string(nodeName) }
        if let affinityNode { pod["affinity"] = pinnedAffinity(pod["affinity"], node: affinityNode) }
        for key in ["containers", "initContainers"] {
            guard let list = pod[key]?.arrayValue else { continue }
            pod[key] = .array(list.map { container in
                var c = container
                guard c.objectValue != nil else { return c }
                c["env"] = mergedEnv(c["env"], global: global.env)
                if !mounts.isEmpty { c["volumeMounts"] = mergedByName(c["volumeMounts"], adding: mounts, alsoKey: "mountPath") }
                return c
            })
        }
        if !volumes.isEmpty { pod["volumes"] = mergedByName(pod["volumes"], adding: volumes, alsoKey: nil) }
        template["spec"] = pod
        spec["template"] = template

        var annotations = global.annotations
        for (k, v) in extraAnnotations { annotations[k] = v }
        annotations[Keys.attemptAnnotation] = String(attempt)
        var labels = global.labels
        for (k, v) in identity { labels[k] = v }
        var metadata: JSONValue = [
            "name": .string(name),
            "labels": .object(labels.mapValues { .string($0) }),
            "annotations": .object(annotations.mapValues { .string($0) }),
            "ownerReferences": [owner.ownerReference],
        ]
        if let ns = owner.namespace { metadata["namespace"] = .string(ns) }
        let job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": spec]
        return RenderedJob(job: job, warnings: warnings)
    }

    /// Template keys win over global ones; identity labels win over both (they say what owns the pod).
    static func merged(_ existing: JSONValue?, global: [String: String], identity: [String: String]) -> JSONValue {
        var result = global.mapValues { JSONValue.string($0) }
        for (k, v) in existing?.objectValue ?? [:] { result[k] = v }
        for (k, v) in identity { result[k] = .string(v) }
        return .object(result)
    }

    /// The container's own variables first and kept; global variables it does not set appended.
    static func mergedEnv(_ existing: JSONValue?, global: [JSONValue]) -> JSONValue? {
        let own = existing?.arrayValue ?? []
        if global.isEmpty { return existing }
        var names = Set(own.compactMap { $0["name"]?.stringValue })
        var result = own
        for variable in global {
            guard let n = variable["name"]?.stringValue, names.insert(n).inserted else { continue }
            result.append(variable)
        }
        return .array(result)
    }

    /// `adding` appended unless an item with the same name (or the same `alsoKey`) exists.
    static func mergedByName(_ existing: JSONValue?, adding: [JSONValue], alsoKey: String?) -> JSONValue {
        var result = existing?.arrayValue ?? []
        var names = Set(result.compactMap { $0["name"]?.stringValue })
        var others = Set(alsoKey.map { k in result.compactMap { $0[k]?.stringValue } } ?? [])
        for item in adding {
            guard let n = item["name"]?.stringValue, !names.contains(n) else { continue }
            if let k = alsoKey, let v = item[k]?.stringValue, others.contains(v) { continue }
            names.insert(n)
            if let k = alsoKey, let v = item[k]?.stringValue { others.insert(v) }
            result.append(item)
        }
        return .array(result)
    }

    /// The pod's affinity with its required node affinity replaced by one term matching the node's
    /// name, as the DaemonSet controller does (the node already passed the template's own terms).
    static func pinnedAffinity(_ existing: JSONValue?, node: String) -> JSONValue {
        var affinity = existing?.objectValue != nil ? existing! : .emptyObject
        var nodeAffinity = affinity["nodeAffinity"]?.objectValue != nil ? affinity["nodeAffinity"]! : .emptyObject
        let term: JSONValue = ["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(node)]]]]
        nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = ["nodeSelectorTerms": [term]]
        affinity["nodeAffinity"] = nodeAffinity
        return affinity
    }
}
