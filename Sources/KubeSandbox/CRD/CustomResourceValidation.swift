import Kube

/// Pruning and OpenAPI-schema validation of custom resources. CEL rules
/// (`x-kubernetes-validations`) are not evaluated.
enum CustomResourceValidation {
    static func validate(_ object: JSONValue, info: ResourceInfo, fieldValidation: String?) throws(APIError) -> JSONValue {
        guard let schema = info.schema else { return object }
        var unknown: [String] = []
        var pruned = object
        if case .object(var members) = object {
            for (k, sub) in schema["properties"]?.objectValue ?? [:] where members[k] == nil && !["apiVersion", "kind", "metadata"].contains(k) {
                if let d = sub["default"] { members[k] = d }
            }
            for (k, v) in members where !["apiVersion", "kind", "metadata"].contains(k) {
                if let sub = schema["properties"]?[k] {
                    members[k] = prune(v, sub, path: k, unknown: &unknown)
                } else if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue != true {
                    members[k] = nil
                    unknown.append(k)
                }
            }
            pruned = .object(members)
        }
        if fieldValidation == "Strict" && !unknown.isEmpty {
            throw StatusErrors.badRequest("strict decoding error: " + unknown.sorted().map { "unknown field \"\($0)\"" }.joined(separator: ", "))
        }
        var causes: [StatusErrors.Cause] = []
        var rootSchema = schema
        rootSchema["properties"]?["metadata"] = nil
        rootSchema["properties"]?["apiVersion"] = nil
        rootSchema["properties"]?["kind"] = nil
        var body = pruned
        body["metadata"] = nil; body["apiVersion"] = nil; body["kind"] = nil
        check(body, rootSchema, path: "", causes: &causes)
        if !causes.isEmpty {
            throw StatusErrors.invalid(info, name: object["metadata"]?["name"]?.stringValue ?? "", causes: causes)
        }
        return pruned
    }

    static func prune(_ value: JSONValue, _ schema: JSONValue, path: String, unknown: inout [String]) -> JSONValue {
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true && schema["properties"] == nil { return value }
        switch value {
        case .object(var members):
            let props = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            // Structural defaulting: absent properties with a `default` get it (then pruned/defaulted in turn).
            for (k, sub) in props ?? [:] where members[k] == nil {
                if let d = sub["default"] { members[k] = d }
            }
            for (k, v) in members {
                if let sub = props?[k] {
                    members[k] = prune(v, sub, path: "\(path).\(k)", unknown: &unknown)
                } else if let additional, additional.objectValue != nil {
                    members[k] = prune(v, additional, path: "\(path).\(k)", unknown: &unknown)
                } else if additional?.boolValue == true || schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true {
                    continue
                } else if props != nil || schema["type"]?.stringValue == "object" {
                    members[k] = nil
                    unknown.append("\(path).\(k)")
                }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.enumerated().map { prune($1, itemSchema, path: "\(path)[\($0)]", unknown: &unknown) })
        default:
            return value
        }
    }

    static func render(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "\"\(s)\""
        case .null: return "\"null\""
        case .object: return "\"object\""
        case .array: return "\"array\""
        default: return v.description
        }
    }

    static func check(_ value: JSONValue, _ schema: JSONValue, path: String, causes: inout [StatusErrors.Cause]) {
        let type = schema["type"]?.stringValue ?? ""
        let display = path.isEmpty ? "<root>" : path
        if value.isNull {
            if schema["nullable"]?.boolValue == true || type.isEmpty { return }
            causes.append(.init(field: path, reason: "FieldValueTypeInvalid", message: "Invalid value: \"null\": \(display) in body must be of type \(type): \"null\""))
            return
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            if value.intValue == nil && value.stringValue == nil {
                causes.append(.init(field: path, reason: "FieldValueTypeInvalid", message: "Invalid value: \(render(value)): \(display) in body must be of type integer,string: \(render(value))"))
            }
            return
        }
        let ok: Bool
        switch type {
        case "string": ok = value.stringValue != nil
        case "integer": ok = { if case .int = value { return true }; return false }() || (value.doubleValue.map { $0.rounded() == $0 } ?? false)
        case "number": ok = value.doubleValue != nil
        case "boolean": ok = value.boolValue != nil
        case "object": ok = value.objectValue != nil
        case "array": ok = value.arrayValue != nil
        default: ok = true
        }
        if !ok {
            causes.append(.init(field: path, reason: "FieldValueTypeInvalid",
                                message: "Invalid value: \(render(value)): \(display) in body must be of type \(type): \(render(value.typeName == "integer" || value.typeName == "number" ? .string(value.typeName) : value))"))
            return
        }
        if let e = schema["enum"]?.arrayValue, !e.contains(value) {
            causes.append(.init(field: path, reason: "FieldValueNotSupported",
                                message: "Unsupported value: \(render(value)): supported values: \(e.map(render).joined(separator: ", "))"))
        }
        if let s = value.stringValue {
            if let max = schema["maxLength"]?.intValue, s.count > max {
                causes.append(.init(field: path, reason: "FieldValueTooLong", message: "Too long: may not be longer than \(max)"))
            }
            if let min = schema["minLength"]?.intValue, s.count < min {
                causes.append(.init(field: path, reason: "FieldValueInvalid", message: "Invalid value: \(render(value)): \(display) in body should be at least \(min) chars long"))
            }
            if let pattern = schema["pattern"]?.stringValue, let regex = try? Regex(pattern), (try? regex.firstMatch(in: s)) == nil {
                causes.append(.init(field: path, reason: "FieldValueInvalid", message: "Invalid value: \(render(value)): \(display) in body should match '\(pattern)'"))
            }
        }
        if let d = value.doubleValue, type == "integer" || type == "number" {
            if let min = schema["minimum"]?.doubleValue, d < min {
                causes.append(.init(field: path, reason: "FieldValueInvalid", message: "Invalid value: \(value.description): \(display) in body should be greater than or equal to \(schema["minimum"]!.description)"))
            }
            if let max = schema["maximum"]?.doubleValue, d > max {
                causes.append(.init(field: path, reason: "FieldValueInvalid", message: "Invalid value: \(value.description): \(display) in body should be less than or equal to \(schema["maximum"]!.description)"))
            }
        }
        if let members = value.objectValue {
            for req in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where members[req] == nil {
                causes.append(.init(field: path.isEmpty ? req : "\(path).\(req)", reason: "FieldValueRequired", message: "Required value"))
            }
            let props = schema["properties"]?.objectValue ?? [:]
            for (k, v) in members.sorted(by: { $0.key < $1.key }) {
                let childPath = path.isEmpty ? k : "\(path).\(k)"
                if let sub = props[k] {
                    check(v, sub, path: childPath, causes: &causes)
                } else if let ap = schema["additionalProperties"], ap.objectValue != nil {
                    check(v, ap, path: childPath, causes: &causes)
                }
            }
            if let max = schema["maxProperties"]?.intValue, members.count > max {
                causes.append(.init(field: path, reason: "FieldValueTooMany", message: "Too many: \(members.count): must have at most \(max) items"))
            }
        }
        if let items = value.arrayValue {
            if let max = schema["maxItems"]?.intValue, items.count > max {
                causes.append(.init(field: path, reason: "FieldValueTooMany", message: "Too many: \(items.count): must have at most \(max) items"))
            }
            if let min = schema["minItems"]?.intValue, items.count < min {
                causes.append(.init(field: path, reason: "FieldValueInvalid", message: "Invalid value: \(items.count): \(display) in body should have at least \(min) items"))
            }
            if let itemSchema = schema["items"] {
                for (i, item) in items.enumerated() { check(item, itemSchema, path: "\(path)[\(i)]", causes: &causes) }
            }
            let listType = schema["x-kubernetes-list-type"]?.stringValue
            if listType == "map" {
                let keys = (schema["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
                var seen = Set<[JSONValue]>()
                for (i, item) in items.enumerated() {
                    let k = keys.map { item[$0] ?? .null }
                    if !seen.insert(k).inserted {
                        let rendered = keys.map { "\"\($0)\":\((item[$0] ?? .null).description)" }.joined(separator: ", ")
                        causes.append(.init(field: "\(path)[\(i)]", reason: "FieldValueDuplicate", message: "Duplicate value: map[string]interface {}{\(rendered)}"))
                    }
                }
            } else if listType == "set" {
                var seen = Set<JSONValue>()
                for (i, item) in items.enumerated() where !seen.insert(item).inserted {
                    causes.append(.init(field: "\(path)[\(i)]", reason: "FieldValueDuplicate", message: "Duplicate value: \(item.description)"))
                }
            }
        }
    }
}
