import Testing
@testable import Kube

@Suite struct StoreTests {
    @Test func defaultTransformDropsManagedFieldsAndLastApplied() {
        let store = Store()
        var raw = object("a")
        raw[path: "metadata.managedFields"] = [["manager": "kubectl"]]
        raw[path: "metadata.annotations"] = ["kubectl.kubernetes.io/last-applied-configuration": "{}", "keep": "me"]
        store.apply(.relisted([raw], resourceVersion: "1"))
        let stored = store.object(namespace: "ns", name: "a")
        #expect(stored?[path: "metadata.managedFields"] == nil)
        #expect(stored?[path: "metadata.annotations"] == ["keep": "me"])
    }

    @Test func customTransformIsApplied() {
        let store = Store(transform: { var o = $0; o["data"] = nil; return o })
        store.apply(.applied(object("a", extra: ["data": ["big": "x"]])))
        #expect(store.object(namespace: "ns", name: "a")?["data"] == nil)
    }

    @Test func keysUseNamespaceOrNameAlone() {
        #expect(Store.key(of: object("a")) == "ns/a")
        #expect(Store.key(of: object("node1", namespace: nil)) == "node1")
    }

    @Test func relistReplacesContentsAndReportsVanishedObjectsAsDeleted() {
        let store = Store()
        store.apply(.relisted([object("a"), object("b"), object("c")], resourceVersion: "1"))
        let changes = store.apply(.relisted([object("b"), object("c", rv: "2"), object("d")], resourceVersion: "5"))
        var deleted: [String] = [], updated: [String] = [], added: [String] = []
        for change in changes {
            switch change {
            case .deleted(let o): deleted.append(Store.key(of: o))
            case .updated(_, let o): updated.append(Store.key(of: o))
            case .added(let o): added.append(Store.key(of: o))
            }
        }
        #expect(deleted == ["ns/a"])
        #expect(updated == ["ns/c"])
        #expect(added == ["ns/d"])
        let snapshot = store.snapshot()
        #expect(snapshot.objects.keys.sorted() == ["ns/b", "ns/c", "ns/d"])
        #expect(snapshot.resourceVersion == "5")
        #expect(snapshot.hasSynced)
    }

    @Test func identicalObjectsDoNotEmitUpdatesButOlderVersionsAreStillApplied() {
        let store = Store()
        store.apply(.applied(object("a", rv: "9")))
        #expect(store.apply(.applied(object("a", rv: "9"))).isEmpty)
        // resourceVersions are opaque: "10" < "9" as strings, "8" < "9" as numbers; both are applied.
        #expect(store.apply(.applied(object("a", rv: "8"))).count == 1)
        #expect(store.object(namespace: "ns", name: "a")?[path: "metadata.resourceVersion"] == "8")
    }

    @Test func deleteOfUnknownObjectChangesNothing() {
        let store = Store()
        #expect(store.apply(.deleted(object("ghost"))).isEmpty)
        store.apply(.applied(object("a")))
        let changes = store.apply(.deleted(object("a", rv: "2")))
        #expect(changes.count == 1)
        #expect(store.snapshot().count == 0)
    }

    @Test func hasSyncedOnlyAfterAFullList() {
        let store = Store()
        store.apply(.applied(object("a")))
        #expect(!store.hasSynced)
        store.apply(.relisted([], resourceVersion: "1"))
        #expect(store.hasSynced)
    }

    @Test func builtInAndCustomIndexesFollowWrites() {
        let owner: JSONValue = [["apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "job-uid", "controller": true],
                                ["apiVersion": "v1", "kind": "X", "name": "x", "uid": "not-controller"]]
        let store = Store(indexers: ["name-length": { [String($0[path: "metadata.name"]?.stringValue?.count ?? 0)] },
                                     Store.labelIndex: Store.labelPairs])
        store.apply(.relisted([
            object("p1", labels: ["app": "web"], extra: ["metadata": ["name": "p1", "namespace": "ns", "ownerReferences": owner, "labels": ["app": "web"]]]),
            object("p2", labels: ["app": "db"]),
        ], resourceVersion: "1"))
        var snap = store.snapshot()
        #expect(snap.keys(index: Store.controllerOwnerIndex, value: "job-uid") == ["ns/p1"])
        #expect(snap.keys(index: Store.controllerOwnerIndex, value: "not-controller").isEmpty)
        #expect(snap.keys(index: Store.labelIndex, value: "app=web") == ["ns/p1"])
        #expect(snap.objects(index: "name-length", value: "2").count == 2)

        store.apply(.applied(object("p2", rv: "2", labels: ["app": "web"])))
        snap = store.snapshot()
        #expect(snap.keys(index: Store.labelIndex, value: "app=web") == ["ns/p1", "ns/p2"])
        #expect(snap.keys(index: Store.labelIndex, value: "app=db").isEmpty)
        store.apply(.deleted(object("p1")))
        #expect(store.snapshot().keys(index: Store.controllerOwnerIndex, value: "job-uid").isEmpty)
    }

    @Test func snapshotsAreImmutableValues() {
        let store = Store()
        store.apply(.applied(object("a")))
        let before = store.snapshot()
        store.apply(.applied(object("b")))
        #expect(before.count == 1)
        #expect(store.snapshot().count == 2)
    }
}

@Suite struct StoreEncodingTests {
    func job(_ name: String, rv: String, phase: String) -> JSONValue {
        ["metadata": ["name": .string(name), "namespace": "ns", "resourceVersion": .string(rv),
                      "ownerReferences": [["uid": "flow-1", "controller": true, "kind": "JobFlow", "name": "f", "apiVersion": "v1"]]],
         "status": ["phase": .string(phase), "counts": [1, 2, 3]]]
    }

    func describe(_ changes: [StoreChange]) -> [String] {
        changes.map {
            switch $0 {
            case .added(let o): return "added \(Store.key(of: o))"
            case .updated(let old, let new): return "updated \(Store.key(of: old)) \(new[path: "status.phase"]?.stringValue ?? "")"
            case .deleted(let o): return "deleted \(Store.key(of: o))"
            }
        }
    }

    @Test func compactEncodingBehavesExactlyLikeTrees() {
        let events: [WatcherEvent] = [
            .relisted([job("a", rv: "1", phase: "Running"), job("b", rv: "2", phase: "Running")], resourceVersion: "2"),
            .applied(job("a", rv: "3", phase: "Succeeded")),
            .applied(job("a", rv: "3", phase: "Succeeded")),  // identical re-delivery: no change
            .deleted(job("b", rv: "4", phase: "Running")),
            .relisted([job("a", rv: "3", phase: "Succeeded"), job("c", rv: "5", phase: "Pending")], resourceVersion: "5"),
        ]
        let tree = Store(encoding: .tree)
        let compact = Store(encoding: .compact)
        for event in events {
            #expect(describe(tree.apply(event)) == describe(compact.apply(event)))
        }
        let t = tree.snapshot(), c = compact.snapshot()
        #expect(t.sortedObjects == c.sortedObjects)
        #expect(c.keys(index: Store.controllerOwnerIndex, value: "flow-1") == ["ns/a", "ns/c"])
        #expect(c.object(namespace: "ns", name: "a")?[path: "status.counts"] == [1, 2, 3])
        #expect(t.resourceVersion == c.resourceVersion)
    }
}
