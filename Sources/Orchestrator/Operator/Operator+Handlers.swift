import JobFlowAPI
import Kube

/// Event handlers: map every cache change to the keys to reconcile. Handlers only enqueue.
extension Operator {
    func registerHandlers() {
        let flows = caches.flows, daemons = caches.daemonJobs
        flows.onAdd { [self] in enqueueFlow(Store.key(of: $0)) }
        // A status-only update is this operator's own write (or someone else's, which the next
        // reconcile overwrites anyway): the Job events that follow drive the next reconcile.
        flows.onUpdate { [self] old, new in
            if Operator.changedOutsideStatus(old, new) { enqueueFlow(Store.key(of: new)) }
        }
        flows.onDelete { [self] in enqueueFlow(Store.key(of: $0)) }
        daemons.onAdd { [self] in enqueueDaemonJob(Store.key(of: $0)) }
        daemons.onUpdate { [self] old, new in
            if Operator.changedOutsideStatus(old, new) { enqueueDaemonJob(Store.key(of: new)) }
        }
        daemons.onDelete { [self] in enqueueDaemonJob(Store.key(of: $0)) }

        for informer in [caches.flowJobs, caches.daemonJobJobs] {
            informer.onAdd { [self] job in
                // The echo of our own create: the reconcile that created it already planned with
                // this very Job (the create expectation), so it would plan the same again.
                if configuration.skipIrrelevantUpdates, isEchoOfOwnCreate(job) { return }
                jobChanged(old: nil, new: job)
            }
            informer.onUpdate { [self] old, new in
                if Operator.differs(old, new) { jobChanged(old: old, new: new) }
            }
            informer.onDelete { [self] in jobChanged(old: nil, new: $0) }
        }
        let skip = configuration.skipIrrelevantUpdates
        for (informer, jobs) in [(caches.flowPods, caches.flowJobs), (caches.daemonJobPods, caches.daemonJobJobs)] {
            informer.onAdd { [self] in podChanged($0, jobs: jobs) }
            // Pods are projected to what the planners read, and an update that changes nothing
            // `ObservedJob` reads (a container's start time, say) wakes nobody.
            informer.onUpdate { [self] old, new in
                let relevant = skip ? ObservedJob.PodView(old) != ObservedJob.PodView(new) : Operator.differs(old, new)
                if relevant { podChanged(new, jobs: jobs) }
            }
            informer.onDelete { [self] in podChanged($0, jobs: jobs) }
        }
        caches.templates.onAdd { [self] in templateChanged($0) }
        caches.templates.onUpdate { [self] _, new in templateChanged(new) }
        caches.templates.onDelete { [self] in templateChanged($0) }
        // Nodes are projected to what eligibility reads; a heartbeat then differs only in its
        // resourceVersion and wakes nobody.
        caches.nodes.onAdd { [self] _ in enqueueAllDaemonJobs() }
        caches.nodes.onUpdate { [self] old, new in
            if Operator.differs(old, new) { enqueueAllDaemonJobs() }
        }
        caches.nodes.onDelete { [self] _ in enqueueAllDaemonJobs() }
    }

    /// Whether two versions of an object differ in more than their status and resourceVersion.
    static func changedOutsideStatus(_ old: JSONValue, _ new: JSONValue) -> Bool {
        var a = old, b = new
        a["status"] = nil
        b["status"] = nil
        return differs(a, b)
    }

    /// Whether two versions of a (projected) object differ in more than their resourceVersion.
    static func differs(_ old: JSONValue, _ new: JSONValue) -> Bool {
        var a = old, b = new
        a[path: "metadata.resourceVersion"] = nil
        b[path: "metadata.resourceVersion"] = nil
        return a != b
    }

    /// Queues a flow key, in the handler itself: the queue's add is synchronous and hands the key
    /// straight to a parked worker.
    func enqueueFlow(_ key: String, priority: WorkQueuePriority = .normal) {
        state.withLock({ $0.queues?.flows })?.add(key, priority: priority)
    }

    func enqueueDaemonJob(_ key: String, priority: WorkQueuePriority = .normal) {
        state.withLock({ $0.queues?.daemonJobs })?.add(key, priority: priority)
    }

    private func enqueueAllDaemonJobs() {
        guard let queue = state.withLock({ $0.queues?.daemonJobs }) else { return }
        for key in caches.daemonJobs.store.snapshot().keys { queue.add(key) }
    }

    /// A Job changed: requeue its owner unless nothing the planners read changed (`active` or
    /// `succeeded` counts alone, say); a Job seen finishing (which may unblock its dependents)
    /// queues the owner in the priority lane and notes the time (reaction latency).
    private func jobChanged(old: JSONValue?, new job: JSONValue) {
        guard let owner = Routing.owner(of: job) else { return }
        let key = Store.key(namespace: job[path: "metadata.namespace"]?.stringValue, name: owner.name)
        var priority = WorkQueuePriority.normal
        if let old, !Operator.isFinished(old), Operator.isFinished(job) {
            if configuration.prioritizeFinishedJobs { priority = .high }
            let now = ticks.now()
            state.withLock { s in
                let slot = owner.kind.memoryKey(key)
                // Taken by the owner's next reconcile; bounded all the same.
                if s.term.finishedAt.count >= 10_000, s.term.finishedAt[slot] == nil, let victim = s.term.finishedAt.keys.first {
                    s.term.finishedAt.removeValue(forKey: victim)
                }
                s.term.finishedAt[slot] = now
            }
        } else if let old, configuration.skipIrrelevantUpdates,
                  ObservedJob(job: old, pods: []) == ObservedJob(job: job, pods: []) {
            return
        }
        if owner.kind == .jobFlow { enqueueFlow(key, priority: priority) } else { enqueueDaemonJob(key, priority: priority) }
    }

    /// A pod changed: requeue the owner of its Job (found by the pod's job-name label in the cache).
    private func podChanged(_ pod: JSONValue, jobs: Informer) {
        let labels = pod[path: "metadata.labels"]
        guard let jobName = labels?["batch.kubernetes.io/job-name"]?.stringValue ?? labels?["job-name"]?.stringValue,
              let job = jobs.store.object(namespace: pod[path: "metadata.namespace"]?.stringValue, name: jobName) else { return }
        jobChanged(old: nil, new: job)
    }

    /// A JobTemplate changed: requeue the flows of its namespace that reference it.
    private func templateChanged(_ template: JSONValue) {
        guard let name = template[path: "metadata.name"]?.stringValue else { return }
        let namespace = template[path: "metadata.namespace"]?.stringValue
        for flow in caches.flows.store.snapshot().objects.values
        where flow[path: "metadata.namespace"]?.stringValue == namespace && Routing.templateNames(flow: flow).contains(name) {
            enqueueFlow(Store.key(of: flow))
        }
    }

    /// Whether a Job has a terminal condition (Complete/SuccessCriteriaMet/Failed/FailureTarget True).
    static func isFinished(_ job: JSONValue) -> Bool {
        (job[path: "status.conditions"]?.arrayValue ?? []).contains {
            KubernetesWords.jobFinishedConditions.contains($0["type"]?.stringValue ?? "")
                && $0["status"]?.stringValue == KubernetesWords.conditionTrue
        }
    }
}
