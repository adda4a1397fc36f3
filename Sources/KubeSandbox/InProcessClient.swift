import Kube

/// A `KubeAPI` that calls the sandbox's `ClusterStore` directly, with the same semantics and
/// errors as the HTTP front (`KubeError.api(APIError)`), but no serialization or sockets.
/// The simulated control plane runs its controllers on it.
public final class InProcessClient: KubeAPI {
    public let store: ClusterStore

    public init(store: ClusterStore) { self.store = store }

    func run<T>(_ body: () throws(APIError) -> T) throws(KubeError) -> T {
        do throws(APIError) { return try body() } catch { throw KubeError.api(error) }
    }

    public func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
        if let subresource, subresource != "status" {
            throw KubeError.api(APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        return try run { () throws(APIError) in try store.get(resource, namespace: namespace, name: name) }
    }

    public func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        var list = try run { () throws(APIError) in try store.list(resource, namespace: namespace, options: options) }
        list.items = list.items.map { item in
            var i = item
            if i["apiVersion"] == nil { i["apiVersion"] = .string(resource.apiVersion) }
            if i["kind"] == nil { i["kind"] = .string(resource.kind) }
            return i
        }
        return list
    }

    public func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        let channel = try run { () throws(APIError) in try store.watch(resource, namespace: namespace, options: options) }
        return WatchEventStream(channel)
    }

    public func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
        try run { () throws(APIError) in try store.create(resource, namespace: namespace, object: object, options: options) }
    }

    public func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        try run { () throws(APIError) in
            try store.update(resource, namespace: namespace, object: object, subresource: subresource, options: options)
        }
    }

    public func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue {
        try run { () throws(APIError) in
            try store.patch(resource, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options)
        }
    }

    public func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        let outcome = try run { () throws(APIError) in try store.delete(resource, namespace: namespace, name: name, options: options) }
        return outcome.removed ? nil : outcome.object
    }
}
