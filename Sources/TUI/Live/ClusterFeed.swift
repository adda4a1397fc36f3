import Foundation
import JobFlowAPI
import Kube
import Logging
import Synchronization

/// Fills `ClusterSnapshot`s from informers: JobFlows, DaemonJobs, the Jobs and pods they own
/// (label-selected), and the operator's Lease. List, get and watch only — it never writes.
///
/// Snapshots are built at most every `interval` after a change to a cached object or to the
/// connection state, never while nothing changes; the runner coalesces further.
public final class ClusterFeed: Sendable {
    public struct Configuration: Sendable {
        public var context: String
        /// nil watches all namespaces.
        public var namespace: String?
        public var jobFlows: Resource
        public var daemonJobs: Resource
        /// Labels whose presence marks the Jobs and pods of flows and DaemonJobs.
        public var ownerLabels: [String]
        /// Kinds whose core/v1 Events the details view shows (one informer each: field
        /// selectors cannot say "any of").
        public var eventKinds: [String]
        /// Where the operator's leader Lease lives.
        public var leaseNamespace: String
        public var leaseName: String
        /// This process's identity in that Lease when it runs the operator itself (operator mode).
        public var ownIdentity: String?
        public var interval: Duration

        public init(context: String, namespace: String?, jobFlows: Resource, daemonJobs: Resource,
                    ownerLabels: [String] = Keys.ownerLabels,
                    leaseNamespace: String, leaseName: String = "jobflow-operator", interval: Duration = .milliseconds(50),
                    eventKinds: [String] = ["Job", "Pod", CustomKind.jobFlow.rawValue, CustomKind.daemonJob.rawValue]) {
        self.eventKinds = eventKinds
            self.context = context
            self.namespace = namespace
            self.jobFlows = jobFlows
            self.daemonJobs = daemonJobs
            self.ownerLabels = ownerLabels
            self.leaseNamespace = leaseNamespace
            self.leaseName = leaseName
            self.interval = interval
        }
    }

    let configuration: Configuration
    let flows: Informer
    let daemonJobs: Informer
    let jobs: [Informer]
    let pods: [Informer]
    let lease: Informer
    let events: [Informer]
    let dirty = Atomic<Bool>(true)

    public init(api: any KubeAPI, configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        let ns = configuration.namespace
        flows = Informer(api: api, resource: configuration.jobFlows, namespace: ns, logger: logger)
        daemonJobs = Informer(api: api, resource: configuration.daemonJobs, namespace: ns, logger: logger)
        jobs = configuration.ownerLabels.map { Informer(api: api, resource: .jobs, namespace: ns, labelSelector: $0, logger: logger) }
        pods = configuration.ownerLabels.map { Informer(api: api, resource: .pods, namespace: ns, labelSelector: $0, logger: logger) }
        lease = Informer(api: api, resource: .leases, namespace: configuration.leaseNamespace,
                         fieldSelector: "metadata.name=\(configuration.leaseName)", logger: logger)
        events = configuration.eventKinds.map {
            Informer(api: api, resource: .events, namespace: ns, fieldSelector: "involvedObject.kind=\($0)", logger: logger)
        }
        for informer in allInformers {
            informer.onAdd { [weak self] _ in self?.dirty.store(true, ordering: .relaxed) }
            informer.onUpdate { [weak self] _, _ in self?.dirty.store(true, ordering: .relaxed) }
            informer.onDelete { [weak self] _ in self?.dirty.store(true, ordering: .relaxed) }
        }
    }

    var allInformers: [Informer] { [flows, daemonJobs, lease] + jobs + pods + events }

    /// Runs the informers and hands each new snapshot to `deliver` until the task is cancelled.
    public func run(deliver: @escaping @Sendable (ClusterSnapshot) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for informer in allInformers { group.addTask { await informer.run() } }
            group.addTask { [self] in
                // A snapshot copies and sorts every cache: build one only when an object changed
                // or the connection state did (the UI ages leases and durations on its own
                // clock), so a quiet cluster costs next to nothing however big it is.
                var lastConnection: ConnectionStatus?
                while !Task.isCancelled {
                    do { try await Task.sleep(for: configuration.interval) } catch { break }
                    let now = connection
                    if dirty.exchange(false, ordering: .relaxed) || now != lastConnection {
                        lastConnection = now
                        deliver(snapshot())
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The current contents of every cache, as one value.
    public func snapshot(now: Date = Date()) -> ClusterSnapshot {
        func keyed(_ informers: [Informer]) -> [String: JSONValue] {
            var all: [String: JSONValue] = [:]
            for informer in informers { all.merge(informer.store.snapshot().objects) { a, _ in a } }
            return all
        }
        var leaseInfo: LeaseInfo?
        if let object = lease.store.snapshot().sortedObjects.first,
           let holder = object[path: "spec.holderIdentity"]?.stringValue, !holder.isEmpty,
           let renew = KubeTimestamp.parse(object[path: "spec.renewTime"]?.stringValue) {
            leaseInfo = LeaseInfo(holder: holder, renewTime: Int64(renew.timeIntervalSince1970),
                                  durationSeconds: object[path: "spec.leaseDurationSeconds"]?.intValue ?? 15)
        }
        var snapshot = ClusterSnapshot(
            context: configuration.context, namespace: configuration.namespace,
            jobFlows: flows.store.snapshot().sortedObjects, daemonJobs: daemonJobs.store.snapshot().sortedObjects,
            jobs: keyed(jobs), pods: keyed(pods), events: sortedEvents(), lease: leaseInfo,
            connection: connection, takenAt: Int64(now.timeIntervalSince1970))
        snapshot.ownIdentity = configuration.ownIdentity
        return snapshot
    }

    /// Events oldest first (by last time seen), newest last.
    func sortedEvents() -> [JSONValue] {
        func time(_ e: JSONValue) -> String {
            e["lastTimestamp"]?.stringValue ?? e["eventTime"]?.stringValue ?? e[path: "metadata.creationTimestamp"]?.stringValue ?? ""
        }
        return events.flatMap { $0.store.snapshot().sortedObjects }.sorted { time($0) < time($1) }
    }

    /// An error for the status line: a transport error without its request URL (the header names
    /// the context, and a ~120-character URL would push the cause off an 80-column line).
    static func shortDescription(_ error: any Error) -> String {
        if let kube = error as? KubeError, case .transport(let transport) = kube { return transport.message }
        if let transport = error as? TransportError { return transport.message }
        return String(describing: error)
    }

    /// Connecting until every informer synced; failing while any watch fails (the first one's error).
    var connection: ConnectionStatus {
        for informer in allInformers {
            let status = informer.status
            if case .failing(let retryIn) = status.connection {
                let message = status.lastError.map(ClusterFeed.shortDescription) ?? "watch failing"
                return .failing(message: message, retryIn: Int(retryIn.seconds.rounded(.up)))
            }
        }
        return allInformers.allSatisfy(\.hasSynced) ? .connected : .connecting
    }
}
