import Foundation
import Kube

extension StoreState {
    static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func randomSuffix() -> String {
        String((0..<5).map { _ in nameAlphabet.randomElement()! })
    }

    /// Kinds whose `metadata.generation` tracks spec changes.
    static func tracksGeneration(_ info: ResourceInfo) -> Bool {
        info.isCustom || info.resource.plural == "jobs" || info.resource.plural == "customresourcedefinitions"
            || info.resource.plural == "persistentvolumeclaims"
    }

    /// Kinds whose DELETE answers with the object rather than a success `Status`.
    static func returnsDeletedObject(_ info: ResourceInfo) -> Bool {
        info.resource.group.isEmpty && ["pods", "namespaces", "nodes"].contains(info.resource.plural)
    }

    // MARK: create

    mutating func create(_ info: ResourceInfo, namespace: String?, object input: JSONValue, options: WriteOptions) throws(APIError) -> JSONValue {
        guard case .object = input else { throw StatusErrors.badRequest("the body of the request must be a JSON object") }
        var object = input
        var meta = object["metadata"] ?? .emptyObject
        let ns: String?
        if info.resource.namespaced {
            let objectNS = meta["namespace"]?.stringValue
            if let namespace, let objectNS, !objectNS.isEmpty, objectNS != namespace {
                throw StatusErrors.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            let chosen = namespace ?? ((objectNS?.isEmpty ?? true) ? "default" : objectNS!)
            guard namespaceExists(chosen) else { throw StatusErrors.namespaceNotFound(chosen) }
            ns = chosen
            meta["namespace"] = .string(chosen)
        } else {
            ns = nil
            meta["namespace"] = nil
        }
        var name = meta["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = meta["generateName"]?.stringValue, !prefix.isEmpty {
            let base = String(prefix.prefix(58))
            repeat { name = base + Self.randomSuffix() } while stored(info, ns, name) != nil
        }
        guard !name.isEmpty else {
            throw StatusErrors.invalid(info, name: "", causes: [.init(field: "metadata.name", reason: "FieldValueRequired",
                                                                     message: "Required value: name or generateName is required")])
        }
        meta["name"] = .string(name)
        if let nsValue = ns, namespaceTerminating(nsValue) {
            throw APIError(code: 403, reason: "Forbidden",
                           message: "\(info.resource.groupResource) \"\(name)\" is forbidden: unable to create new content in namespace \(nsValue) because it is being terminated")
        }
        if stored(info, ns, name) != nil { throw StatusErrors.alreadyExists(info, name: name) }
        meta["uid"] = .string(UUID().uuidString.lowercased())
        meta["creationTimestamp"] = .string(timestamp())
        meta["deletionTimestamp"] = nil
        meta["deletionGracePeriodSeconds"] = nil
        meta["resourceVersion"] = nil
        meta["selfLink"] = nil
        if Self.tracksGeneration(info) { meta["generation"] = 1 } else { meta["generation"] = nil }
        object["metadata"] = meta
        object = Self.present(object, info)
        if info.hasStatus { object = Self.resetStatusOnCreate(info, object) }
        object = try prepare(info, object, old: nil, options: options.fieldValidation)
        if let manager = options.fieldManager, !manager.isEmpty {
            var sent = input
            sent["metadata"]?["name"] = object["metadata"]?["name"]
            object = ManagedFields.recordUpdate(sent, manager: manager, operation: "Update", time: timestamp(), previous: nil, into: object)
        }
        if options.dryRun { return object }
        object["metadata"]?["resourceVersion"] = .string(String(nextRV()))
        commit(info, .added, object, previous: nil)
        afterCommit(info, object)
        // A dependent whose owners are all gone already is collected at once, as the GC would.
        let owners = Self.ownerUIDs(object)
        if !owners.isEmpty, Set(owners).isDisjoint(with: existingUIDs()) { collectGarbage() }
        return object
    }

    func namespaceTerminating(_ ns: String) -> Bool {
        objects["/namespaces"]?[Self.objectKey(nil, ns)]?["metadata"]?["deletionTimestamp"] != nil
    }

    static func resetStatusOnCreate(_ info: ResourceInfo, _ object: JSONValue) -> JSONValue {
        var o = object
        switch (info.resource.group, info.resource.plural) {
        case ("", "nodes"): break  // nodes may report status on create
        case ("", "pods"): o["status"] = ["phase": "Pending"]
        case ("", "namespaces"): o["status"] = ["phase": "Active"]
        case ("batch", "jobs"): o["status"] = .emptyObject
        case ("apiextensions.k8s.io", "customresourcedefinitions"): break
        default: o["status"] = nil
        }
        return o
    }

    /// Defaulting and validation shared by create and update (`old` is nil on create).
    func prepare(_ info: ResourceInfo, _ object: JSONValue, old: JSONValue?, options fieldValidation: String?) throws(APIError) -> JSONValue {
        var o = object
        let name = o["metadata"]?["name"]?.stringValue ?? ""
        if let problem = Defaults.validateName(name, info: info) {
            throw StatusErrors.invalid(info, name: name, causes: [problem])
        }
        if info.isCustom {
            o = try CustomResourceValidation.validate(o, info: info, fieldValidation: fieldValidation)
        } else {
            o = try BuiltinFields.check(o, info: info, fieldValidation: fieldValidation)
            o = Defaults.apply(info, o, old: old)
            let causes = Defaults.validate(info, o, old: old)
            if !causes.isEmpty { throw StatusErrors.invalid(info, name: name, causes: causes) }
            if info.resource.plural == "customresourcedefinitions" {
                o = try CRDRegistration.prepare(o, info: info)
            }
        }
        return o
    }

    /// Side effects of a stored write: CRD registration.
    mutating func afterCommit(_ info: ResourceInfo, _ object: JSONValue) {
        if info.resource.group == "apiextensions.k8s.io" && info.resource.plural == "customresourcedefinitions" {
            registerCRD(object)
        }
    }

    // MARK: update

    /// PUT of the object (or its status). `requireRV` is false for patches, where a missing
    /// resourceVersion means "unconditional".
    mutating func update(_ info: ResourceInfo, namespace: String?, object input: JSONValue, subresource: String?,
                         options: WriteOptions, isPatch: Bool = false) throws(APIError) -> JSONValue {
        guard case .object = input else { throw StatusErrors.badRequest("the body of the request must be a JSON object") }
        let ns = info.resource.namespaced ? (namespace ?? input["metadata"]?["namespace"]?.stringValue ?? "default") : nil
        let name = input["metadata"]?["name"]?.stringValue ?? ""
        if let subresource, subresource != "status" || !info.hasStatus {
            throw StatusErrors.notFound(info, name: "\(name)/\(subresource)")
        }
        guard let old = stored(info, ns, name) else { throw StatusErrors.notFound(info, name: name) }
        let oldRV = old["metadata"]?["resourceVersion"]?.stringValue ?? ""
        if let givenRV = input["metadata"]?["resourceVersion"]?.stringValue, !givenRV.isEmpty {
            if givenRV != oldRV { throw StatusErrors.conflict(info, name: name) }
        } else if info.isCustom && !isPatch {
            throw StatusErrors.invalid(info, name: name, causes: [.init(field: "metadata.resourceVersion", reason: "FieldValueInvalid",
                                                                       message: "Invalid value: 0x0: must be specified for an update")])
        }
        if let objectNS = input["metadata"]?["namespace"]?.stringValue, let ns, !objectNS.isEmpty, objectNS != ns {
            throw StatusErrors.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        var object: JSONValue
        if subresource == "status" {
            object = old
            object["status"] = input["status"]
        } else {
            object = Self.present(input, info)
            if info.hasStatus { object["status"] = old["status"] }
        }
        // Server-owned metadata is carried over.
        var meta = object["metadata"] ?? .emptyObject
        let oldMeta = old["metadata"] ?? .emptyObject
        for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
            meta[key] = oldMeta[key]
        }
        if meta["generateName"] == nil { meta["generateName"] = oldMeta["generateName"] }
        meta["resourceVersion"] = .string(oldRV)
        object["metadata"] = meta
        if subresource != "status" {
            object = try prepare(info, object, old: old, options: options.fieldValidation)
        }
        // No new finalizers on an object being deleted.
        if oldMeta["deletionTimestamp"] != nil {
            let before = Set((oldMeta["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue))
            let added = (object["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !before.contains($0) }
            if !added.isEmpty {
                throw StatusErrors.invalid(info, name: name, causes: [.init(
                    field: "metadata.finalizers", reason: "FieldValueForbidden",
                    message: "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\(added.map { "\"\($0)\"" }.joined(separator: ", "))}")])
            }
        }
        if Self.tracksGeneration(info) && Self.specChanged(old, object) {
            object["metadata"]?["generation"] = .int((oldMeta["generation"]?.intValue ?? 1) + 1)
        }
        if let manager = options.fieldManager, !manager.isEmpty {
            object = ManagedFields.recordUpdate(object, manager: manager, operation: "Update", time: timestamp(), previous: old)
        }
        if Self.sameIgnoringManagedTime(old, object) { return old }  // no-op write: no new resourceVersion
        if options.dryRun { return object }
        let finalizers = object["metadata"]?["finalizers"]?.arrayValue ?? []
        if object["metadata"]?["deletionTimestamp"] != nil && finalizers.isEmpty {
            return remove(info, object)
        }
        object["metadata"]?["resourceVersion"] = .string(String(nextRV()))
        commit(info, .modified, object, previous: old)
        afterCommit(info, object)
        if object["metadata"]?["deletionTimestamp"] != nil { processForeground() }
        return object
    }

    static func specChanged(_ a: JSONValue, _ b: JSONValue) -> Bool {
        var x = a, y = b
        x["metadata"] = nil; y["metadata"] = nil
        x["status"] = nil; y["status"] = nil
        return x != y
    }

    /// Equal except for the `time` of managedFields entries (a write that only refreshes times is a no-op).
    static func sameIgnoringManagedTime(_ a: JSONValue, _ b: JSONValue) -> Bool {
        func normalized(_ v: JSONValue) -> JSONValue {
            var o = v
            if let entries = o["metadata"]?["managedFields"]?.arrayValue {
                o["metadata"]?["managedFields"] = .array(entries.map { e in
                    var e = e
                    e["time"] = nil
                    return e
                })
            }
            return o
        }
        return normalized(a) == normalized(b)
    }
}
