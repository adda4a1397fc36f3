import Foundation
import Kube

/// `/openapi/v3` (index) and `/openapi/v3/{api/v1|apis/g/v}` documents: enough for kubectl to
/// see that the server validates fields (`fieldValidation` on PATCH/POST/PUT with
/// `x-kubernetes-group-version-kind`) and to explain custom resources. Built-in kinds carry no
/// schema; PATCH does not advertise strategic merge bodies (kubectl then falls back to its
/// compiled-in types for built-ins and to merge patches for custom resources).
enum OpenAPI {
    /// A minimal, valid OpenAPI v2 document (no paths, no definitions): kubectl before 1.28
    /// insists on parsing one before it asks the v3 documents whether the server validates fields.
    static func v2(accept: String) -> HTTPResponse {
        if accept.contains("protobuf") {
            func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(bytes.count)] + bytes }
            let info = field(1, Array("Kubernetes".utf8)) + field(2, Array("v1.32.0".utf8))
            let document = field(1, Array("2.0".utf8)) + field(2, info)
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")],
                                body: .full(document))
        }
        return .json(["swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .emptyObject])
    }

    static func respond(segments: [String], store: ClusterStore, accept: String = "") -> HTTPResponse {
        if segments == ["v2"] { return v2(accept: accept) }
        guard segments.first == "v3" else {
            return .error(APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        let resources = store.servedResources
        var gvs: [String: [ResourceInfo]] = [:]
        for r in resources { gvs[r.resource.group.isEmpty ? "api/\(r.resource.version)" : "apis/\(r.resource.apiVersion)", default: []].append(r) }
        if segments.count == 1 {
            var paths: [String: JSONValue] = [:]
            for (gv, rs) in gvs {
                paths[gv] = ["serverRelativeURL": .string("/openapi/v3/\(gv)?hash=\(hash(document(rs)))")]
            }
            return .json(["paths": .object(paths)])
        }
        let gv = segments.dropFirst().joined(separator: "/")
        guard let rs = gvs[gv] else {
            return .error(APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        return .json(document(rs))
    }

    static func hash(_ doc: JSONValue) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in doc.serialized(sortedKeys: true) { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return String(format: "%016llX", h) + String(format: "%016llX", h &* 31)
    }

    static func schemaName(_ r: ResourceInfo) -> String {
        let reversedGroup = r.resource.group.isEmpty ? "io.k8s.api.core" : r.resource.group.split(separator: ".").reversed().joined(separator: ".")
        return "\(reversedGroup).\(r.resource.version).\(r.resource.kind)"
    }

    static func document(_ resources: [ResourceInfo]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        for r in resources.sorted(by: { $0.resource.plural < $1.resource.plural }) {
            let gvk: JSONValue = ["group": .string(r.resource.group), "version": .string(r.resource.version), "kind": .string(r.resource.kind)]
            let ref: JSONValue = ["$ref": .string("#/components/schemas/\(schemaName(r))")]
            let content: JSONValue = ["application/json": ["schema": ref]]
            func op(_ action: String, params: [String], body: JSONValue? = nil) -> JSONValue {
                var o: JSONValue = ["operationId": .string("\(action)\(r.resource.kind)"), "x-kubernetes-action": .string(action),
                                    "x-kubernetes-group-version-kind": gvk,
                                    "parameters": .array(params.map { ["name": .string($0), "in": "query", "schema": ["type": "string"], "uniqueItems": true] }),
                                    "responses": ["200": ["description": "OK", "content": content]]]
                if let body { o["requestBody"] = ["content": body, "required": true] }
                return o
            }
            let writeParams = ["dryRun", "fieldManager", "fieldValidation"]
            let patchBody: JSONValue = ["application/json-patch+json": ["schema": ["type": "object"]],
                                        "application/merge-patch+json": ["schema": ["type": "object"]],
                                        "application/apply-patch+yaml": ["schema": ["type": "object"]]]
            let prefix = r.resource.group.isEmpty ? "/api/\(r.resource.version)" : "/apis/\(r.resource.apiVersion)"
            let collection = r.resource.namespaced ? "\(prefix)/namespaces/{namespace}/\(r.resource.plural)" : "\(prefix)/\(r.resource.plural)"
            paths[collection] = ["get": op("list", params: ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch"]),
                                 "post": op("post", params: writeParams, body: content)]
            let item = "\(collection)/{name}"
            paths[item] = ["get": op("get", params: []), "put": op("put", params: writeParams, body: content),
                           "patch": op("patch", params: writeParams + ["force"], body: patchBody),
                           "delete": op("delete", params: ["dryRun", "gracePeriodSeconds", "propagationPolicy"])]
            if r.hasStatus {
                paths["\(item)/status"] = ["get": op("get", params: []), "put": op("put", params: writeParams, body: content),
                                           "patch": op("patch", params: writeParams + ["force"], body: patchBody)]
            }
            var schema = r.schema ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
            if r.isCustom {
                schema["properties"]?["apiVersion"] = ["type": "string"]
                schema["properties"]?["kind"] = ["type": "string"]
                schema["properties"]?["metadata"] = ["type": "object"]
            }
            schema["x-kubernetes-group-version-kind"] = [gvk]
            schemas[schemaName(r)] = schema
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .object(paths),
                "components": ["schemas": .object(schemas)]]
    }
}
