import Foundation
import Kube

/// Server-side `Table` rendering (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with
/// the columns kubectl shows for each kind. Cells are strings or numbers, printed verbatim.
enum TableConverter {
    static let contentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

    struct Column {
        var name: String
        var type: String = "string"
        var format: String = ""
        var priority: Int = 0
        var json: JSONValue {
            ["name": .string(name), "type": .string(type), "format": .string(format), "description": "", "priority": .int(Int64(priority))]
        }
    }

    /// A Table of `objects`; every column is always present (kubectl hides priority > 0 columns
    /// unless `-o wide`).
    static func table(_ info: ResourceInfo, _ objects: [JSONValue], listRV: String?, now: Date = Date()) -> JSONValue {
        let (columns, render) = renderer(info, now: now)
        var meta: JSONValue = .emptyObject
        if let listRV { meta["resourceVersion"] = .string(listRV) }
        let rows: [JSONValue] = objects.map { o in
            var partial: JSONValue = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"] ?? .emptyObject]
            partial["metadata"]?["managedFields"] = nil
            return ["cells": .array(render(o)), "object": partial]
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "rows": .array(rows),
                "columnDefinitions": .array(columns.map(\.json))]
    }

    static let name = Column(name: "Name", format: "name")

    static func str(_ v: JSONValue?) -> JSONValue { .string(v?.stringValue ?? "") }

    static func renderer(_ info: ResourceInfo, now: Date) -> ([Column], (JSONValue) -> [JSONValue]) {
        func age(_ o: JSONValue) -> JSONValue { .string(HumanDuration.age(of: o["metadata"]?["creationTimestamp"]?.stringValue, now: now)) }
        func nm(_ o: JSONValue) -> JSONValue { str(o["metadata"]?["name"]) }
        if info.isCustom { return custom(info, now: now) }
        switch (info.resource.group, info.resource.plural) {
        case ("", "pods"):
            return ([name, Column(name: "Ready"), Column(name: "Status"), Column(name: "Restarts", type: "string"), Column(name: "Age"),
                     Column(name: "IP", priority: 1), Column(name: "Node", priority: 1), Column(name: "Nominated Node", priority: 1),
                     Column(name: "Readiness Gates", priority: 1)],
                    { o in PodPrinter.cells(o, now: now) })
        case ("batch", "jobs"):
            return ([name, Column(name: "Status"), Column(name: "Completions"), Column(name: "Duration"), Column(name: "Age"),
                     Column(name: "Containers", priority: 1), Column(name: "Images", priority: 1), Column(name: "Selector", priority: 1)],
                    { o in JobPrinter.cells(o, now: now) })
        case ("", "nodes"):
            return ([name, Column(name: "Status"), Column(name: "Roles"), Column(name: "Age"), Column(name: "Version"),
                     Column(name: "Internal-IP", priority: 1), Column(name: "External-IP", priority: 1), Column(name: "OS-Image", priority: 1),
                     Column(name: "Kernel-Version", priority: 1), Column(name: "Container-Runtime", priority: 1)],
                    { o in
                        let conditions = o["status"]?["conditions"]?.arrayValue ?? []
                        let ready = conditions.first { $0["type"] == "Ready" }?["status"]?.stringValue
                        var status = ready == "True" ? "Ready" : (ready == "False" ? "NotReady" : "Unknown")
                        if o["spec"]?["unschedulable"]?.boolValue == true { status += ",SchedulingDisabled" }
                        let roles = (o["metadata"]?["labels"]?.objectValue ?? [:]).keys.filter { $0.hasPrefix("node-role.kubernetes.io/") }
                            .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
                        let addresses = o["status"]?["addresses"]?.arrayValue ?? []
                        func address(_ t: String) -> String { addresses.first { $0["type"]?.stringValue == t }?["address"]?.stringValue ?? "<none>" }
                        let nodeInfo = o["status"]?["nodeInfo"]
                        return [nm(o), .string(status), .string(roles.isEmpty ? "<none>" : roles.joined(separator: ",")), age(o),
                                str(nodeInfo?["kubeletVersion"]), .string(address("InternalIP")), .string(address("ExternalIP")),
                                .string(nodeInfo?["osImage"]?.stringValue ?? "<unknown>"), .string(nodeInfo?["kernelVersion"]?.stringValue ?? "<unknown>"),
                                .string(nodeInfo?["containerRuntimeVersion"]?.stringValue ?? "<unknown>")]
                    })
        case ("", "events"):
            return ([Column(name: "Last Seen"), Column(name: "Type"), Column(name: "Reason"), Column(name: "Object"),
                     Column(name: "Subobject", priority: 1), Column(name: "Source", priority: 1), Column(name: "Message"),
                     Column(name: "First Seen", priority: 1), Column(name: "Count", type: "integer", priority: 1), Column(name: "Name", format: "name", priority: 1)],
                    { o in
                        let last = o["lastTimestamp"]?.stringValue ?? o["eventTime"]?.stringValue ?? o["firstTimestamp"]?.stringValue
                        let first = o["firstTimestamp"]?.stringValue ?? o["eventTime"]?.stringValue
                        let count = o["count"]?.intValue ?? 1
                        var lastSeen = HumanDuration.age(of: last, now: now)
                        if count > 1 { lastSeen += " (x\(count) over \(HumanDuration.age(of: first, now: now)))" }
                        let involved = o["involvedObject"] ?? .emptyObject
                        let object = (involved["kind"]?.stringValue ?? "").lowercased() + "/" + (involved["name"]?.stringValue ?? "")
                        let source = o["source"]?["component"]?.stringValue ?? o["reportingComponent"]?.stringValue ?? ""
                        return [.string(lastSeen), str(o["type"]), str(o["reason"]), .string(object), str(involved["fieldPath"]),
                                .string(source), .string((o["message"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)),
                                .string(HumanDuration.age(of: first, now: now)), .int(count), nm(o)]
                    })
        case ("", "namespaces"):
            return ([name, Column(name: "Status"), Column(name: "Age")], { o in [nm(o), str(o["status"]?["phase"]), age(o)] })
        case ("", "configmaps"):
            return ([name, Column(name: "Data", type: "integer"), Column(name: "Age")], { o in
                [nm(o), .int(Int64((o["data"]?.objectValue?.count ?? 0) + (o["binaryData"]?.objectValue?.count ?? 0))), age(o)]
            })
        case ("", "secrets"):
            return ([name, Column(name: "Type"), Column(name: "Data", type: "integer"), Column(name: "Age")], { o in
                [nm(o), str(o["type"]), .int(Int64(o["data"]?.objectValue?.count ?? 0)), age(o)]
            })
        case ("", "services"):
            return ([name, Column(name: "Type"), Column(name: "Cluster-IP"), Column(name: "External-IP"), Column(name: "Port(s)"), Column(name: "Age"),
                     Column(name: "Selector", priority: 1)], { o in
                let ports = (o["spec"]?["ports"]?.arrayValue ?? []).map { "\($0["port"]?.intValue ?? 0)/\($0["protocol"]?.stringValue ?? "TCP")" }
                let selector = (o["spec"]?["selector"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.stringValue ?? "")" }
                return [nm(o), .string(o["spec"]?["type"]?.stringValue ?? "ClusterIP"), .string(o["spec"]?["clusterIP"]?.stringValue ?? "<none>"),
                        .string("<none>"), .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")), age(o),
                        .string(selector.isEmpty ? "<none>" : selector.joined(separator: ","))]
            })
        case ("coordination.k8s.io", "leases"):
            return ([name, Column(name: "Holder"), Column(name: "Age")], { o in [nm(o), str(o["spec"]?["holderIdentity"]), age(o)] })
        case ("", "persistentvolumeclaims"):
            return ([name, Column(name: "Status"), Column(name: "Volume"), Column(name: "Capacity"), Column(name: "Access Modes"),
                     Column(name: "StorageClass"), Column(name: "VolumeAttributesClass"), Column(name: "Age"), Column(name: "VolumeMode", priority: 1)],
                    { o in
                        let modes = (o["spec"]?["accessModes"]?.arrayValue ?? []).compactMap(\.stringValue).map { m -> String in
                            switch m { case "ReadWriteOnce": "RWO"; case "ReadOnlyMany": "ROX"; case "ReadWriteMany": "RWX"; case "ReadWriteOncePod": "RWOP"; default: m }
                        }
                        return [nm(o), str(o["status"]?["phase"]), str(o["spec"]?["volumeName"]), str(o["status"]?["capacity"]?["storage"]),
                                .string(modes.joined(separator: ",")), .string(o["spec"]?["storageClassName"]?.stringValue ?? "<unset>"),
                                .string(o["spec"]?["volumeAttributesClassName"]?.stringValue ?? "<unset>"), age(o),
                                .string(o["spec"]?["volumeMode"]?.stringValue ?? "Filesystem")]
                    })
        default:
            return ([name, Column(name: "Created At", type: "date")], { o in [nm(o), str(o["metadata"]?["creationTimestamp"])] })
        }
    }

    static func custom(_ info: ResourceInfo, now: Date) -> ([Column], (JSONValue) -> [JSONValue]) {
        var columns = [name]
        var paths: [(String, String)] = []
        let defs = info.printerColumns.isEmpty
            ? [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"] as JSONValue]
            : info.printerColumns
        for c in defs {
            let type = c["type"]?.stringValue ?? "string"
            columns.append(Column(name: c["name"]?.stringValue ?? "", type: type, format: c["format"]?.stringValue ?? "",
                                  priority: Int(c["priority"]?.intValue ?? 0)))
            paths.append((c["jsonPath"]?.stringValue ?? "", type))
        }
        return (columns, { o in
            [str(o["metadata"]?["name"])] + paths.map { path, type in
                let values = JSONPath.evaluate(path, o)
                guard let v = values.first else { return type == "date" ? .string("<unknown>") : .null }
                if type == "date" { return .string(HumanDuration.age(of: v.stringValue, now: now)) }
                switch v {
                case .string, .int, .double, .bool: return values.count == 1 ? v : .string(values.map(JSONPath.text).joined(separator: ","))
                default: return .string(v.description)
                }
            }
        })
    }
}
