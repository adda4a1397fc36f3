import Foundation
import Kube
import Testing
@testable import KubeSandbox

func configMap(_ name: String, labels: JSONValue = .emptyObject, data: JSONValue = ["a": "1"]) -> JSONValue {
    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": labels], "data": data]
}

func jobObject(_ name: String, restartPolicy: String = "Never") -> JSONValue {
    ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)],
     "spec": ["template": ["spec": ["restartPolicy": .string(restartPolicy), "containers": [["name": "c", "image": "busybox"]]]]]]
}

func apiError(_ body: () throws -> Void) -> APIError? {
    do { try body() } catch let e as APIError { return e } catch { return nil }
    return nil
}

@Suite struct ClusterStoreTests {
    @Test func createSetsServerFieldsAndResourceVersionsIncrease() throws {
        let store = ClusterStore()
        let a = try store.create(.configMaps, namespace: "default", object: configMap("a"))
        let b = try store.create(.configMaps, namespace: "default", object: configMap("b"))
        let rvA = Int(a["metadata"]?["resourceVersion"]?.stringValue ?? "")!
        let rvB = Int(b["metadata"]?["resourceVersion"]?.stringValue ?? "")!
        #expect(rvB > rvA)
        #expect(a["metadata"]?["uid"]?.stringValue?.count == 36)
        #expect(a["metadata"]?["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
        #expect(a["kind"] == "ConfigMap")
    }

    @Test func generateNameUsesAlphabetAndTruncates() throws {
        let store = ClusterStore()
        let prefix = String(repeating: "x", count: 70)
        let o = try store.create(.configMaps, namespace: "default", object: ["metadata": ["generateName": .string(prefix)]])
        let name = o["metadata"]?["name"]?.stringValue ?? ""
        #expect(name.count == 63)
        #expect(name.suffix(5).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }

    @Test func errorsHaveRealMessages() throws {
        let store = ClusterStore()
        _ = try store.create(.configMaps, namespace: "default", object: configMap("a"))
        let exists = apiError { _ = try store.create(.configMaps, namespace: "default", object: configMap("a")) }
        #expect(exists?.code == 409 && exists?.reason == "AlreadyExists")
        #expect(exists?.message == "configmaps \"a\" already exists")
        let missingNS = apiError { _ = try store.create(.configMaps, namespace: "nope", object: configMap("a")) }
        #expect(missingNS?.message == "namespaces \"nope\" not found")
        let notFound = apiError { _ = try store.get(.jobs, namespace: "default", name: "x") }
        #expect(notFound?.message == "jobs.batch \"x\" not found")
        #expect(notFound?.details?["kind"] == "jobs")
    }

    @Test func staleUpdateConflicts() throws {
        let store = ClusterStore()
        let a = try store.create(.configMaps, namespace: "default", object: configMap("a"))
        var changed = a
        changed["data"] = ["a": "2"]
        _ = try store.update(.configMaps, namespace: "default", object: changed)
        let conflict = apiError { _ = try store.update(.configMaps, namespace: "default", object: changed) }
        #expect(conflict?.code == 409)
        #expect(conflict?.message == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again")
        // Built-ins allow an unconditional update.
        var unconditional = changed
        unconditional["metadata"]?["resourceVersion"] = nil
        unconditional["data"] = ["a": "3"]
        let updated = try store.update(.configMaps, namespace: "default", object: unconditional)
        #expect(updated["data"]?["a"] == "3")
    }

    @Test func jobDefaultsAndValidation() throws {
        let store = ClusterStore()
        let job = try store.create(.jobs, namespace: "default", object: jobObject("pi"))
        let uid = job["metadata"]?["uid"]?.stringValue ?? ""
        #expect(job["spec"]?["backoffLimit"] == 6)
        #expect(job["spec"]?["completionMode"] == "NonIndexed")
        #expect(job["spec"]?["selector"]?["matchLabels"]?["batch.kubernetes.io/controller-uid"] == .string(uid))
        #expect(job["spec"]?["template"]?["metadata"]?["labels"]?["job-name"] == "pi")
        #expect(job["metadata"]?["labels"]?["batch.kubernetes.io/job-name"] == "pi")
        #expect(job["metadata"]?["generation"] == 1)
        let invalid = apiError { _ = try store.create(.jobs, namespace: "default", object: jobObject("bad", restartPolicy: "Always")) }
        #expect(invalid?.code == 422)
        #expect(invalid?.message == "Job.batch \"bad\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"")
    }

    @Test func statusSplitAndGeneration() throws {
        let store = ClusterStore()
        var job = try store.create(.jobs, namespace: "default", object: jobObject("j"))
        job["status"] = ["active": 1]
        job["metadata"]?["labels"]?["x"] = "y"
        let afterObjectWrite = try store.update(.jobs, namespace: "default", object: job)
        #expect(afterObjectWrite["status"]?["active"] == nil)
        #expect(afterObjectWrite["metadata"]?["generation"] == 1)
        var statusWrite = afterObjectWrite
        statusWrite["status"] = ["active": 2]
        statusWrite["spec"]?["parallelism"] = 5
        let afterStatus = try store.update(.jobs, namespace: "default", object: statusWrite, subresource: "status")
        #expect(afterStatus["status"]?["active"] == 2)
        #expect(afterStatus["spec"]?["parallelism"] == 1)
        var specWrite = afterStatus
        specWrite["spec"]?["parallelism"] = 3
        let afterSpec = try store.update(.jobs, namespace: "default", object: specWrite)
        #expect(afterSpec["metadata"]?["generation"] == 2)
    }

    @Test func finalizersKeepObjectUntilRemoved() throws {
        let store = ClusterStore()
        var cm = configMap("f")
        cm["metadata"]?["finalizers"] = ["example.com/hold"]
        _ = try store.create(.configMaps, namespace: "default", object: cm)
        let outcome = try store.delete(.configMaps, namespace: "default", name: "f")
        #expect(!outcome.removed)
        var held = try store.get(.configMaps, namespace: "default", name: "f")
        #expect(held["metadata"]?["deletionTimestamp"] != nil)
        held["metadata"]?["finalizers"] = []
        _ = try store.update(.configMaps, namespace: "default", object: held)
        #expect(apiError { _ = try store.get(.configMaps, namespace: "default", name: "f") }?.code == 404)
    }

    @Test func deletePreconditions() throws {
        let store = ClusterStore()
        _ = try store.create(.configMaps, namespace: "default", object: configMap("p"))
        let e = apiError { _ = try store.delete(.configMaps, namespace: "default", name: "p", options: DeleteOptions(preconditionUID: "nope")) }
        #expect(e?.code == 409)
        #expect(e?.message.contains("Precondition failed: UID in precondition: nope") == true)
    }

    func ownedPod(_ name: String, owner: JSONValue, block: Bool = true) -> JSONValue {
        ["metadata": ["name": .string(name), "ownerReferences": [[
            "apiVersion": "batch/v1", "kind": "Job", "name": owner["metadata"]!["name"]!, "uid": owner["metadata"]!["uid"]!,
            "controller": true, "blockOwnerDeletion": .bool(block)]]],
         "spec": ["containers": [["name": "c", "image": "busybox"]]]]
    }

    @Test func backgroundDeletionCollectsDependents() throws {
        let store = ClusterStore()
        let job = try store.create(.jobs, namespace: "default", object: jobObject("j"))
        _ = try store.create(.pods, namespace: "default", object: ownedPod("j-1", owner: job))
        _ = try store.delete(.jobs, namespace: "default", name: "j", options: DeleteOptions(propagationPolicy: .background))
        #expect(try store.list(.pods, namespace: "default").items.isEmpty)
    }

    @Test func jobsDefaultToOrphanWithWarning() throws {
        let store = ClusterStore()
        let job = try store.create(.jobs, namespace: "default", object: jobObject("j"))
        _ = try store.create(.pods, namespace: "default", object: ownedPod("j-1", owner: job))
        let outcome = try store.delete(.jobs, namespace: "default", name: "j")
        #expect(outcome.removed)
        #expect(outcome.warnings == [StoreState.jobOrphanWarning])
        let pod = try store.get(.pods, namespace: "default", name: "j-1")
        #expect(pod["metadata"]?["ownerReferences"] == nil)
    }

    @Test func foregroundWaitsForBlockingDependents() throws {
        let store = ClusterStore()
        let job = try store.create(.jobs, namespace: "default", object: jobObject("j"))
        var pod = ownedPod("j-1", owner: job)
        pod["metadata"]?["finalizers"] = ["batch.kubernetes.io/job-tracking"]
        _ = try store.create(.pods, namespace: "default", object: pod)
        let outcome = try store.delete(.jobs, namespace: "default", name: "j", options: DeleteOptions(propagationPolicy: .foreground))
        #expect(!outcome.removed)
        #expect(outcome.object["metadata"]?["finalizers"] == ["foregroundDeletion"])
        var terminating = try store.get(.pods, namespace: "default", name: "j-1")
        #expect(terminating["metadata"]?["deletionTimestamp"] != nil)
        terminating["metadata"]?["finalizers"] = nil
        _ = try store.update(.pods, namespace: "default", object: terminating)
        #expect(apiError { _ = try store.get(.jobs, namespace: "default", name: "j") }?.code == 404)
    }

    @Test func paginationKeepsResourceVersionAndEnds() throws {
        let store = ClusterStore()
        for i in 0..<5 { _ = try store.create(.configMaps, namespace: "default", object: configMap("c\(i)")) }
        let first = try store.list(.configMaps, namespace: "default", options: ListOptions(limit: 2))
        #expect(first.items.count == 2)
        _ = try store.create(.configMaps, namespace: "default", object: configMap("zz"))
        let second = try store.list(.configMaps, namespace: "default", options: ListOptions(limit: 2, continueToken: first.continueToken))
        #expect(second.resourceVersion == first.resourceVersion)
        #expect(second.items.map { $0["metadata"]?["name"]?.stringValue ?? "" } == ["c2", "c3"])
        let third = try store.list(.configMaps, namespace: "default", options: ListOptions(limit: 10, continueToken: second.continueToken))
        #expect(third.continueToken == nil)
    }

    @Test func selectors() throws {
        let store = ClusterStore()
        _ = try store.create(.configMaps, namespace: "default", object: configMap("a", labels: ["app": "x", "tier": "web"]))
        _ = try store.create(.configMaps, namespace: "default", object: configMap("b", labels: ["app": "y"]))
        func names(_ label: String?, _ field: String? = nil) throws -> [String] {
            try store.list(.configMaps, namespace: "default", options: ListOptions(labelSelector: label, fieldSelector: field)).items
                .map { $0["metadata"]?["name"]?.stringValue ?? "" }
        }
        #expect(try names("app in (x, z)") == ["a"])
        #expect(try names("app notin (x)") == ["b"])
        #expect(try names("!tier") == ["b"])
        #expect(try names("tier,app==x") == ["a"])
        #expect(try names("app!=x") == ["b"])
        #expect(try names(nil, "metadata.name=b") == ["b"])
        let bad = apiError { _ = try names(nil, "spec.x=1") }
        #expect(bad?.code == 400)
    }

    @Test func watchFromResourceVersionAndSelectorTransitions() async throws {
        let store = ClusterStore()
        let a = try store.create(.configMaps, namespace: "default", object: configMap("a", labels: ["app": "x"]))
        let rv = a["metadata"]?["resourceVersion"]?.stringValue
        let channel = try store.watch(.configMaps, namespace: "default",
                                      options: WatchOptions(labelSelector: "app=x", resourceVersion: rv, allowWatchBookmarks: false))
        var changed = a
        changed["metadata"]?["labels"] = ["app": "other"]
        changed = try store.update(.configMaps, namespace: "default", object: changed)
        changed["metadata"]?["labels"] = ["app": "x"]
        _ = try store.update(.configMaps, namespace: "default", object: changed)
        _ = try store.create(.configMaps, namespace: "default", object: configMap("ignored"))
        var types: [WatchEvent.EventType] = []
        for _ in 0..<2 { if let e = await channel.next() { types.append(e.type) } }
        #expect(types == [.deleted, .added])
        channel.finish()
    }

    @Test func watchWithoutVersionSendsSyntheticAdds() async throws {
        let store = ClusterStore()
        _ = try store.create(.configMaps, namespace: "default", object: configMap("a"))
        let channel = try store.watch(.configMaps, namespace: nil, options: WatchOptions(allowWatchBookmarks: false))
        let first = await channel.next()
        #expect(first?.type == .added)
        #expect(first?.object["metadata"]?["name"] == "a")
        channel.finish()
        #expect(await channel.next() == nil)
    }

    @Test func tooOldResourceVersionGivesExpiredEvent() async throws {
        let store = ClusterStore(options: .init(historyLimit: 10))
        for i in 0..<30 { _ = try store.create(.configMaps, namespace: "default", object: configMap("c\(i)")) }
        let channel = try store.watch(.configMaps, namespace: nil, options: WatchOptions(resourceVersion: "2"))
        let e = await channel.next()
        #expect(e?.type == .error)
        #expect(e?.object["code"] == 410)
        #expect(e?.object["reason"] == "Expired")
        #expect(await channel.next() == nil)
    }

    @Test func slowWatcherIsClosedNotBlocking() async throws {
        let store = ClusterStore(options: .init(watchQueueCapacity: 5))
        let slow = try store.watch(.configMaps, namespace: nil, options: WatchOptions(resourceVersion: store.resourceVersion, allowWatchBookmarks: false))
        for i in 0..<20 { _ = try store.create(.configMaps, namespace: "default", object: configMap("c\(i)")) }
        #expect(slow.overflowed)
        #expect(await slow.next() == nil)
    }

    @Test func timeoutEndsWatchCleanly() async throws {
        let store = ClusterStore()
        let channel = try store.watch(.configMaps, namespace: nil, options: WatchOptions(resourceVersion: store.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 0))
        var types: [WatchEvent.EventType] = []
        for await e in channel { types.append(e.type) }
        #expect(types == [.bookmark])
    }
}

@Suite struct WatchListTests {
    @Test func sendInitialEventsEndsWithAnnotatedBookmark() async throws {
        let store = ClusterStore()
        _ = try store.create(.configMaps, namespace: "default", object: configMap("a"))
        let channel = try store.watch(.configMaps, namespace: "default", options: WatchOptions(resourceVersion: "", allowWatchBookmarks: true),
                                      sendInitialEvents: true)
        let first = await channel.next()
        let second = await channel.next()
        #expect(first?.type == .added)
        #expect(second?.type == .bookmark)
        #expect(second?.object["metadata"]?["annotations"]?["k8s.io/initial-events-end"] == "true")
        channel.finish()
    }
}

@Suite struct GarbageCollectionTests {
    @Test func dependentOfAMissingOwnerIsCollected() throws {
        let store = ClusterStore()
        let ghost: JSONValue = ["metadata": ["name": "gone", "uid": "00000000-0000-0000-0000-000000000000"]]
        let pod = ClusterStoreTests().ownedPod("orphan", owner: ghost)
        _ = try store.create(.pods, namespace: "default", object: pod)
        #expect(try store.list(.pods, namespace: "default").items.isEmpty)
    }
}

@Suite struct ConcurrencyTests {
    @Test func manyWatchersSeeEveryWriteInOrder() async throws {
        let store = ClusterStore(options: .init(watchQueueCapacity: 10_000))
        let client = InProcessClient(store: store)
        let start = store.resourceVersion
        let watchers = 16, writers = 4, perWriter = 50
        try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<watchers {
                let stream = try await client.watch(.configMaps, namespace: nil, options: WatchOptions(resourceVersion: start, allowWatchBookmarks: false))
                group.addTask {
                    var rvs: [Int64] = []
                    for try await event in stream {
                        rvs.append(Int64(event.object["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? -1)
                        if rvs.count == writers * perWriter { break }
                    }
                    return rvs
                }
            }
            for w in 0..<writers {
                group.addTask {
                    for i in 0..<perWriter { _ = try await client.create(.configMaps, namespace: "default", object: configMap("w\(w)-\(i)")) }
                    return []
                }
            }
            var seen: [[Int64]] = []
            for try await result in group where !result.isEmpty { seen.append(result) }
            #expect(seen.count == watchers)
            for rvs in seen {
                #expect(rvs.count == writers * perWriter)
                #expect(rvs == rvs.sorted())
            }
        }
    }
}

@Suite struct BuiltinFieldTests {
    @Test func unknownJobFieldsArePrunedOrRejectedWhenStrict() throws {
        let store = ClusterStore()
        var job = jobObject("typo")
        job["spec"]?["template"]?["spec"]?["containers"] = [["name": "c", "image": "busybox", "imagee": "x"]]
        let e = apiError { _ = try store.create(.jobs, namespace: "default", object: job, options: WriteOptions(fieldValidation: "Strict")) }
        #expect(e?.message == "strict decoding error: unknown field \"spec.template.spec.containers[0].imagee\"")
        let stored = try store.create(.jobs, namespace: "default", object: job)
        #expect(stored["spec"]?["template"]?["spec"]?["containers"]?[0]?["imagee"] == nil)
    }
}
