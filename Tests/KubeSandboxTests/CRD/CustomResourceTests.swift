import Foundation
import Kube
import Testing
@testable import KubeSandbox

let widgetResource = Resource(group: "example.com", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)

func widgetCRD() throws -> JSONValue {
    let text = try String(contentsOfFile: Kubectl.fixtures + "/widgets-crd.yaml", encoding: .utf8)
    return try JSONValue.parseYAML(text)
}

@Suite struct CustomResourceTests {
    @Test func registrationServesTheResourceAndSetsConditions() throws {
        let store = ClusterStore()
        let generation = store.servedGeneration
        let crd = try store.create(.customResourceDefinitions, namespace: nil, object: try widgetCRD())
        let types = (crd["status"]?["conditions"]?.arrayValue ?? []).map { "\($0["type"]!.stringValue!)=\($0["status"]!.stringValue!)" }
        #expect(types == ["NamesAccepted=True", "Established=True"])
        #expect(store.servedGeneration > generation)
        let info = try store.info(for: widgetResource)
        #expect(info.shortNames == ["wg"] && info.hasStatus && info.printerColumns.count == 3)
    }

    @Test func structuralSchemaViolationsAre422() throws {
        let store = ClusterStore()
        var crd = try widgetCRD()
        crd["spec"]?["versions"] = [["name": "v1", "served": true, "storage": true,
                                     "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["properties": ["x": ["type": "string"]]]]]]]]
        let e = apiError { _ = try store.create(.customResourceDefinitions, namespace: nil, object: crd) }
        #expect(e?.code == 422)
        #expect(e?.message == "CustomResourceDefinition.apiextensions.k8s.io \"widgets.example.com\" is invalid: spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields")
    }

    @Test func pruningStrictAndValidation() throws {
        let store = ClusterStore()
        _ = try store.create(.customResourceDefinitions, namespace: nil, object: try widgetCRD())
        let w: JSONValue = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"],
                            "spec": ["color": "red", "extra": 1, "template": ["anything": ["goes": true]]], "status": ["phase": "X"]]
        let created = try store.create(widgetResource, namespace: "default", object: w)
        #expect(created["spec"]?["extra"] == nil)
        #expect(created["spec"]?["template"]?["anything"]?["goes"] == true)
        #expect(created["status"] == nil)  // status subresource: ignored on create
        var strict = w
        strict["metadata"]?["name"] = "w2"
        let e = apiError { _ = try store.create(widgetResource, namespace: "default", object: strict, options: WriteOptions(fieldValidation: "Strict")) }
        #expect(e?.message == "strict decoding error: unknown field \"spec.extra\"")
        let bad: JSONValue = ["metadata": ["name": "w3"], "spec": ["size": "big", "parts": [["name": "a"], ["name": "a"]]]]
        let invalid = apiError { _ = try store.create(widgetResource, namespace: "default", object: bad) }
        #expect(invalid?.code == 422)
        let reasons = Set(invalid?.causes.map(\.reason) ?? [])
        #expect(reasons == ["FieldValueRequired", "FieldValueTypeInvalid", "FieldValueDuplicate"])
        // CRs need a resourceVersion on PUT.
        var put = created
        put["metadata"]?["resourceVersion"] = nil
        let needsRV = apiError { _ = try store.update(widgetResource, namespace: "default", object: put) }
        #expect(needsRV?.message == "Widget.example.com \"w\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")
        // Strategic merge patch is refused for custom resources.
        let smp = apiError { _ = try store.patch(widgetResource, namespace: "default", name: "w", patch: .strategicMerge(["spec": ["size": 2]])) }
        #expect(smp?.code == 415)
    }

    @Test func schemaDefaultsApplyToAbsentFields() throws {
        let store = ClusterStore()
        var crd = try widgetCRD()
        let versions = crd["spec"]?["versions"]?.arrayValue ?? []
        crd["spec"]?["versions"] = .array(versions.map { v in
            var v = v
            v["schema"]?["openAPIV3Schema"]?["properties"]?["spec"]?["properties"]?["size"]?["default"] = 4
            return v
        })
        _ = try store.create(.customResourceDefinitions, namespace: nil, object: crd)
        let w = try store.create(widgetResource, namespace: "default", object: ["metadata": ["name": "d"], "spec": ["color": "red"]])
        #expect(w["spec"]?["size"] == 4)
    }

    @Test func tableRendersPrinterColumnsAndAges() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let store = ClusterStore(options: .init(now: { now.addingTimeInterval(-151) }))
        _ = try store.create(.customResourceDefinitions, namespace: nil, object: try widgetCRD())
        let w = try store.create(widgetResource, namespace: "default", object: ["metadata": ["name": "w"], "spec": ["color": "red", "size": 2]])
        let table = TableConverter.table(try store.info(for: widgetResource), [w], listRV: "1", now: now)
        #expect(table["rows"]?[0]?["cells"] == ["w", "red", 2, "2m31s"])
        #expect(table["rows"]?[0]?["object"]?["kind"] == "PartialObjectMetadata")
        #expect((table["columnDefinitions"]?.arrayValue ?? []).map { $0["name"]!.stringValue! } == ["Name", "Color", "Size", "Age"])
    }

    @Test func humanDurations() {
        let cases: [(Double, String)] = [(5, "5s"), (119, "119s"), (151, "2m31s"), (600, "10m"), (3 * 3600 + 60, "3h1m"),
                                         (10 * 3600, "10h"), (3 * 86400 + 18 * 3600, "3d18h"), (400 * 86400, "400d"),
                                         (800 * 86400, "2y70d"), (-5, "<invalid>")]
        for (seconds, text) in cases { #expect(HumanDuration.format(seconds: seconds) == text) }
    }
}

@Suite struct InProcessClientTests {
    @Test func watchStreamsPromptlyAndErrorsAreKubeErrors() async throws {
        let store = ClusterStore()
        let client = InProcessClient(store: store)
        let stream = try await client.watch(.configMaps, namespace: "default", options: WatchOptions(resourceVersion: store.resourceVersion, allowWatchBookmarks: false))
        _ = try await client.create(.configMaps, namespace: "default", object: configMap("a"))
        var iterator = stream.makeAsyncIterator()
        let event = try await iterator.next()
        #expect(event?.type == .added)
        do {
            _ = try await client.get(.configMaps, namespace: "default", name: "missing")
            Issue.record("expected NotFound")
        } catch let error as KubeError {
            #expect(error.apiError?.isNotFound == true)
        }
        let list = try await client.list(.configMaps, namespace: "default")
        #expect(list.items.first?["kind"] == "ConfigMap")
    }
}
