import Testing
@testable import Kube

@Suite struct IndexKeysTests {
    @Test func oneKeyStaysInlineAndASetShrinksBackToOne() {
        var keys = IndexKeys.one("ns/a")
        keys.insert("ns/a")
        #expect(keys == .one("ns/a"))
        keys.insert("ns/c")
        keys.insert("ns/b")
        #expect(keys.sorted == ["ns/a", "ns/b", "ns/c"])
        #expect(keys.count == 3 && keys.contains("ns/b") && !keys.contains("ns/x"))
        #expect(keys.remove("ns/x") == false)
        #expect(keys.remove("ns/b") == false)
        #expect(keys.remove("ns/a") == false)
        #expect(keys == .one("ns/c"))
        #expect(keys.remove("ns/c") == true)
    }

    @Test func theStoreFilesOneAndManyKeysUnderAnIndexValue() {
        let store = Store(indexers: [Store.labelIndex: Store.labelPairs])
        func pod(_ name: String, owner: String, app: String) -> JSONValue {
            ["metadata": ["name": .string(name), "namespace": "ns", "labels": ["app": .string(app)],
                          "ownerReferences": [["uid": .string(owner), "controller": true]]]]
        }
        store.apply(.relisted([pod("a", owner: "j1", app: "x"), pod("b", owner: "j2", app: "x")], resourceVersion: "1"))
        store.apply(.applied(pod("c", owner: "j2", app: "y")))
        var snapshot = store.snapshot()
        #expect(snapshot.keys(index: Store.controllerOwnerIndex, value: "j1") == ["ns/a"])
        #expect(snapshot.keys(index: Store.controllerOwnerIndex, value: "j2") == ["ns/b", "ns/c"])
        #expect(snapshot.keys(index: Store.labelIndex, value: "app=x") == ["ns/a", "ns/b"])
        store.apply(.deleted(pod("b", owner: "j2", app: "x")))
        store.apply(.applied(pod("a", owner: "j1", app: "y")))
        snapshot = store.snapshot()
        #expect(snapshot.indices[Store.controllerOwnerIndex]?["j2"] == .one("ns/c"))
        #expect(snapshot.keys(index: Store.labelIndex, value: "app=x") == [])
        #expect(snapshot.indices[Store.labelIndex]?["app=x"] == nil)
        #expect(snapshot.keys(index: Store.labelIndex, value: "app=y") == ["ns/a", "ns/c"])
    }
}
