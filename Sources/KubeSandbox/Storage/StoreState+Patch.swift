import Kube

extension StoreState {
    mutating func patch(_ info: ResourceInfo, namespace: String?, name: String, patch: Patch, subresource: String?,
                        options: PatchOptions) throws(APIError) -> JSONValue {
        let ns = info.resource.namespaced ? (namespace ?? "default") : nil
        let current = stored(info, ns, name).map { Self.present($0, info) }
        let write = WriteOptions(fieldManager: options.fieldManager, fieldValidation: options.fieldValidation, dryRun: options.dryRun)
        var patched: JSONValue
        switch patch {
        case .apply(let intent):
            guard let manager = options.fieldManager, !manager.isEmpty else {
                throw StatusErrors.badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
            }
            guard case .object = intent else { throw StatusErrors.badRequest("error decoding YAML: the apply patch must be an object") }
            if let intentName = intent["metadata"]?["name"]?.stringValue, intentName != name {
                throw StatusErrors.badRequest("the name of the object (\(intentName)) does not match the name on the URL (\(name))")
            }
            var body = intent
            body["metadata"]?["name"] = .string(name)
            if info.isCustom {
                body = (try? CustomResourceValidation.validate(body, info: info, fieldValidation: options.fieldValidation == "Strict" ? "Strict" : nil)) ?? body
                if options.fieldValidation == "Strict" { _ = try CustomResourceValidation.validate(intent, info: info, fieldValidation: "Strict") }
            }
            let merged = try ServerSideApply.apply(intent: body, to: current, manager: manager, force: options.force,
                                                   builtin: !info.isCustom, apiVersion: info.resource.apiVersion, time: timestamp())
            if current == nil {
                var toCreate = merged
                if subresource == "status" { throw StatusErrors.notFound(info, name: name) }
                toCreate["metadata"]?["resourceVersion"] = nil
                return try create(info, namespace: ns, object: toCreate,
                                  options: WriteOptions(fieldManager: nil, fieldValidation: options.fieldValidation, dryRun: options.dryRun))
            }
            patched = merged
            if let rv = intent["metadata"]?["resourceVersion"] { patched["metadata"]?["resourceVersion"] = rv }
            return try update(info, namespace: ns, object: patched, subresource: subresource,
                              options: WriteOptions(fieldManager: nil, fieldValidation: options.fieldValidation, dryRun: options.dryRun), isPatch: true)
        case .merge(let body):
            guard let current else { throw StatusErrors.notFound(info, name: name) }
            guard case .object = body else { throw StatusErrors.badRequest("json: cannot unmarshal into merge patch: not an object") }
            patched = MergePatch.apply(body, to: current)
        case .json(let ops):
            guard let current else { throw StatusErrors.notFound(info, name: name) }
            patched = try JSONPatch.apply(ops, to: current)
        case .strategicMerge(let body):
            if info.isCustom { throw StatusErrors.unsupportedPatch() }
            guard let current else { throw StatusErrors.notFound(info, name: name) }
            patched = StrategicMergePatch.apply(body, to: current)
        }
        guard case .object = patched else { throw StatusErrors.badRequest("the patched object is not a JSON object") }
        if patched["metadata"]?["name"]?.stringValue != name {
            throw StatusErrors.badRequest("the name of the object (\(patched["metadata"]?["name"]?.stringValue ?? "")) does not match the name on the URL (\(name))")
        }
        return try update(info, namespace: ns, object: patched, subresource: subresource, options: write, isPatch: true)
    }
}
