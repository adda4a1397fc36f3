import Kube

/// The known fields of the built-in structures that users write most (object and metadata,
/// Job and Pod specs, pod templates, containers): unknown fields there are dropped, as the real
/// server's decoder does, or rejected under `fieldValidation=Strict`. Deeper structures are not
/// checked.
enum BuiltinFields {
    static let top: Set<String> = ["apiVersion", "kind", "metadata", "spec", "status"]
    static let metadata: Set<String> = ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
                                        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
                                        "annotations", "ownerReferences", "finalizers", "managedFields"]
    static let jobSpec: Set<String> = ["parallelism", "completions", "activeDeadlineSeconds", "podFailurePolicy", "successPolicy",
                                       "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "selector", "manualSelector",
                                       "template", "ttlSecondsAfterFinished", "completionMode", "suspend", "podReplacementPolicy", "managedBy"]
    static let template: Set<String> = ["metadata", "spec"]
    static let podSpec: Set<String> = ["volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
                                       "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
                                       "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork",
                                       "hostPID", "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname",
                                       "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases", "priorityClassName",
                                       "priority", "dnsConfig", "readinessGates", "runtimeClassName", "enableServiceLinks",
                                       "preemptionPolicy", "overhead", "topologySpreadConstraints", "setHostnameAsFQDN", "os",
                                       "hostUsers", "schedulingGates", "resourceClaims", "resources"]
    static let container: Set<String> = ["name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
                                         "resizePolicy", "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe",
                                         "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
                                         "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty"]

    /// Prunes unknown fields; under Strict throws 400 `strict decoding error: unknown field "…"`.
    static func check(_ object: JSONValue, info: ResourceInfo, fieldValidation: String?) throws(APIError) -> JSONValue {
        guard info.resource.group == "batch" && info.resource.plural == "jobs" || info.resource.group.isEmpty && info.resource.plural == "pods" else {
            return object
        }
        var unknown: [String] = []
        var o = prune(object, allowed: top, path: "", unknown: &unknown)
        if let meta = o["metadata"] { o["metadata"] = prune(meta, allowed: metadata, path: "metadata", unknown: &unknown) }
        if info.resource.plural == "jobs", var spec = o["spec"] {
            spec = prune(spec, allowed: jobSpec, path: "spec", unknown: &unknown)
            if var t = spec["template"] {
                t = prune(t, allowed: template, path: "spec.template", unknown: &unknown)
                if let m = t["metadata"] { t["metadata"] = prune(m, allowed: metadata, path: "spec.template.metadata", unknown: &unknown) }
                if let ps = t["spec"] { t["spec"] = pod(ps, path: "spec.template.spec", unknown: &unknown) }
                spec["template"] = t
            }
            o["spec"] = spec
        } else if let spec = o["spec"] {
            o["spec"] = pod(spec, path: "spec", unknown: &unknown)
        }
        if fieldValidation == "Strict" && !unknown.isEmpty {
            throw StatusErrors.badRequest("strict decoding error: " + unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", "))
        }
        return o
    }

    static func pod(_ spec: JSONValue, path: String, unknown: inout [String]) -> JSONValue {
        var s = prune(spec, allowed: podSpec, path: path, unknown: &unknown)
        for list in ["containers", "initContainers"] {
            guard let items = s[list]?.arrayValue else { continue }
            s[list] = .array(items.enumerated().map { prune($1, allowed: container, path: "\(path).\(list)[\($0)]", unknown: &unknown) })
        }
        return s
    }

    static func prune(_ value: JSONValue, allowed: Set<String>, path: String, unknown: inout [String]) -> JSONValue {
        guard case .object(var members) = value else { return value }
        for key in members.keys.sorted() where !allowed.contains(key) {
            members[key] = nil
            unknown.append(path.isEmpty ? key : "\(path).\(key)")
        }
        return .object(members)
    }
}
