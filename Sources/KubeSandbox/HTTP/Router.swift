import Foundation
import Kube

/// Maps HTTP requests onto the store: URL layout, verbs, query options, content types,
/// Table responses, watch streams, pod logs, discovery and OpenAPI.
struct Router: Sendable {
    let store: ClusterStore
    let podLogs: PodLogStore
    let audit: AuditLog
    var faults: FaultInjector?

    /// A parsed resource URL.
    struct Target: Sendable {
        var info: ResourceInfo
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    /// What the router answers: at once (almost every request, computed on the caller's thread),
    /// or after a pause (fault-injected latency) by running `rest` once the delay has passed.
    enum Routed: Sendable {
        case ready(String, HTTPResponse)
        case delayed(Double, @Sendable () -> (String, HTTPResponse))
    }

    /// Routes `request` and records it in the audit log once its response is known.
    func handle(_ request: HTTPRequest) -> HTTPHandling {
        switch route(request) {
        case .ready(let verb, let response):
            return .response(record(request, verb: verb, response))
        case .delayed(let seconds, let rest):
            return .deferred { [self] in
                try? await Task.sleep(for: .seconds(seconds))
                let (verb, response) = rest()
                return record(request, verb: verb, response)
            }
        }
    }

    func record(_ request: HTTPRequest, verb: String, _ response: HTTPResponse) -> HTTPResponse {
        audit.record(AuditLog.Entry(time: Date(), verb: verb, method: request.method, path: request.uri,
                                    userAgent: request.userAgent, code: response.status))
        return response
    }

    /// Synchronous routing: only fault-injected latency needs to wait (streamed bodies are
    /// produced later, by the server).
    func route(_ request: HTTPRequest) -> Routed {
        let segments = request.path.split(separator: "/").map { HTTPRequest.decode(String($0)) }
        let method = request.method.lowercased()
        switch segments.first {
        case "version": return .ready(method, .json(Discovery.version))
        case "healthz", "readyz", "livez": return .ready(method, .text("ok"))
        case "openapi": return .ready(method, OpenAPI.respond(segments: Array(segments.dropFirst()), store: store, accept: request.accept))
        case "api", "apis":
            if let discovery = Discovery.respond(segments: segments, request: request, store: store) { return .ready(method, discovery) }
        default: break
        }
        let target: Target
        do throws(APIError) {
            target = try parse(segments)
        } catch {
            return .ready(verb(request, nil), .error(error))
        }
        guard let faults else {
            let (verb, response) = serveCatching(request, target, cutWatchAfter: nil)
            return .ready(verb, response)
        }
        let v = verb(request, target)
        let decision = faults.decide(verb: v, resource: target.info.resource.groupResource, name: target.name)
        let error = decision.error, expiredWatch = decision.expiredWatch, cutAfter = faults.config.cutWatchesEvery
        let rest: @Sendable () -> (String, HTTPResponse) = { [self] in
            if let error { return (v, .error(error)) }
            if expiredWatch {
                let status = StatusErrors.status(StatusErrors.expired("too old resource version: \(request.query["resourceVersion"] ?? "0") (\(store.resourceVersion))"))
                var line = JSONValue.object(["type": "ERROR", "object": status]).serialized()
                line.append(0x0A)
                let bytes = line
                return (v, HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .stream { write in try? await write(bytes) }))
            }
            return serveCatching(request, target, cutWatchAfter: cutAfter)
        }
        if decision.delay > 0 { return .delayed(decision.delay, rest) }
        let (verb, response) = rest()
        return .ready(verb, response)
    }

    func serveCatching(_ request: HTTPRequest, _ target: Target, cutWatchAfter: Int?) -> (String, HTTPResponse) {
        do throws(APIError) {
            return try serve(request, target, cutWatchAfter: cutWatchAfter)
        } catch {
            return (verb(request, nil), .error(error))
        }
    }

    func parse(_ segments: [String]) throws(APIError) -> Target {
        let notFound = APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                                details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])
        var rest: ArraySlice<String>
        let group: String, version: String
        if segments.first == "api", segments.count >= 3 {
            group = ""; version = segments[1]; rest = segments[2...]
        } else if segments.first == "apis", segments.count >= 4 {
            group = segments[1]; version = segments[2]; rest = segments[3...]
        } else {
            throw notFound
        }
        func lookup(_ plural: String) throws(APIError) -> ResourceInfo {
            guard let info = store.info(group: group, version: version, plural: plural) else { throw notFound }
            return info
        }
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3 {
            let third = rest[rest.startIndex + 2]
            let isNamespaceSubresource = group.isEmpty && rest.count == 3 && (third == "status" || third == "finalize")
                && store.info(group: group, version: version, plural: third) == nil
            if !isNamespaceSubresource {
                namespace = rest[rest.startIndex + 1]
                rest = rest.dropFirst(2)
            }
        }
        let info = try lookup(rest.first!)
        if info.resource.namespaced == false && namespace != nil { throw notFound }
        let values = Array(rest.dropFirst())
        guard values.count <= 2 else { throw notFound }
        return Target(info: info, namespace: namespace, name: values.first, subresource: values.count > 1 ? values[1] : nil)
    }

    func verb(_ request: HTTPRequest, _ target: Target?) -> String {
        let hasName = target?.name != nil
        switch request.method {
        case "GET": return hasName ? "get" : (request.flag("watch") ? "watch" : "list")
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return hasName ? "delete" : "deletecollection"
        default: return request.method.lowercased()
        }
    }

    func parseBody(_ request: HTTPRequest) throws(APIError) -> JSONValue {
        if request.body.isEmpty { throw StatusErrors.badRequest("the request body is empty") }
        let type = request.contentType
        if type.contains("protobuf"), let decoded = ProtobufBodies.decode(request.body) { return decoded }
        if type.contains("protobuf") || type.contains("cbor") {
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
        }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            if request.contentType.contains("yaml") {
                if let yaml = try? JSONValue.parseYAML(String(decoding: request.body, as: UTF8.self)) { return yaml }
            }
            throw StatusErrors.badRequest("the body of the request could not be decoded as JSON: \(error.description)")
        }
    }

    func serve(_ request: HTTPRequest, _ target: Target, cutWatchAfter: Int? = nil) throws(APIError) -> (String, HTTPResponse) {
        let verb = verb(request, target)
        let q = request.query
        let info = target.info
        let dryRun = q["dryRun"] == "All"
        let write = WriteOptions(fieldManager: q["fieldManager"], fieldValidation: q["fieldValidation"], dryRun: dryRun)
        if let sub = target.subresource, !(sub == "status" && info.hasStatus), !(sub == "log" && info.resource == .pods) {
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        switch verb {
        case "get":
            if target.subresource == "log" {
                return (verb, try PodLogEndpoint.respond(request, namespace: target.namespace ?? "default", pod: target.name!, store: store, logs: podLogs))
            }
            let object = try store.get(info.resource, namespace: target.namespace, name: target.name!)
            if request.wantsTable { return (verb, .json(TableConverter.table(info, [object], listRV: nil), contentType: TableConverter.contentType)) }
            return (verb, .json(object))
        case "list":
            let options = ListOptions(labelSelector: q["labelSelector"], fieldSelector: q["fieldSelector"], limit: q["limit"].flatMap { Int($0) },
                                      continueToken: q["continue"], resourceVersion: q["resourceVersion"], resourceVersionMatch: q["resourceVersionMatch"])
            let list = try store.list(info.resource, namespace: target.namespace, options: options)
            if request.wantsTable {
                var table = TableConverter.table(info, list.items, listRV: list.resourceVersion)
                if let c = list.continueToken { table["metadata"]?["continue"] = .string(c) }
                return (verb, .json(table, contentType: TableConverter.contentType))
            }
            var meta: JSONValue = ["resourceVersion": .string(list.resourceVersion)]
            if let c = list.continueToken { meta["continue"] = .string(c) }
            let body: JSONValue = ["kind": .string(info.resource.kind + "List"), "apiVersion": .string(info.resource.apiVersion),
                                   "metadata": meta, "items": .array(list.items)]
            return (verb, .json(body))
        case "watch":
            let options = WatchOptions(labelSelector: q["labelSelector"], fieldSelector: q["fieldSelector"], resourceVersion: q["resourceVersion"],
                                       allowWatchBookmarks: request.flag("allowWatchBookmarks"), timeoutSeconds: q["timeoutSeconds"].flatMap { Int($0) })
            let channel = try store.watch(info.resource, namespace: target.namespace, options: options,
                                          sendInitialEvents: request.query["sendInitialEvents"] == "true")
            let table = request.wantsTable
            let response = HTTPResponse(status: 200, headers: [("Content-Type", table ? TableConverter.contentType : "application/json")], body: .stream { write in
                var sent = 0
                for await event in channel {
                    if let cutWatchAfter, sent >= cutWatchAfter {
                        channel.finish()
                        return
                    }
                    sent += 1
                    var object = event.object
                    if table && (event.type == .added || event.type == .modified || event.type == .deleted) {
                        object = TableConverter.table(info, [event.object], listRV: nil)
                    }
                    var line = JSONValue.object(["type": .string(event.type.rawValue), "object": object]).serialized()
                    line.append(0x0A)
                    do { try await write(line) } catch {
                        channel.finish()
                        return
                    }
                }
            })
            return (verb, response)
        case "create":
            guard target.name == nil else { throw StatusErrors.methodNotAllowed("the server does not allow this method on the requested resource") }
            let object = try store.create(info.resource, namespace: target.namespace, object: try parseBody(request), options: write)
            return (verb, .json(object, status: 201))
        case "update":
            var object = try parseBody(request)
            if let name = target.name {
                if let bodyName = object["metadata"]?["name"]?.stringValue, bodyName != name {
                    throw StatusErrors.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
                }
                object["metadata"]?["name"] = .string(name)
            }
            let updated = try store.update(info.resource, namespace: target.namespace, object: object, subresource: target.subresource, options: write)
            return (verb, .json(updated))
        case "patch":
            let body = try parseBody(request)
            let patch: Patch
            switch request.contentType {
            case "application/merge-patch+json": patch = .merge(body)
            case "application/json-patch+json": patch = .json(body)
            case "application/strategic-merge-patch+json": patch = .strategicMerge(body)
            case "application/apply-patch+yaml", "application/apply-patch+json", "application/apply-patch+cbor": patch = .apply(body)
            default: throw StatusErrors.unsupportedPatch()
            }
            let options = PatchOptions(fieldManager: q["fieldManager"], force: request.flag("force"), fieldValidation: q["fieldValidation"], dryRun: dryRun)
            let object = try store.patch(info.resource, namespace: target.namespace, name: target.name!, patch: patch,
                                         subresource: target.subresource, options: options)
            return (verb, .json(object))
        case "delete":
            let options = try deleteOptions(request)
            let outcome = try store.delete(info.resource, namespace: target.namespace, name: target.name!, options: options)
            let warnings = outcome.warnings.map { ("Warning", "299 - \"\($0)\"") }
            if !outcome.removed || StoreState.returnsDeletedObject(info) {
                return (verb, .json(outcome.object, headers: warnings))
            }
            var details: JSONValue = ["name": .string(target.name!), "kind": .string(info.resource.plural),
                                      "uid": outcome.object["metadata"]?["uid"] ?? ""]
            if !info.resource.group.isEmpty { details["group"] = .string(info.resource.group) }
            let status: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Success", "details": details]
            return (verb, .json(status, headers: warnings))
        case "deletecollection":
            let options = try deleteOptions(request)
            let list = try store.list(info.resource, namespace: target.namespace,
                                      options: ListOptions(labelSelector: q["labelSelector"], fieldSelector: q["fieldSelector"]))
            var warnings: [String] = []
            for item in list.items {
                let name = item["metadata"]?["name"]?.stringValue ?? ""
                if let outcome = try? store.delete(info.resource, namespace: item["metadata"]?["namespace"]?.stringValue, name: name, options: options) {
                    warnings.append(contentsOf: outcome.warnings)
                }
            }
            let body: JSONValue = ["kind": .string(info.resource.kind + "List"), "apiVersion": .string(info.resource.apiVersion),
                                   "metadata": ["resourceVersion": .string(store.resourceVersion)], "items": .array(list.items)]
            return (verb, .json(body, headers: Array(Set(warnings)).map { ("Warning", "299 - \"\($0)\"") }))
        default:
            throw StatusErrors.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    func deleteOptions(_ request: HTTPRequest) throws(APIError) -> DeleteOptions {
        let q = request.query
        var options = DeleteOptions(dryRun: q["dryRun"] == "All")
        if !request.body.isEmpty {
            let body = try parseBody(request)
            if let p = body["propagationPolicy"]?.stringValue { options.propagationPolicy = DeleteOptions.Propagation(rawValue: p) }
            if body["orphanDependents"]?.boolValue == true { options.propagationPolicy = .orphan }
            if let g = body["gracePeriodSeconds"]?.intValue { options.gracePeriodSeconds = Int(g) }
            options.preconditionUID = body["preconditions"]?["uid"]?.stringValue
            options.preconditionResourceVersion = body["preconditions"]?["resourceVersion"]?.stringValue
            if body["dryRun"]?.arrayValue?.contains("All") == true { options.dryRun = true }
        }
        if let p = q["propagationPolicy"] {
            guard let policy = DeleteOptions.Propagation(rawValue: p) else {
                throw StatusErrors.badRequest("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(p)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
            }
            options.propagationPolicy = policy
        }
        if let g = q["gracePeriodSeconds"].flatMap({ Int($0) }) { options.gracePeriodSeconds = g }
        return options
    }
}
