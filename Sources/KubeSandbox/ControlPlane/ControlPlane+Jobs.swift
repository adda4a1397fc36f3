import Foundation
import Kube

extension ControlPlane {
    /// Reconciles each Job whose object or pods changed, and each whose back-off or deadline is
    /// due (the caches' change feeds say which; nothing walks every Job on a wake-up). A failure
    /// with one Job is logged and retried after a second; the others go on.
    func jobLoop() async {
        var wakeups = jobWakeup.stream.makeAsyncIterator()
        /// Job key → when to look again.
        var requeue: [String: Duration] = [:]
        /// Status last written per Job UID: guards against rewriting when the server normalises.
        var written: [String: JSONValue] = [:]
        var memories: [String: JobReconciler.Memory] = [:]
        /// Job key → the uid last seen under it.
        var uids: [String: String] = [:]
        /// Pods whose finalizer removal failed, with when to try again.
        var podRetry: [String: Duration] = [:]
        var deadline: Duration?
        while await wait(on: jobWakeup, iterator: &wakeups, deadline: deadline) {
            guard synced else { continue }
            let now = time.elapsed()
            var dirtyJobs = jobCache.drainChanges(for: .jobs)
            var dirtyPods = podCache.drainChanges(for: .jobs)
            for (key, at) in requeue where at <= now { dirtyJobs.insert(key) }
            for (key, at) in podRetry where at <= now { dirtyPods.insert(key); podRetry[key] = nil }
            // A pod change wakes its Job; a pod whose Job is gone keeps no tracking finalizer.
            var orphans: [JSONValue] = []
            for key in dirtyPods {
                guard let pod = podCache.get(key: key), let ref = Self.controllerRef(pod) else { continue }
                let jobKey = "\(pod[path: "metadata.namespace"]?.stringValue ?? "")/\(ref.name)"
                if jobCache.get(key: jobKey)?[path: "metadata.uid"]?.stringValue == ref.uid {
                    dirtyJobs.insert(jobKey)
                } else if Self.hasTrackingFinalizer(pod) {
                    orphans.append(pod)
                }
            }
            for key in dirtyJobs.sorted() {
                if Task.isCancelled { return }
                guard let job = jobCache.get(key: key), let uid = job[path: "metadata.uid"]?.stringValue else {
                    // Gone: forget it; its pods' finalizers go once nothing owns them.
                    requeue[key] = nil
                    if let old = uids.removeValue(forKey: key) {
                        written[old] = nil
                        memories[old] = nil
                        orphans += podCache.objects(in: Self.byController, old).filter(Self.hasTrackingFinalizer)
                    }
                    continue
                }
                if let old = uids[key], old != uid {
                    written[old] = nil
                    memories[old] = nil
                    orphans += podCache.objects(in: Self.byController, old).filter(Self.hasTrackingFinalizer)
                }
                uids[key] = uid
                let pods = podCache.objects(in: Self.byController, uid)
                if Self.isSettled(job, pods: pods) {
                    requeue[key] = nil
                    continue
                }
                do {
                    let after = try await sync(job, pods: pods, written: &written[uid],
                                               memory: &memories[uid, default: JobReconciler.Memory()])
                    requeue[key] = after.map { now + $0 }
                } catch where isNotFound(error) {
                    requeue[key] = nil
                } catch {
                    logger.warning("job sync failed; retrying", metadata: ["job.name": "\(key)", "error": "\(error)"])
                    requeue[key] = now + .seconds(1)
                }
            }
            for pod in orphans {
                do { try await removeTrackingFinalizer(pod) } catch {
                    logger.warning("finalizer removal failed; retrying", metadata: ["pod.name": "\(Self.key(pod))", "error": "\(error)"])
                    podRetry[Self.key(pod)] = now + .seconds(1)
                }
            }
            deadline = (Array(requeue.values) + Array(podRetry.values)).min()
        }
    }

    /// The name and uid of the Job controlling `pod`.
    static func controllerRef(_ pod: JSONValue) -> (name: String, uid: String)? {
        guard let ref = (pod[path: "metadata.ownerReferences"]?.arrayValue ?? []).first(where: {
            $0["controller"]?.boolValue == true && $0["kind"] == "Job"
        }), let name = ref["name"]?.stringValue, let uid = ref["uid"]?.stringValue else { return nil }
        return (name, uid)
    }

    static func controllerUID(_ pod: JSONValue) -> String? {
        (pod[path: "metadata.ownerReferences"]?.arrayValue ?? []).first {
            $0["controller"]?.boolValue == true && $0["kind"] == "Job"
        }?["uid"]?.stringValue
    }

    /// A finished Job with every pod counted needs no pass (the common case once many Jobs are done).
    static func isSettled(_ job: JSONValue, pods: [JSONValue]) -> Bool {
        let finished = (job[path: "status.conditions"]?.arrayValue ?? []).contains {
            ($0["type"] == "Complete" || $0["type"] == "Failed") && $0["status"] == "True"
        }
        return finished && job[path: "status.uncountedTerminatedPods"] == .emptyObject
            && !pods.contains(where: hasTrackingFinalizer)
    }

    static func hasTrackingFinalizer(_ pod: JSONValue) -> Bool {
        (pod[path: "metadata.finalizers"]?.arrayValue ?? []).contains(.string(JobReconciler.trackingFinalizer))
    }

    /// Performs one reconcile of one Job; returns when to come back.
    func sync(_ job: JSONValue, pods: [JSONValue], written: inout JSONValue?,
              memory: inout JobReconciler.Memory) async throws -> Duration? {
        let result = JobReconciler.reconcile(job: job, pods: pods, now: time.now(), speed: speed, memory: memory)
        let namespace = job[path: "metadata.namespace"]?.stringValue ?? "default"
        let jobObject = Self.withKind(job, "Job")
        if let status = result.status, status != written {
            try await patchStatus(jobCache, object: job, status: status)
            written = status
        }
        memory = result.memory  // only once the status it describes is stored
        for name in result.removeFinalizer {
            guard let pod = pods.first(where: { $0[path: "metadata.name"]?.stringValue == name }) else { continue }
            try await removeTrackingFinalizer(pod)
        }
        for name in result.deletePods {
            do {
                let remaining = try await api.delete(.pods, namespace: namespace, name: name,
                                                     options: DeleteOptions(propagationPolicy: .background))
                if let remaining { podCache.upsert(remaining) } else if let pod = podCache.get(namespace: namespace, name: name) { podCache.remove(pod) }
                await recordEvent(about: jobObject, type: "Normal", reason: "SuccessfulDelete", message: "Deleted pod: \(name)", component: "job-controller")
            } catch where isNotFound(error) {}
        }
        for template in result.createPods {
            let pod = try await api.create(.pods, namespace: namespace, object: template)
            podCache.upsert(pod)
            schedulerWakeup.signal()
            let name = pod[path: "metadata.name"]?.stringValue ?? ""
            await recordEvent(about: jobObject, type: "Normal", reason: "SuccessfulCreate", message: "Created pod: \(name)", component: "job-controller")
        }
        for event in result.events {
            await recordEvent(about: jobObject, type: event.type, reason: event.reason, message: event.message, component: "job-controller")
        }
        let changed = result.status != nil || !result.removeFinalizer.isEmpty || !result.deletePods.isEmpty || !result.createPods.isEmpty
        if changed { jobWakeup.signal() }
        return result.requeueAfter
    }

    /// Removes `batch.kubernetes.io/job-tracking` with the pod's resourceVersion as precondition;
    /// on a conflict, re-reads the pod and tries once more.
    func removeTrackingFinalizer(_ pod: JSONValue) async throws {
        var current = pod
        for attempt in 0..<2 {
            let finalizers = (current[path: "metadata.finalizers"]?.arrayValue ?? []).filter { $0 != .string(JobReconciler.trackingFinalizer) }
            let namespace = current[path: "metadata.namespace"]?.stringValue
            let name = current[path: "metadata.name"]?.stringValue ?? ""
            var metadata: JSONValue = ["finalizers": .array(finalizers)]
            if let rv = current[path: "metadata.resourceVersion"] { metadata["resourceVersion"] = rv }
            do {
                let updated = try await api.patch(.pods, namespace: namespace, name: name, patch: .merge(["metadata": metadata]),
                                                  subresource: nil, options: PatchOptions())
                podCache.upsert(updated)
                return
            } catch where isNotFound(error) {
                podCache.remove(current)
                return
            } catch where isConflict(error) && attempt == 0 {
                current = try await api.get(.pods, namespace: namespace, name: name)
                podCache.upsert(current)
                guard Self.hasTrackingFinalizer(current) else { return }
            }
        }
    }
}
