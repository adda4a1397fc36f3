import Foundation
import Kube
import Logging
import Synchronization

/// The sandbox's simulated control plane: node registration, scheduler, kubelet and Job
/// controller, all talking to the API only through `any KubeAPI`.
///
/// `run()` registers the nodes, then keeps one informer (list + watch) per resource and one loop
/// per controller until cancelled. Loops wake on watch events; timers exist only for program
/// steps, back-offs and deadlines. An API error in one loop is logged and retried with back-off;
/// it never stops the others. Decisions are the pure `Scheduler`, `PodLifecycle` and
/// `JobReconciler`; this type only performs them.
public final class ControlPlane: Sendable {
    let api: any KubeAPI
    let podLogs: PodLogStore
    let speed: Double
    let time: TimeSource
    let logger: Logger

    let nodeCache = ObjectCache(resource: .nodes)
    let podCache = ObjectCache(resource: .pods, indexes: [
        ObjectCache.Index(name: ControlPlane.byController, value: { ControlPlane.controllerUID($0) }),
        ObjectCache.Index(name: ControlPlane.byNode, value: { $0[path: "spec.nodeName"]?.stringValue }),
    ])
    /// Pod index: the uid of the pod's controlling Job.
    static let byController = "controller"
    /// Pod index: `spec.nodeName`.
    static let byNode = "node"
    let jobCache = ObjectCache(resource: .jobs)
    let schedulerWakeup = Wakeup()
    let kubeletWakeup = Wakeup()
    let jobWakeup = Wakeup()
    /// The nodes this control plane simulates, with when their readiness last changed.
    let nodes: Mutex<[String: (spec: NodeSpec, index: Int, readySince: Date)]>
    private let eventCounter = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - speed: divides every simulated duration (`sleep 10s` at speed 10 takes 1 s); clamped
    ///     to 0.001…1 000 000, non-finite or non-positive means 1.
    ///   - clock: drives program steps, back-offs and deadlines.
    ///   - now: the wall time for timestamps; by default derived from `clock`.
    public init(api: any KubeAPI, podLogs: PodLogStore, nodes: [NodeSpec], speed: Double,
                clock: any Clock<Duration> = ContinuousClock(), now: (@Sendable () -> Date)? = nil, logger: Logger) {
        self.api = api
        self.podLogs = podLogs
        self.speed = sanitizedSpeed(speed)
        self.time = TimeSource(clock: clock, now: now)
        self.logger = logger
        let start = time.now()
        var registry: [String: (spec: NodeSpec, index: Int, readySince: Date)] = [:]
        for (i, spec) in nodes.enumerated() { registry[spec.name] = (spec, i, start) }
        self.nodes = Mutex(registry)
    }

    /// Runs every loop until the calling task is cancelled.
    public func run() async {
        await registerNodes()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.inform(self.nodeCache) }
            group.addTask { await self.inform(self.podCache) }
            group.addTask { await self.inform(self.jobCache) }
            group.addTask { await self.schedulerLoop() }
            group.addTask { await self.kubeletLoop() }
            group.addTask { await self.jobLoop() }
            await group.waitForAll()
        }
    }

    func wakeAll() {
        schedulerWakeup.signal()
        kubeletWakeup.signal()
        jobWakeup.signal()
    }

    /// `true` once every informer has listed.
    var synced: Bool { nodeCache.isSynced && podCache.isSynced && jobCache.isSynced }

    // MARK: - Informers

    /// Lists, then watches from the list's resourceVersion; a clean end re-watches (after a
    /// back-off when it delivered nothing), `410 Gone` re-lists, any other failure backs off
    /// (0.2 s doubling to 5 s) and re-lists.
    func inform(_ cache: ObjectCache) async {
        var backoff: Duration = .milliseconds(200)
        while !Task.isCancelled {
            do {
                let list = try await api.list(cache.resource, namespace: nil, options: ListOptions())
                cache.replace(list.items)
                wakeAll()
                var rv = list.resourceVersion
                var relist = false
                while !relist, !Task.isCancelled {
                    let stream = try await api.watch(cache.resource, namespace: nil,
                                                     options: WatchOptions(resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 300))
                    var delivered = 0
                    for try await event in stream {
                        delivered += 1
                        switch event.type {
                        case .added, .modified: cache.upsert(event.object)
                        case .deleted: cache.remove(event.object)
                        case .bookmark: break
                        case .error:
                            let code = event.object["code"]?.intValue ?? 0
                            if code != 410 {
                                logger.warning("watch error", metadata: ["resource": "\(cache.resource)", "status": "\(event.object)"])
                            }
                            relist = true
                        }
                        if let newRV = event.object[path: "metadata.resourceVersion"]?.stringValue, event.type != .error { rv = newRV }
                        if relist { break }
                        backoff = .milliseconds(200)
                        wakeAll()
                    }
                    if delivered == 0, !relist {
                        // A watch that ends at once with nothing (client-go treats it as an error):
                        // do not spin; back off before watching again.
                        try await time.sleep(for: backoff)
                        backoff = min(backoff * 2, .seconds(5))
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("informer failed; retrying", metadata: ["resource": "\(cache.resource)", "error": "\(error)", "retry.after": "\(backoff)"])
                do { try await time.sleep(for: backoff) } catch { return }
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// Waits for a wake-up, or until `deadline` (a clock offset) when one is given. Returns
    /// `false` when the loop should end (cancelled).
    func wait(on wakeup: Wakeup, iterator: inout AsyncStream<Void>.Iterator, deadline: Duration?) async -> Bool {
        let timer: Task<Void, Never>? = deadline.map { d in
            let time = self.time
            return Task {
                do {
                    try await time.sleepUntil(d)
                    wakeup.signal()
                } catch {
                    // cancelled: something else woke the loop first
                }
            }
        }
        defer { timer?.cancel() }
        return await iterator.next() != nil && !Task.isCancelled
    }

    // MARK: - Writes shared by the loops

    /// Records an Event about `object` (best effort: a failure is logged, never retried).
    func recordEvent(about object: JSONValue, type: String, reason: String, message: String, component: String) async {
        let name = object[path: "metadata.name"]?.stringValue ?? "object"
        let namespace = object[path: "metadata.namespace"]?.stringValue ?? "default"
        let now = time.now()
        let n = eventCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let stamp = UInt64(max(0, now.timeIntervalSince1970) * 1e6) &* 1000 &+ n
        let ts = JSONValue.string(KubeTimestamp.time(now))
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(name).\(String(stamp, radix: 16))"), "namespace": .string(namespace)],
            "involvedObject": [
                "apiVersion": object["apiVersion"] ?? "v1", "kind": object["kind"] ?? "",
                "name": .string(name), "namespace": .string(namespace),
                "uid": object[path: "metadata.uid"] ?? "", "resourceVersion": object[path: "metadata.resourceVersion"] ?? "",
            ],
            "reason": .string(reason), "message": .string(message), "type": .string(type),
            "source": ["component": .string(component)],
            "reportingComponent": .string(component), "reportingInstance": .string(component),
            "firstTimestamp": ts, "lastTimestamp": ts, "count": 1,
        ]
        do {
            _ = try await api.create(.events, namespace: namespace, object: event)
        } catch {
            logger.debug("could not record event", metadata: ["event.reason": "\(reason)", "error": "\(error)"])
        }
    }

    /// Merge-patches `status` of an object through the status subresource when it differs from
    /// `old`; returns the stored object (also written through to `cache`).
    @discardableResult
    func patchStatus(_ cache: ObjectCache, object: JSONValue, status: JSONValue) async throws -> JSONValue? {
        let diff = JSONValue.mergePatch(from: object["status"], to: status)
        if diff == .emptyObject { return nil }
        let updated = try await api.patch(cache.resource, namespace: object[path: "metadata.namespace"]?.stringValue,
                                          name: object[path: "metadata.name"]?.stringValue ?? "",
                                          patch: .merge(["status": diff]), subresource: "status", options: PatchOptions())
        cache.upsert(updated)
        return updated
    }
}

extension KubeError {
    var isNotFound: Bool { apiError?.isNotFound ?? false }
    var isConflict: Bool { apiError?.isConflict ?? false }
    var isAlreadyExists: Bool { apiError?.isAlreadyExists ?? false }
}

func isNotFound(_ error: any Error) -> Bool { (error as? KubeError)?.isNotFound ?? false }
func isConflict(_ error: any Error) -> Bool { (error as? KubeError)?.isConflict ?? false }
func isAlreadyExists(_ error: any Error) -> Bool { (error as? KubeError)?.isAlreadyExists ?? false }
