import Kube

/// Checks a CustomResourceDefinition and turns it into served resources.
enum CRDRegistration {
    static func prepare(_ crd: JSONValue, info: ResourceInfo) throws(APIError) -> JSONValue {
        var o = crd
        let name = o["metadata"]?["name"]?.stringValue ?? ""
        let spec = o["spec"] ?? .emptyObject
        let group = spec["group"]?.stringValue ?? ""
        let plural = spec["names"]?["plural"]?.stringValue ?? ""
        var causes: [StatusErrors.Cause] = []
        if group.isEmpty { causes.append(.init(field: "spec.group", reason: "FieldValueRequired", message: "Required value")) }
        if plural.isEmpty { causes.append(.init(field: "spec.names.plural", reason: "FieldValueRequired", message: "Required value")) }
        if (spec["names"]?["kind"]?.stringValue ?? "").isEmpty {
            causes.append(.init(field: "spec.names.kind", reason: "FieldValueRequired", message: "Required value"))
        }
        if !group.isEmpty, !plural.isEmpty, name != "\(plural).\(group)" {
            causes.append(.init(field: "metadata.name", reason: "FieldValueInvalid",
                                message: "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group"))
        }
        let scope = spec["scope"]?.stringValue ?? ""
        if scope != "Namespaced" && scope != "Cluster" {
            causes.append(.init(field: "spec.scope", reason: "FieldValueNotSupported",
                                message: "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\""))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty { causes.append(.init(field: "spec.versions", reason: "FieldValueInvalid", message: "Invalid value: null: must have exactly one version marked as storage version")) }
        if versions.filter({ $0["storage"]?.boolValue == true }).count != 1 && !versions.isEmpty {
            causes.append(.init(field: "spec.versions", reason: "FieldValueInvalid",
                                message: "Invalid value: \(JSONValue.array(versions.map { $0["name"] ?? .null }).description): must have exactly one version marked as storage version"))
        }
        for (i, v) in versions.enumerated() {
            if let schema = v["schema"]?["openAPIV3Schema"] {
                causes.append(contentsOf: StructuralSchema.violations(schema, path: "spec.versions[\(i)].schema.openAPIV3Schema", root: true))
            } else {
                causes.append(.init(field: "spec.versions[\(i)].schema.openAPIV3Schema", reason: "FieldValueRequired",
                                    message: "Required value: schemas are required"))
            }
        }
        if !causes.isEmpty { throw StatusErrors.invalid(info, name: name, causes: causes) }
        let time = o["metadata"]?["creationTimestamp"]?.stringValue ?? ""
        var status = o["status"] ?? .emptyObject
        status["conditions"] = [
            ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": .string(time)],
            ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": .string(time)],
        ]
        status["acceptedNames"] = spec["names"]
        status["storedVersions"] = .array(versions.filter { $0["storage"]?.boolValue == true }.compactMap { $0["name"] })
        o["status"] = status
        return o
    }

    /// The served resources of a CRD, one per served version.
    static func resources(of crd: JSONValue) -> [ResourceInfo] {
        let spec = crd["spec"] ?? .emptyObject
        let names = spec["names"] ?? .emptyObject
        let group = spec["group"]?.stringValue ?? ""
        return (spec["versions"]?.arrayValue ?? []).filter { $0["served"]?.boolValue ?? true }.map { v in
            ResourceInfo(
                resource: Resource(group: group, version: v["name"]?.stringValue ?? "", plural: names["plural"]?.stringValue ?? "",
                                   kind: names["kind"]?.stringValue ?? "", namespaced: spec["scope"]?.stringValue != "Cluster"),
                singular: names["singular"]?.stringValue ?? (names["kind"]?.stringValue ?? "").lowercased(),
                shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
                categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
                hasStatus: v["subresources"]?["status"] != nil,
                isCustom: true,
                schema: v["schema"]?["openAPIV3Schema"],
                printerColumns: v["additionalPrinterColumns"]?.arrayValue ?? [])
        }
    }
}

extension StoreState {
    mutating func registerCRD(_ crd: JSONValue) {
        unregisterCRD(crd, keepObjects: true)
        for info in CRDRegistration.resources(of: crd) { served[Self.servedKey(info.resource)] = info }
        servedGeneration += 1
    }

    mutating func unregisterCRD(_ crd: JSONValue, keepObjects: Bool = false) {
        let group = crd["spec"]?["group"]?.stringValue ?? ""
        let plural = crd["spec"]?["names"]?["plural"]?.stringValue ?? ""
        for (key, info) in served where info.isCustom && info.resource.group == group && info.resource.plural == plural {
            served[key] = nil
        }
        if !keepObjects {
            for object in (objects.removeValue(forKey: "\(group)/\(plural)") ?? [:]).values {
                if let uid = object["metadata"]?["uid"]?.stringValue { uids.remove(uid) }
            }
            for (id, w) in watchers where w.info.storageKey == "\(group)/\(plural)" {
                watchers[id] = nil
                outbox.append { w.channel.finish() }
            }
        }
        servedGeneration += 1
    }
}
