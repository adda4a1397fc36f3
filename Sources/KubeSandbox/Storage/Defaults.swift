import Foundation
import Kube

/// Server-side defaulting and validation of the built-in kinds (only what clients rely on).
enum Defaults {
    static let subdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

    static func isSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253 else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        guard s.allSatisfy({ allowed.contains($0) }) else { return false }
        let alnum = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        return alnum.contains(s.first!) && alnum.contains(s.last!)
    }

    static func validateName(_ name: String, info: ResourceInfo) -> StatusErrors.Cause? {
        if info.resource.plural == "customresourcedefinitions" { return nil }  // checked against the spec instead
        if isSubdomain(name) { return nil }
        return .init(field: "metadata.name", reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(subdomainMessage)")
    }

    static func apply(_ info: ResourceInfo, _ object: JSONValue, old: JSONValue?) -> JSONValue {
        switch (info.resource.group, info.resource.plural) {
        case ("", "pods"): return pod(object, isCreate: old == nil)
        case ("batch", "jobs"): return job(object)
        case ("", "secrets"):
            // stringData is write-only: merged into data (base64) and dropped, as upstream.
            var o = object
            if let stringData = o["stringData"]?.objectValue {
                var data = o["data"]?.objectValue ?? [:]
                for (k, v) in stringData { data[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString()) }
                o["data"] = .object(data)
                o["stringData"] = nil
            }
            if o["type"] == nil { o["type"] = "Opaque" }
            return o
        case ("", "namespaces"):
            var o = object
            o["metadata"]?["labels"]?["kubernetes.io/metadata.name"] = nil
            var labels = o["metadata"]?["labels"] ?? .emptyObject
            labels["kubernetes.io/metadata.name"] = o["metadata"]?["name"]
            o["metadata"]?["labels"] = labels
            if o["spec"]?["finalizers"] == nil { o["spec"] = ["finalizers": ["kubernetes"]] }
            if o["status"]?["phase"] == nil { o["status"] = ["phase": "Active"] }
            return o
        default: return object
        }
    }

    static func podSpec(_ spec: JSONValue) -> JSONValue {
        var s = spec
        if s["restartPolicy"] == nil { s["restartPolicy"] = "Always" }
        if s["schedulerName"] == nil { s["schedulerName"] = "default-scheduler" }
        if s["dnsPolicy"] == nil { s["dnsPolicy"] = "ClusterFirst" }
        if s["terminationGracePeriodSeconds"] == nil { s["terminationGracePeriodSeconds"] = 30 }
        if s["securityContext"] == nil { s["securityContext"] = .emptyObject }
        for list in ["containers", "initContainers"] {
            guard let containers = s[list]?.arrayValue else { continue }
            s[list] = .array(containers.map { c in
                var c = c
                if c["terminationMessagePath"] == nil { c["terminationMessagePath"] = "/dev/termination-log" }
                if c["terminationMessagePolicy"] == nil { c["terminationMessagePolicy"] = "File" }
                if c["imagePullPolicy"] == nil {
                    let image = c["image"]?.stringValue ?? ""
                    let tag = image.split(separator: "/").last.flatMap { $0.split(separator: ":").dropFirst().first }
                    c["imagePullPolicy"] = (tag == nil || tag == "latest") && !image.contains("@") ? "Always" : "IfNotPresent"
                }
                if c["resources"] == nil { c["resources"] = .emptyObject }
                return c
            })
        }
        return s
    }

    static func pod(_ object: JSONValue, isCreate: Bool) -> JSONValue {
        var o = object
        o["spec"] = podSpec(o["spec"] ?? .emptyObject)
        if isCreate {
            var status = o["status"] ?? .emptyObject
            if status["phase"] == nil { status["phase"] = "Pending" }
            if status["qosClass"] == nil { status["qosClass"] = .string(qosClass(o["spec"] ?? .emptyObject)) }
            o["status"] = status
        }
        return o
    }

    /// Guaranteed when every container limits and requests cpu and memory equally, BestEffort
    /// when none requests or limits anything, else Burstable.
    static func qosClass(_ spec: JSONValue) -> String {
        let containers = (spec["containers"]?.arrayValue ?? []) + (spec["initContainers"]?.arrayValue ?? [])
        var any = false, guaranteed = !containers.isEmpty
        for c in containers {
            let requests = c["resources"]?["requests"]?.objectValue ?? [:]
            let limits = c["resources"]?["limits"]?.objectValue ?? [:]
            if !requests.isEmpty || !limits.isEmpty { any = true }
            for r in ["cpu", "memory"] {
                guard let limit = limits[r] else { guaranteed = false; continue }
                if let request = requests[r], request != limit { guaranteed = false }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    static func job(_ object: JSONValue) -> JSONValue {
        var o = object
        var spec = o["spec"] ?? .emptyObject
        let uid = o["metadata"]?["uid"]?.stringValue ?? ""
        let name = o["metadata"]?["name"]?.stringValue ?? ""
        if spec["parallelism"] == nil { spec["parallelism"] = 1 }
        if spec["completions"] == nil { spec["completions"] = 1 }
        if spec["backoffLimit"] == nil { spec["backoffLimit"] = 6 }
        if spec["completionMode"] == nil { spec["completionMode"] = "NonIndexed" }
        if spec["suspend"] == nil { spec["suspend"] = false }
        if spec["manualSelector"]?.boolValue != true && spec["selector"] == nil {
            spec["selector"] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
        }
        var template = spec["template"] ?? .emptyObject
        var labels = template["metadata"]?["labels"] ?? .emptyObject
        if spec["manualSelector"]?.boolValue != true {
            labels["batch.kubernetes.io/controller-uid"] = .string(uid)
            labels["batch.kubernetes.io/job-name"] = .string(name)
            labels["controller-uid"] = .string(uid)
            labels["job-name"] = .string(name)
        }
        if template["metadata"] == nil { template["metadata"] = .emptyObject }
        template["metadata"]?["labels"] = labels
        template["spec"] = podSpec(template["spec"] ?? .emptyObject)
        spec["template"] = template
        o["spec"] = spec
        if (o["metadata"]?["labels"]?.objectValue ?? [:]).isEmpty {
            o["metadata"]?["labels"] = labels
        }
        return o
    }

    static func validate(_ info: ResourceInfo, _ object: JSONValue, old: JSONValue?) -> [StatusErrors.Cause] {
        var causes: [StatusErrors.Cause] = []
        switch (info.resource.group, info.resource.plural) {
        case ("", "pods"):
            if (object["spec"]?["containers"]?.arrayValue ?? []).isEmpty {
                causes.append(.init(field: "spec.containers", reason: "FieldValueRequired", message: "Required value"))
            }
        case ("batch", "jobs"):
            let tspec = object["spec"]?["template"]?["spec"]
            if (tspec?["containers"]?.arrayValue ?? []).isEmpty {
                causes.append(.init(field: "spec.template.spec.containers", reason: "FieldValueRequired", message: "Required value"))
            }
            let rp = tspec?["restartPolicy"]?.stringValue ?? ""
            if rp != "Never" && rp != "OnFailure" {
                causes.append(.init(field: "spec.template.spec.restartPolicy", reason: "FieldValueNotSupported",
                                    message: "Unsupported value: \"\(rp)\": supported values: \"OnFailure\", \"Never\""))
            }
            let suspendedNeverStarted = old?["spec"]?["suspend"]?.boolValue == true && old?["status"]?["startTime"] == nil
            if let old, old["spec"]?["template"] != object["spec"]?["template"], !suspendedNeverStarted {
                causes.append(.init(field: "spec.template", reason: "FieldValueInvalid",
                                    message: "Invalid value: \(object["spec"]?["template"]?.description ?? "null"): field is immutable"))
            }
            for field in ["completionMode", "podFailurePolicy", "backoffLimitPerIndex"] where old != nil && old?["spec"]?[field] != object["spec"]?[field] {
                causes.append(.init(field: "spec.\(field)", reason: "FieldValueInvalid",
                                    message: "Invalid value: \(object["spec"]?[field]?.description ?? "null"): field is immutable"))
            }
            if let old, old["spec"]?["selector"] != object["spec"]?["selector"] {
                causes.append(.init(field: "spec.selector", reason: "FieldValueInvalid",
                                    message: "Invalid value: \(object["spec"]?["selector"]?.description ?? "null"): field is immutable"))
            }
        default: break
        }
        return causes
    }
}
