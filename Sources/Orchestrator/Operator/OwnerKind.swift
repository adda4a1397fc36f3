import Foundation
import JobFlowAPI
import Kube

/// What differs between reconciling a JobFlow and a DaemonJob: the caches an owner and its Jobs
/// and pods are read from, the log key, the queue, and the planner with the extra inputs it reads
/// (JobTemplates; Nodes). Everything else — the memory of a term, the Jobs gathered, the actions
/// performed — is one generic reconcile (`Operator.reconcile(_:as:)`).
struct OwnerKind: Sendable {
    /// A planner ready to run: the Job names it will look for, and the plan once Jobs and pods are
    /// gathered. Made per reconcile from one read of the extra caches, so both see the same nodes.
    struct Prepared {
        var expectedJobNames: [String]
        var plan: (_ jobs: [JSONValue], _ pods: [JSONValue], _ now: Date) -> Plan
    }

    let kind: CustomKind
    /// The owners (JobFlows or DaemonJobs).
    let owners: Informer
    /// Jobs labelled as this kind's; `otherJobs` the other kind's (a name collision is seen there).
    let jobs: Informer
    let otherJobs: Informer
    let pods: Informer
    /// The logger metadata key naming the owner (`flow.name`, `daemonjob.name`).
    let logKey: String
    let queue: @Sendable (Operator.Queues) -> WorkQueue
    let prepare: @Sendable (_ owner: JSONValue) -> Prepared

    /// JobFlows: entries' Jobs, templates of the flow's namespace.
    static func jobFlows(_ caches: OperatorCaches) -> OwnerKind {
        OwnerKind(kind: .jobFlow, owners: caches.flows, jobs: caches.flowJobs, otherJobs: caches.daemonJobJobs, pods: caches.flowPods,
                  logKey: "flow.name", queue: \.flows) { flow in
            let namespace = flow[path: "metadata.namespace"]?.stringValue
            let templateCache = caches.templates.store.snapshot()
            var templates: [String: JSONValue] = [:]
            for name in Routing.templateNames(flow: flow) {
                if let template = templateCache.object(namespace: namespace, name: name) { templates[name] = template }
            }
            return Prepared(expectedJobNames: FlowPlanner.expectedJobNames(flow: flow)) { jobs, pods, now in
                FlowPlanner.plan(flow: flow, templates: templates, jobs: jobs, pods: pods, now: now)
            }
        }
    }

    /// DaemonJobs: one Job per node, every node of the cluster read once.
    static func daemonJobs(_ caches: OperatorCaches, pinning: NodePinning) -> OwnerKind {
        OwnerKind(kind: .daemonJob, owners: caches.daemonJobs, jobs: caches.daemonJobJobs, otherJobs: caches.flowJobs, pods: caches.daemonJobPods,
                  logKey: "daemonjob.name", queue: \.daemonJobs) { daemonJob in
            let nodes = caches.nodes.store.snapshot().sortedObjects
            return Prepared(expectedJobNames: DaemonJobPlanner.expectedJobNames(daemonJob: daemonJob, nodes: nodes)) { jobs, pods, now in
                DaemonJobPlanner.plan(daemonJob: daemonJob, nodes: nodes, jobs: jobs, pods: pods, now: now, pinning: pinning)
            }
        }
    }
}
