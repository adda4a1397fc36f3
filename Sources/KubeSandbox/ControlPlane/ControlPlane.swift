import Foundation
import Kube
import Logging
import Synchronization

/// The sandbox's simulated control plane: node registration, scheduler, kubelet and Job
/// controller, all talking to the API only through `any KubeAPI`.
///
/// `run()` registers the nodes, then keeps one watcher (Kube's `Watcher`: list + watch) per
/// resource filling an `ObjectCache`, and one loop per controller, until cancelled. Loops wake on
/// watch events; timers exist only for program steps, back-offs and deadlines. An API error in
/// one loop is logged and retried with back-off; it never stops the others. Decisions are the
/// pure `Scheduler`, `KubeletStateMachine` (over `PodLifecycle`) and `JobReconciler`; this type
/// only performs them.
public final class ControlPlane: Sendable {
    let api: any KubeAPI
    let podLogs: PodLogStore
    let speed: Double
    let time: TimeSource
    /// The clock behind `time`, for the watchers' back-offs.
    let clock: any Clock<Duration>
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
        self.clock = clock
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

    // MARK: - Watching the API

    /// Fills `cache` from Kube's `Watcher` (the same list-then-watch state machine the operator's
    /// informers run): a clean end re-watches from the last resourceVersion, `410 Gone` re-lists,
    /// any other failure (or a watch that ends at once with nothing) backs off 0.2 s doubling to
    /// 5 s and retries; the watcher logs the failures. Every applied change wakes the loops.
    func inform(_ cache: ObjectCache) async {
        let configuration = WatcherStateMachine.Configuration(
            pageSize: 0,  // one unpaged list, a consistent read (the sandbox's later pages are not a snapshot)
            watchTimeoutSeconds: 300...300,
            backoff: Backoff(initial: .milliseconds(200), maximum: .seconds(5), jitter: 0))
        let watcher = Kube.Watcher(api: api, resource: cache.resource, namespace: nil, clock: clock,
                                   configuration: configuration, logger: logger)
        for await event in watcher {
            switch event {
            case .relisted(let items, _): cache.replace(items)
            case .applied(let object): cache.upsert(object)
            case .deleted(let object): cache.remove(object)
            case .bookmark: break
            case .failed: continue  // logged by the watcher, retried after its back-off
            }
            wakeAll()
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
