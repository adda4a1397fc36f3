import Foundation
import Kube

/// The outcome of a DELETE.
public struct DeleteOutcome: Sendable {
    /// The object as it was deleted, or as it remains (finalizers pending).
    public var object: JSONValue
    /// Whether the object is gone from storage.
    public var removed: Bool
    /// `Warning` header texts.
    public var warnings: [String]
}

extension StoreState {
    static let jobOrphanWarning = "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"

    mutating func delete(_ info: ResourceInfo, namespace: String?, name: String, options: DeleteOptions) throws(APIError) -> DeleteOutcome {
        let ns = info.resource.namespaced ? (namespace ?? "default") : nil
        guard let old = stored(info, ns, name) else { throw StatusErrors.notFound(info, name: name) }
        let meta = old["metadata"] ?? .emptyObject
        if let uid = options.preconditionUID, uid != meta["uid"]?.stringValue {
            throw StatusErrors.conflict(info, name: name, detail: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(meta["uid"]?.stringValue ?? "")")
        }
        if let prv = options.preconditionResourceVersion, prv != meta["resourceVersion"]?.stringValue {
            throw StatusErrors.conflict(info, name: name, detail: "Precondition failed: ResourceVersion in precondition: \(prv), ResourceVersion in object meta: \(meta["resourceVersion"]?.stringValue ?? "")")
        }
        var warnings: [String] = []
        var policy = options.propagationPolicy
        if policy == nil {
            if info.resource.group == "batch" && info.resource.plural == "jobs" {
                policy = .orphan
                warnings.append(Self.jobOrphanWarning)
            } else {
                policy = .background
            }
        }
        if options.dryRun { return DeleteOutcome(object: old, removed: true, warnings: warnings) }
        if info.resource.plural == "namespaces" && info.resource.group.isEmpty {
            return DeleteOutcome(object: deleteNamespace(name), removed: true, warnings: warnings)
        }
        var object = old
        var finalizers = (meta["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if meta["deletionTimestamp"] != nil {
            // Already being deleted: only a switch to foreground matters.
            if policy == .foreground && !finalizers.contains("foregroundDeletion") && !finalizers.contains("orphan") {
                finalizers.append("foregroundDeletion")
                object["metadata"]?["finalizers"] = .array(finalizers.map(JSONValue.string))
                object["metadata"]?["resourceVersion"] = .string(String(nextRV()))
                commit(info, .modified, object, previous: old)
                deleteDependents(of: object)
                processForeground()
                return DeleteOutcome(object: stored(info, ns, name) ?? object, removed: stored(info, ns, name) == nil, warnings: warnings)
            }
            return DeleteOutcome(object: old, removed: false, warnings: warnings)
        }
        if policy == .orphan {
            orphanDependents(of: old)
        }
        if policy == .foreground && hasDependents(old) {
            finalizers.append("foregroundDeletion")
        }
        if finalizers.isEmpty {
            let gone = remove(info, old)
            return DeleteOutcome(object: gone, removed: true, warnings: warnings)
        }
        object["metadata"]?["deletionTimestamp"] = .string(timestamp())
        object["metadata"]?["deletionGracePeriodSeconds"] = 0
        object["metadata"]?["finalizers"] = .array(finalizers.map(JSONValue.string))
        object["metadata"]?["resourceVersion"] = .string(String(nextRV()))
        commit(info, .modified, object, previous: old)
        if policy == .foreground {
            deleteDependents(of: object)
            processForeground()
        }
        let current = stored(info, ns, name)
        return DeleteOutcome(object: current ?? object, removed: current == nil, warnings: warnings)
    }

    /// Removes an object for good (DELETED event with a new resourceVersion) and lets the
    /// garbage collector act on its dependents and on owners waiting in foreground deletion.
    @discardableResult
    mutating func remove(_ info: ResourceInfo, _ object: JSONValue) -> JSONValue {
        var o = object
        o["metadata"]?["resourceVersion"] = .string(String(nextRV()))
        commit(info, .deleted, o, previous: nil)
        if info.resource.plural == "customresourcedefinitions" { unregisterCRD(o) }
        collectGarbage()
        return o
    }

    // MARK: garbage collection

    /// Every stored object with its resource info (the first served version of each storage key).
    func allObjects() -> [(ResourceInfo, JSONValue)] {
        var infoByStorage: [String: ResourceInfo] = [:]
        for info in served.values.sorted(by: { $0.resource.version < $1.resource.version }) where infoByStorage[info.storageKey] == nil {
            infoByStorage[info.storageKey] = info
        }
        var out: [(ResourceInfo, JSONValue)] = []
        for (key, objs) in objects {
            guard let info = infoByStorage[key] else { continue }
            for (_, o) in objs { out.append((info, o)) }
        }
        return out
    }

    func existingUIDs() -> Set<String> { uids }

    static func ownerUIDs(_ o: JSONValue) -> [String] {
        (o["metadata"]?["ownerReferences"]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
    }

    func hasDependents(_ owner: JSONValue) -> Bool {
        guard let uid = owner["metadata"]?["uid"]?.stringValue else { return false }
        return allObjects().contains { Self.ownerUIDs($0.1).contains(uid) }
    }

    /// Deletes (background) every object all of whose owners are gone, until nothing changes;
    /// then lets foreground owners whose blocking dependents are gone finish.
    mutating func collectGarbage() {
        var changed = true
        while changed {
            changed = false
            let uids = existingUIDs()
            for (info, o) in allObjects() {
                let owners = Self.ownerUIDs(o)
                guard !owners.isEmpty, owners.allSatisfy({ !uids.contains($0) }) else { continue }
                guard o["metadata"]?["deletionTimestamp"] == nil else { continue }
                let name = o["metadata"]?["name"]?.stringValue ?? ""
                let ns = o["metadata"]?["namespace"]?.stringValue
                _ = try? delete(info, namespace: ns, name: name, options: DeleteOptions(propagationPolicy: .background))
                changed = true
                break
            }
        }
        processForeground()
    }

    /// Background-deletes the dependents of an owner in foreground deletion.
    mutating func deleteDependents(of owner: JSONValue) {
        guard let uid = owner["metadata"]?["uid"]?.stringValue else { return }
        for (info, o) in allObjects() where Self.ownerUIDs(o).contains(uid) && o["metadata"]?["deletionTimestamp"] == nil {
            _ = try? delete(info, namespace: o["metadata"]?["namespace"]?.stringValue, name: o["metadata"]?["name"]?.stringValue ?? "",
                            options: DeleteOptions(propagationPolicy: .foreground))
        }
    }

    /// Removes the `foregroundDeletion` finalizer from owners with no blocking dependents left.
    mutating func processForeground() {
        var changed = true
        while changed {
            changed = false
            for (info, o) in allObjects() {
                var finalizers = (o["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
                guard o["metadata"]?["deletionTimestamp"] != nil, let i = finalizers.firstIndex(of: "foregroundDeletion"),
                      let uid = o["metadata"]?["uid"]?.stringValue else { continue }
                let blocked = allObjects().contains { _, d in
                    (d["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains {
                        $0["uid"]?.stringValue == uid && $0["blockOwnerDeletion"]?.boolValue == true
                    }
                }
                if blocked { continue }
                finalizers.remove(at: i)
                var updated = o
                updated["metadata"]?["finalizers"] = finalizers.isEmpty ? nil : .array(finalizers.map(JSONValue.string))
                if finalizers.isEmpty {
                    remove(info, updated)
                } else {
                    updated["metadata"]?["resourceVersion"] = .string(String(nextRV()))
                    commit(info, .modified, updated, previous: o)
                }
                changed = true
                break
            }
        }
    }

    /// Strips the owner's reference from every dependent (Orphan propagation).
    mutating func orphanDependents(of owner: JSONValue) {
        guard let uid = owner["metadata"]?["uid"]?.stringValue else { return }
        for (info, o) in allObjects() where Self.ownerUIDs(o).contains(uid) {
            var updated = o
            let refs = (o["metadata"]?["ownerReferences"]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != uid }
            updated["metadata"]?["ownerReferences"] = refs.isEmpty ? nil : .array(refs)
            updated["metadata"]?["resourceVersion"] = .string(String(nextRV()))
            commit(info, .modified, updated, previous: o)
        }
    }

    // MARK: namespaces

    /// Simplified namespace deletion: every object in the namespace is removed at once (no
    /// Terminating phase, finalizers of contained objects are not waited for), then the namespace.
    mutating func deleteNamespace(_ name: String) -> JSONValue {
        for (info, o) in allObjects() where info.resource.namespaced && o["metadata"]?["namespace"]?.stringValue == name {
            var final = o
            final["metadata"]?["resourceVersion"] = .string(String(nextRV()))
            commit(info, .deleted, final, previous: nil)
        }
        guard let nsInfo = served[Self.servedKey(.namespaces)], let ns = stored(nsInfo, nil, name) else { return .null }
        let gone = remove(nsInfo, ns)
        return gone
    }
}
