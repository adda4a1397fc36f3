import Kube

/// Builders for the `Status` failures the API server returns, with the reference's exact
/// reasons, codes and message formats (docs/k8s-api.md §2).
enum StatusErrors {
    static func notFound(_ info: ResourceInfo, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(info.resource.groupResource) \"\(name)\" not found",
                 details: details(info, name: name))
    }

    static func namespaceNotFound(_ namespace: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
                 details: ["name": .string(namespace), "kind": "namespaces"])
    }

    static func alreadyExists(_ info: ResourceInfo, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(info.resource.groupResource) \"\(name)\" already exists",
                 details: details(info, name: name))
    }

    static func conflict(_ info: ResourceInfo, name: String,
                         detail: String = "the object has been modified; please apply your changes to the latest version and try again") -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(info.resource.groupResource) \"\(name)\": \(detail)",
                 details: details(info, name: name))
    }

    /// One invalid field: `field: Kind: detail` as the apiserver's field.Error prints.
    struct Cause: Sendable {
        var field: String
        var reason: String  // FieldValueInvalid, FieldValueRequired, FieldValueDuplicate, FieldValueNotSupported, FieldValueForbidden, FieldValueTooLong…
        var message: String  // already rendered: `Invalid value: "x": must be …`

        var rendered: String { field.isEmpty ? message : "\(field): \(message)" }
        var json: JSONValue { ["reason": .string(reason), "message": .string(message), "field": .string(field)] }
    }

    /// `Job.batch "x" is invalid: spec.a: Invalid value: …` (several causes in `[…, …]`).
    static func invalid(_ info: ResourceInfo, name: String, causes: [Cause]) -> APIError {
        let qualified = info.resource.group.isEmpty ? info.resource.kind : "\(info.resource.kind).\(info.resource.group)"
        let body = causes.count == 1 ? causes[0].rendered : "[" + causes.map(\.rendered).joined(separator: ", ") + "]"
        var d: JSONValue = ["name": .string(name), "kind": .string(info.resource.kind),
                            "causes": .array(causes.map(\.json))]
        if !info.resource.group.isEmpty { d["group"] = .string(info.resource.group) }
        return APIError(code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(body)", details: d)
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    static func unsupportedPatch() -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType",
                 message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    }

    static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    static func details(_ info: ResourceInfo, name: String) -> JSONValue {
        ["name": .string(name), "group": .string(info.resource.group), "kind": .string(info.resource.plural)]
    }

    /// The wire form of an error: a `Status` object.
    static func status(_ error: APIError) -> JSONValue {
        var s: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
                            "message": .string(error.message), "reason": .string(error.reason), "code": .int(Int64(error.code))]
        if var d = error.details {
            if case .object(let members) = d, members["group"]?.stringValue == "" { d["group"] = nil }
            s["details"] = d
        }
        return s
    }
}
