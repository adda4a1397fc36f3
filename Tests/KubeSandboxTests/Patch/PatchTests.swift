import Kube
import Testing
@testable import KubeSandbox

@Suite struct PatchTests {
    @Test func mergePatchDeletesWithNullAndReplacesLists() {
        let target: JSONValue = ["a": ["b": 1, "c": 2], "l": [1, 2]]
        let result = MergePatch.apply(["a": ["b": .null, "d": 3], "l": [3]], to: target)
        #expect(result == ["a": ["c": 2, "d": 3], "l": [3]])
    }

    @Test func jsonPatchOperationsAndEscapes() throws {
        let target: JSONValue = ["metadata": ["labels": ["app.kubernetes.io/name": "x", "a~b": "y"]], "list": [1, 2]]
        let ops: JSONValue = [
            ["op": "test", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "x"],
            ["op": "replace", "path": "/metadata/labels/a~0b", "value": "z"],
            ["op": "add", "path": "/list/-", "value": 3],
            ["op": "remove", "path": "/list/0"],
            ["op": "copy", "from": "/list/0", "path": "/first"],
        ]
        let result = try JSONPatch.apply(ops, to: target)
        #expect(result["metadata"]?["labels"]?["a~b"] == "z")
        #expect(result["list"] == [2, 3])
        #expect(result["first"] == 2)
        #expect(throws: APIError.self) {
            try JSONPatch.apply([["op": "test", "path": "/list/0", "value": 9]], to: target)
        }
    }

    @Test func strategicMergeByKeysAndDirectives() {
        let pod: JSONValue = ["spec": ["containers": [
            ["name": "a", "image": "a:1", "env": [["name": "X", "value": "1"]]],
            ["name": "b", "image": "b:1"],
        ]], "metadata": ["finalizers": ["f1"]]]
        let patch: JSONValue = [
            "metadata": ["finalizers": ["f2"]],
            "spec": ["$setElementOrder/containers": [["name": "b"], ["name": "a"]],
                     "containers": [["name": "a", "image": "a:2", "env": [["name": "Y", "value": "2"]]],
                                    ["name": "b", "$patch": "delete"]]],
        ]
        let result = StrategicMergePatch.apply(patch, to: pod)
        let containers = result["spec"]?["containers"]?.arrayValue ?? []
        #expect(containers.count == 1)
        #expect(containers.first?["image"] == "a:2")
        #expect(containers.first?["env"]?.arrayValue?.count == 2)
        #expect(result["metadata"]?["finalizers"] == ["f1", "f2"])
        let replaced = StrategicMergePatch.apply(["spec": ["$patch": "replace", "x": 1]], to: pod)
        #expect(replaced["spec"] == ["x": 1])
    }

    @Test func patchThroughStoreWithPreconditionAndDryRun() throws {
        let store = ClusterStore()
        let cm = try store.create(.configMaps, namespace: "default", object: configMap("p"))
        let patched = try store.patch(.configMaps, namespace: "default", name: "p", patch: .merge(["data": ["b": "2"]]))
        #expect(patched["data"] == ["a": "1", "b": "2"])
        let stale = apiError {
            _ = try store.patch(.configMaps, namespace: "default", name: "p",
                                patch: .merge(["metadata": ["resourceVersion": cm["metadata"]!["resourceVersion"]!], "data": ["c": "3"]]))
        }
        #expect(stale?.code == 409)
        let dry = try store.patch(.configMaps, namespace: "default", name: "p", patch: .merge(["data": ["d": "4"]]),
                                  options: PatchOptions(dryRun: true))
        #expect(dry["data"]?["d"] == "4")
        #expect(try store.get(.configMaps, namespace: "default", name: "p")["data"]?["d"] == nil)
    }

    @Test func serverSideApplyCreatesTracksAndRemovesDroppedFields() throws {
        let store = ClusterStore()
        let intent: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "s"], "data": ["a": "1", "b": "2"]]
        #expect(apiError { _ = try store.patch(.configMaps, namespace: "default", name: "s", patch: .apply(intent)) }?.code == 400)
        let created = try store.patch(.configMaps, namespace: "default", name: "s", patch: .apply(intent), options: PatchOptions(fieldManager: "me"))
        let entry = created["metadata"]?["managedFields"]?[0]
        #expect(entry?["manager"] == "me" && entry?["operation"] == "Apply" && entry?["fieldsType"] == "FieldsV1")
        #expect(entry?["fieldsV1"]?["f:data"]?["f:a"] == .emptyObject)
        var smaller = intent
        smaller["data"] = ["a": "1"]
        let updated = try store.patch(.configMaps, namespace: "default", name: "s", patch: .apply(smaller), options: PatchOptions(fieldManager: "me"))
        #expect(updated["data"] == ["a": "1"])
        var other = intent
        other["data"] = ["a": "9"]
        let conflict = apiError { _ = try store.patch(.configMaps, namespace: "default", name: "s", patch: .apply(other), options: PatchOptions(fieldManager: "you")) }
        #expect(conflict?.code == 409)
        #expect(conflict?.causes.first?.reason == "FieldManagerConflict")
        let forced = try store.patch(.configMaps, namespace: "default", name: "s", patch: .apply(other), options: PatchOptions(fieldManager: "you", force: true))
        #expect(forced["data"]?["a"] == "9")
    }
}

@Suite struct ManagedFieldsTests {
    @Test func applyAfterClientSideApplyRecordsBothManagersWithoutConflict() throws {
        let store = ClusterStore()
        let created = try store.create(.jobs, namespace: "default", object: jobObject("j"), options: WriteOptions(fieldManager: "kubectl-client-side-apply"))
        let owned = created["metadata"]?["managedFields"]?[0]?["fieldsV1"]
        #expect(owned?["f:spec"]?["f:backoffLimit"] == nil)  // defaults are not the creator's fields
        let applied = try store.patch(.jobs, namespace: "default", name: "j", patch: .apply(jobObject("j")), options: PatchOptions(fieldManager: "kubectl"))
        let managers = (applied["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
        #expect(managers == ["kubectl-client-side-apply", "kubectl"])
        #expect(applied["metadata"]?["resourceVersion"] != created["metadata"]?["resourceVersion"])
    }
}
