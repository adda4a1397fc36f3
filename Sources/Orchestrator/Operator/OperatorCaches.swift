import JobFlowAPI
import Kube
import Logging

/// The informers the operator runs and what each keeps.
///
/// - JobFlows, DaemonJobs, JobTemplates: whole objects (minus managed fields); JobFlows in the
///   packed encoding (thousands of multi-KB objects).
/// - Jobs and pods: only those labelled `api.practice.com/jobflow` or `api.practice.com/daemonjob`
///   (two informers each, one per label: the selector is label existence), projected to the fields
///   the planners read and stored packed.
/// - Nodes: name, labels, spec (taints, unschedulable) and condition types/statuses, so that
///   heartbeats change nothing and wake nobody.
///
/// Every cache is stale by the watch latency; the reconcilers tolerate that (see docs/orchestrator.md).
final class OperatorCaches: Sendable {
    let flows: Informer
    let daemonJobs: Informer
    let templates: Informer
    let flowJobs: Informer
    let daemonJobJobs: Informer
    let flowPods: Informer
    let daemonJobPods: Informer
    let nodes: Informer

    var all: [Informer] { named.map(\.informer) }

    /// Every informer with a short name for status lines.
    var named: [(name: String, informer: Informer)] {
        [("jobflows", flows), ("daemonjobs", daemonJobs), ("jobtemplates", templates), ("jobs[jobflow]", flowJobs),
         ("jobs[daemonjob]", daemonJobJobs), ("pods[jobflow]", flowPods), ("pods[daemonjob]", daemonJobPods), ("nodes", nodes)]
    }

    init(api: any KubeAPI, namespace: String?, clock: any Clock<Duration>, logger: Logger) {
        func informer(_ resource: Resource, namespace: String?, selector: String? = nil, store: Store = Store(),
                      projection: JSONProjection? = nil) -> Informer {
            var configuration = WatcherStateMachine.Configuration()
            configuration.projection = projection
            var log = logger
            log[metadataKey: "informer"] = "\(resource.groupResource)\(selector.map { " [\($0)]" } ?? "")"
            return Informer(api: api, resource: resource, namespace: namespace, labelSelector: selector, clock: clock,
                            store: store, configuration: configuration, logger: log)
        }
        // Packed too: a flow with its status is several KB, and reconciles read one at a time.
        flows = informer(CustomResources.jobFlows, namespace: namespace, store: Store(encoding: OperatorCaches.packed))
        daemonJobs = informer(CustomResources.daemonJobs, namespace: namespace)
        templates = informer(CustomResources.jobTemplates, namespace: namespace)
        flowJobs = informer(.jobs, namespace: namespace, selector: Keys.jobflowLabel,
                            store: Store(transform: OperatorCaches.jobTransform, encoding: OperatorCaches.packed),
                            projection: OperatorCaches.jobProjection)
        daemonJobJobs = informer(.jobs, namespace: namespace, selector: Keys.daemonJobLabel,
                                 store: Store(transform: OperatorCaches.jobTransform, encoding: OperatorCaches.packed),
                                 projection: OperatorCaches.jobProjection)
        flowPods = informer(.pods, namespace: namespace, selector: Keys.jobflowLabel,
                            store: Store(transform: OperatorCaches.podTransform, encoding: OperatorCaches.packed),
                            projection: OperatorCaches.podProjection)
        daemonJobPods = informer(.pods, namespace: namespace, selector: Keys.daemonJobLabel,
                                 store: Store(transform: OperatorCaches.podTransform, encoding: OperatorCaches.packed),
                                 projection: OperatorCaches.podProjection)
        nodes = informer(.nodes, namespace: nil, store: Store(transform: OperatorCaches.nodeTransform),
                         projection: OperatorCaches.nodeProjection)
    }

    /// True once every informer has listed once.
    var hasSynced: Bool { all.allSatisfy(\.hasSynced) }

    /// Waits for every informer's first list; `false` if cancelled first.
    func waitForSync() async -> Bool {
        for informer in all where !(await informer.waitForSync()) { return false }
        return true
    }

    /// Packed with the Kubernetes vocabulary plus this API's group, labels, fields and phases, so
    /// that they take one byte each in every cached flow, Job and pod.
    static let packed = StoreEncoding.packed(PackedJSONVocabulary(extraWords: [
        Owner.apiVersion,
    ] + CustomKind.allCases.map(\.rawValue) + [
        Keys.jobflowLabel, Keys.flowLabel, Keys.daemonJobLabel, Keys.nodeLabel, Keys.attemptAnnotation,
        Keys.retryAnnotation, Keys.cancelAnnotation,
        "flows", "dependencies", "jobTemplate", "jobTemplateRef", "failurePolicy", "globalParams",
        "shareVolumes", "shareVolumeMounts", "excludeNodeList", "progress", "jobs", "nodes", "jobName",
        "jobUID", "podName", "node", "attempt", "attempts", "previous", "handledRequests", "cancelled",
        "orphanedJobs", "skippedNodes", "unknownExcludedNodes", "desired", ConditionType.valid.rawValue,
        FailurePolicy.continue.rawValue, FailurePolicy.failFast.rawValue,
        EntryPhase.waiting.rawValue, EntryPhase.succeed.rawValue, EntryPhase.cancelled.rawValue, EntryPhase.skipped.rawValue,
        FlowState.terminating.rawValue,
    ]))

    /// The fields of a Job that `ObservedJob` and the planners read.
    static let jobProjection = JSONProjection([
        ["kind"], ["apiVersion"],
        ["metadata", "name"], ["metadata", "namespace"], ["metadata", "uid"], ["metadata", "resourceVersion"],
        ["metadata", "creationTimestamp"], ["metadata", "deletionTimestamp"], ["metadata", "labels"],
        ["metadata", "annotations"], ["metadata", "ownerReferences"],
        ["status", "startTime"], ["status", "completionTime"], ["status", "active"], ["status", "ready"],
        ["status", "succeeded"], ["status", "failed"],
        ["status", "conditions", "type"], ["status", "conditions", "status"], ["status", "conditions", "reason"],
        ["status", "conditions", "message"], ["status", "conditions", "lastTransitionTime"],
    ])

    /// The fields of a pod the planners read (owner, node, phase, container states).
    static let podProjection = JSONProjection([
        ["kind"], ["apiVersion"],
        ["metadata", "name"], ["metadata", "namespace"], ["metadata", "uid"], ["metadata", "resourceVersion"],
        ["metadata", "creationTimestamp"], ["metadata", "deletionTimestamp"], ["metadata", "labels"],
        ["metadata", "ownerReferences"],
        ["spec", "nodeName"],
        ["status", "phase"],
        ["status", "containerStatuses", "name"], ["status", "containerStatuses", "state"],
        ["status", "initContainerStatuses", "name"], ["status", "initContainerStatuses", "state"],
    ])

    /// The fields of a node eligibility reads.
    static let nodeProjection = JSONProjection([
        ["kind"], ["apiVersion"],
        ["metadata", "name"], ["metadata", "uid"], ["metadata", "resourceVersion"], ["metadata", "labels"],
        ["metadata", "deletionTimestamp"],
        ["spec", "taints"], ["spec", "unschedulable"],
        ["status", "conditions", "type"], ["status", "conditions", "status"],
    ])

    /// Labels the operator does not read are dropped from Jobs (only `api.practice.com/…` kept), and
    /// annotations likewise; the projection is applied again because a `KubeAPI` may ignore the hint.
    static let jobTransform: @Sendable (JSONValue) -> JSONValue = { job in
        var kept = jobProjection.apply(job)
        for field in ["labels", "annotations"] {
            if let map = kept[path: "metadata.\(field)"]?.objectValue {
                kept[path: "metadata.\(field)"] = .object(map.filter { $0.key.hasPrefix(APIGroup.name + "/") })
            }
        }
        return kept
    }

    /// Pods keep the job-name/controller-uid labels `ObservedJob` uses to match them to their Job,
    /// once each: the legacy `job-name` / `controller-uid` only when the `batch.kubernetes.io/` one
    /// is missing or differs, and no controller-uid at all when a controller ownerReference names
    /// the Job (matching uses that first).
    static let podTransform: @Sendable (JSONValue) -> JSONValue = { pod in
        var kept = podProjection.apply(pod)
        if let labels = kept[path: "metadata.labels"]?.objectValue {
            // As `ObservedJob` matches: the first controller reference, by its uid.
            let hasController = kept[path: "metadata.ownerReferences"]?.arrayValue?
                .first { $0["controller"]?.boolValue == true }?["uid"]?.stringValue != nil
            var wanted = labels.filter { $0.key.hasPrefix(APIGroup.name + "/") }
            for (current, legacy) in [("batch.kubernetes.io/job-name", "job-name"), ("batch.kubernetes.io/controller-uid", "controller-uid")] {
                if hasController, legacy == "controller-uid" { continue }
                if let value = labels[current] { wanted[current] = value }
                if let value = labels[legacy], value != labels[current] { wanted[legacy] = value }
            }
            kept[path: "metadata.labels"] = .object(wanted)
        }
        return kept
    }

    static let nodeTransform: @Sendable (JSONValue) -> JSONValue = { node in nodeProjection.apply(node) }
}
