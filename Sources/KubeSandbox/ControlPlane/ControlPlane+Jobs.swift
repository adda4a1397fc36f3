import Foundation
import Kube

extension ControlPlane {
    /// Reconciles every Job on each Job or pod change, and when a back-off or deadline is due.
    /// A failure with one Job is logged and retried after a second; the others go on.
    func jobLoop() async {
        var wakeups = jobWakeup.stream.makeAsyncIterator()
        var requeue: [String: Duration] = [:]
        /// Status last written per Job UID: guards against rewriting when the server normalises.
        var written: [String: JSONValue] = [:]
        var memories: [String: JobReconciler.Memory] = [:]
        var deadline: Duration?
        while await wait(on: jobWakeup, iterator: &wakeups, deadline: deadline) {
            guard synced else { continue }
            let now = time.elapsed()
            let jobs = jobCache.snapshot
            let pods = podCache.snapshot
            var owned: [String: [JSONValue]] = [:]
            for pod in pods {
                if let uid = Self.controllerUID(pod) { owned[uid, default: []].append(pod) }
            }
            let jobUIDs = Set(jobs.compactMap { $0[path: "metadata.uid"]?.stringValue })
            for key in Set(requeue.keys).union(written.keys).union(memories.keys) where !jobUIDs.contains(key) {
                requeue[key] = nil
                written[key] = nil
                memories[key] = nil
            }
            for job in jobs {
                if Task.isCancelled { return }
                guard let uid = job[path: "metadata.uid"]?.stringValue else { continue }
                if Self.isSettled(job, pods: owned[uid] ?? []) { continue }
                do {
                    let after = try await sync(job, pods: owned[uid] ?? [], written: &written[uid],
                                               memory: &memories[uid, default: JobReconciler.Memory()])
                    requeue[uid] = after.map { now + $0 }
                } catch where isNotFound(error) {
                    requeue[uid] = nil
                } catch {
                    logger.warning("job sync failed; retrying", metadata: ["job.name": "\(Self.key(job))", "error": "\(error)"])
                    requeue[uid] = now + .seconds(1)
                }
            }
            // Pods whose Job is gone keep no tracking finalizer.
            for (uid, pods) in owned where !jobUIDs.contains(uid) {
                for pod in pods where Self.hasTrackingFinalizer(pod) {
                    do { try await removeTrackingFinalizer(pod) } catch {
                        logger.warning("finalizer removal failed; retrying", metadata: ["pod.name": "\(Self.key(pod))", "error": "\(error)"])
                        requeue[uid] = now + .seconds(1)
                    }
                }
            }
            deadline = requeue.values.min()
        }
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
