import Foundation
import Kube

/// `GET /api/v1/namespaces/{ns}/pods/{name}/log`: container, follow, tailLines, sinceSeconds,
/// sinceTime, timestamps, previous, limitBytes, with the reference's error messages (§6).
enum PodLogEndpoint {
    static func respond(_ request: HTTPRequest, namespace: String, pod: String, store: ClusterStore, logs: PodLogStore) throws(APIError) -> HTTPResponse {
        let object = try store.get(.pods, namespace: namespace, name: pod)
        let containers = (object["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let initContainers = (object["spec"]?["initContainers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let q = request.query
        let container: String
        if let c = q["container"], !c.isEmpty {
            guard containers.contains(c) || initContainers.contains(c) else {
                throw StatusErrors.badRequest("container \(c) is not valid for pod \(pod)")
            }
            container = c
        } else if containers.count == 1 {
            container = containers[0]
        } else {
            throw StatusErrors.badRequest("a container name must be specified for pod \(pod), choose one of: [\(containers.joined(separator: " "))]"
                                          + (initContainers.isEmpty ? "" : " or one of the init containers: [\(initContainers.joined(separator: " "))]"))
        }
        let statuses = (object["status"]?["containerStatuses"]?.arrayValue ?? []) + (object["status"]?["initContainerStatuses"]?.arrayValue ?? [])
        let status = statuses.first { $0["name"]?.stringValue == container }
        if request.flag("previous") {
            if status?["lastState"]?["terminated"] == nil {
                throw StatusErrors.badRequest("previous terminated container \"\(container)\" in pod \"\(pod)\" not found")
            }
            // Previous runs' output is not kept separately by the log store.
            return .text("")
        }
        let hasLines = !logs.lines(namespace: namespace, pod: pod, container: container).isEmpty
        if !hasLines, status?["state"]?["running"] == nil, status?["state"]?["terminated"] == nil {
            let reason = status?["state"]?["waiting"]?["reason"]?.stringValue ?? "ContainerCreating"
            throw StatusErrors.badRequest("container \"\(container)\" in pod \"\(pod)\" is waiting to start: \(reason)")
        }
        let timestamps = request.flag("timestamps")
        let tail = q["tailLines"].flatMap { Int($0) }
        let limit = q["limitBytes"].flatMap { Int($0) }
        var since: Date?
        if let s = q["sinceSeconds"].flatMap({ Double($0) }) { since = Date().addingTimeInterval(-s) }
        if let t = q["sinceTime"], let d = HumanDuration.parse(t) { since = d }
        @Sendable func render(_ line: PodLogStore.Line) -> [UInt8] {
            var text = line.text + "\n"
            if timestamps {
                text = line.time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)).replacingOccurrences(of: "Z", with: "000000Z") + " " + text
            }
            return Array(text.utf8)
        }
        func select(_ lines: [PodLogStore.Line]) -> [PodLogStore.Line] {
            var l = lines
            if let since { l = l.filter { $0.time >= since } }
            if let tail, tail >= 0 { l = Array(l.suffix(tail)) }
            return l
        }
        if !request.flag("follow") {
            var out: [UInt8] = []
            for line in select(logs.lines(namespace: namespace, pod: pod, container: container)) { out += render(line) }
            if let limit, out.count > limit { out = Array(out.prefix(limit)) }
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: .full(out))
        }
        let (backlog, stream) = logs.follow(namespace: namespace, pod: pod, container: container)
        let initial = select(backlog)
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: .stream { write in
            var sent = 0
            func emit(_ bytes: [UInt8]) async -> Bool {
                var b = bytes
                if let limit {
                    if sent >= limit { return false }
                    if sent + b.count > limit { b = Array(b.prefix(limit - sent)) }
                }
                sent += b.count
                do { try await write(b) } catch { return false }
                return limit.map { sent < $0 } ?? true
            }
            for line in initial where !(await emit(render(line))) { return }
            for await line in stream where !(await emit(render(line))) { return }
        })
    }
}
