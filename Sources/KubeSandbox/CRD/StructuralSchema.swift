import Kube

/// Structural-schema rules for CRD validation schemas (docs/k8s-api.md §10).
enum StructuralSchema {
    static func violations(_ schema: JSONValue, path: String, root: Bool = false) -> [StatusErrors.Cause] {
        var out: [StatusErrors.Cause] = []
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        let intOrString = schema["x-kubernetes-int-or-string"]?.boolValue == true
        let type = schema["type"]?.stringValue ?? ""
        if type.isEmpty && !preserve && !intOrString {
            out.append(.init(field: "\(path).type", reason: "FieldValueRequired", message: "Required value: must not be empty for specified object fields"))
        }
        if root && type != "object" && !type.isEmpty {
            out.append(.init(field: "\(path).type", reason: "FieldValueInvalid", message: "Invalid value: \"\(type)\": must be object at the root"))
        }
        if !type.isEmpty && !["object", "array", "string", "integer", "number", "boolean"].contains(type) {
            out.append(.init(field: "\(path).type", reason: "FieldValueNotSupported",
                             message: "Unsupported value: \"\(type)\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""))
        }
        if type == "array" && schema["items"] == nil {
            out.append(.init(field: "\(path).items", reason: "FieldValueRequired", message: "Required value: must be specified"))
        }
        for junctor in ["allOf", "anyOf", "oneOf"] {
            for (i, sub) in (schema[junctor]?.arrayValue ?? []).enumerated() {
                for forbidden in ["type", "description", "default", "additionalProperties", "nullable"] where sub[forbidden] != nil {
                    out.append(.init(field: "\(path).\(junctor)[\(i)].\(forbidden)", reason: "FieldValueForbidden", message: "Forbidden: must be empty to be structural"))
                }
            }
        }
        for (name, sub) in schema["properties"]?.objectValue ?? [:] {
            if root && name == "metadata" { continue }
            out.append(contentsOf: violations(sub, path: "\(path).properties[\(name)]"))
        }
        if let items = schema["items"], items.objectValue != nil {
            out.append(contentsOf: violations(items, path: "\(path).items"))
        }
        if let ap = schema["additionalProperties"], ap.objectValue != nil {
            out.append(contentsOf: violations(ap, path: "\(path).additionalProperties"))
        }
        return out.sorted { $0.field < $1.field }
    }
}
