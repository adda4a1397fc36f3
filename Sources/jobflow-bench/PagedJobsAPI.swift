import Kube

/// An in-memory API that serves pre-serialized list pages of Jobs (each decoded on request as
/// `KubeClient` decodes a response, honouring the projection) and a watch that stays open with no events: the informer's cold start
/// without a server in the way.
final class PagedJobsAPI: KubeAPI {
    let pages: [[UInt8]]
    let pageSize: Int

    init(count: Int, pageSize: Int = 500) {
        self.pageSize = pageSize
        pages = stride(from: 0, to: count, by: pageSize).map { start in
            let end = min(count, start + pageSize)
            let token: JSONValue = end < count ? .string(String(start / pageSize + 1)) : ""
            let page: JSONValue = ["kind": "JobList", "apiVersion": "batch/v1",
                                   "metadata": ["resourceVersion": "1", "continue": token],
                                   "items": .array((start..<end).map { Fixtures.job(index: $0) })]
            return page.serialized()
        }
    }

    func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        let index = Int(options.continueToken ?? "0") ?? 0
        let page = try options.projection.map {
            try JSONParser.parse(pages[index], projection: $0.withIdentity.nested(under: "items", alsoKeep: ["metadata"]))
        } ?? JSONParser.parse(pages[index])
        let token = page[path: "metadata.continue"]?.stringValue
        return ObjectList(resourceVersion: "1", continueToken: (token?.isEmpty ?? true) ? nil : token,
                          items: page["items"]?.arrayValue ?? [])
    }

    func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        // Stays open until cancelled, like a quiet watch.
        WatchEventStream(AsyncStream<WatchEvent> { _ in })
    }

    func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue { throw unsupported }
    func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue { throw unsupported }
    func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue { throw unsupported }
    func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue { throw unsupported }
    func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? { throw unsupported }

    var unsupported: KubeError { .configuration("not supported by the benchmark API") }
}
