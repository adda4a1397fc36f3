import Foundation
import JobFlowAPI
import Kube
import Logging

/// The two reconcilers and the action executor.
extension Operator {
    /// One JobFlow: cache snapshot → `FlowPlanner.plan` → actions in order.
    func reconcileFlow(_ key: String) async throws -> ReconcileAction {
        // Taken before the cache is read: a finish noted later wakes the next reconcile instead.
        let (started, finishedSince) = state.withLock { s -> (Duration, Duration?) in
            s.reconciles += 1
            return (ticks.now(), s.finishedAt.removeValue(forKey: CustomKind.jobFlow.memoryKey(key)))
        }
        guard let flow = caches.flows.store.object(forKey: key) else {
            // Deleted: the garbage collector removes its Jobs (ownerReferences, background).
            forgetBatching(key: CustomKind.jobFlow.memoryKey(key))
            return .awaitChange
        }
        let namespace = flow[path: "metadata.namespace"]?.stringValue
        let jobs = try await gatherJobs(owner: flow, namespace: namespace, primary: caches.flowJobs, other: caches.daemonJobJobs,
                                        expected: FlowPlanner.expectedJobNames(flow: flow))
        let pods = Operator.pods(of: jobs, in: caches.flowPods)
        let templateCache = caches.templates.store.snapshot()
        var templates: [String: JSONValue] = [:]
        for name in Routing.templateNames(flow: flow) {
            if let template = templateCache.object(namespace: namespace, name: name) { templates[name] = template }
        }
        let plan = FlowPlanner.plan(flow: flow, templates: templates, jobs: jobs, pods: pods, now: wallClock())
        return try await perform(plan, on: flow, kind: .jobFlow, key: key, started: started,
                                 finishedSince: finishedSince)
    }

    /// One DaemonJob: cache snapshot (with every node) → `DaemonJobPlanner.plan` → actions in order.
    func reconcileDaemonJob(_ key: String) async throws -> ReconcileAction {
        // Taken before the cache is read: a finish noted later wakes the next reconcile instead.
        let (started, finishedSince) = state.withLock { s -> (Duration, Duration?) in
            s.reconciles += 1
            return (ticks.now(), s.finishedAt.removeValue(forKey: CustomKind.daemonJob.memoryKey(key)))
        }
        guard let daemonJob = caches.daemonJobs.store.object(forKey: key) else {
            forgetBatching(key: CustomKind.daemonJob.memoryKey(key))
            return .awaitChange
        }
        let namespace = daemonJob[path: "metadata.namespace"]?.stringValue
        let nodes = caches.nodes.store.snapshot().sortedObjects
        let jobs = try await gatherJobs(owner: daemonJob, namespace: namespace, primary: caches.daemonJobJobs, other: caches.flowJobs,
                                        expected: DaemonJobPlanner.expectedJobNames(daemonJob: daemonJob, nodes: nodes))
        let pods = Operator.pods(of: jobs, in: caches.daemonJobPods)
        let plan = DaemonJobPlanner.plan(daemonJob: daemonJob, nodes: nodes, jobs: jobs, pods: pods, now: wallClock(),
                                         pinning: configuration.pinning)
        return try await perform(plan, on: daemonJob, kind: .daemonJob, key: key, started: started,
                                 finishedSince: finishedSince)
    }

    /// The owner's Jobs (controller-owner index) plus any Job with one of the `expected` names, in
    /// either Job cache or among the foreign Jobs found by a failed create (refreshed by a GET).
    private func gatherJobs(owner: JSONValue, namespace: String?, primary: Informer, other: Informer,
                            expected: [String]) async throws -> [JSONValue] {
        let uid = owner[path: "metadata.uid"]?.stringValue ?? ""
        var jobs = uid.isEmpty ? [] : primary.store.objects(index: Store.controllerOwnerIndex, value: uid)
        var names = Set(jobs.compactMap { $0[path: "metadata.name"]?.stringValue })
        // Jobs the cache shows now need no expectation any more.
        state.withLock { s in
            guard !s.createdJobs.isEmpty else { return }
            for name in names { s.createdJobs[Store.key(namespace: namespace, name: name)] = nil }
        }
        for name in expected where !names.contains(name) {
            let foreignKey = Store.key(namespace: namespace, name: name)
            if let job = primary.store.object(forKey: foreignKey) ?? other.store.object(forKey: foreignKey) {
                jobs.append(job)
                names.insert(name)
                continue
            }
            if let created = createdJob(foreignKey) {
                jobs.append(created)
                names.insert(name)
                continue
            }
            guard state.withLock({ $0.foreignJobs[foreignKey] }) != nil else { continue }
            // A Job our label selector cannot see holds this name: look again.
            do {
                let job = try await api.get(.jobs, namespace: namespace, name: name)
                state.withLock { $0.foreignJobs[foreignKey] = job }
                jobs.append(job)
                names.insert(name)
            } catch let error as KubeError {
                guard case .api(let apiError) = error, apiError.isNotFound else { throw error }
                _ = state.withLock { $0.foreignJobs.removeValue(forKey: foreignKey) }
            }
        }
        return jobs
    }

    /// The cached pods of `jobs` (controller-owner index on the Job uid).
    static func pods(of jobs: [JSONValue], in informer: Informer) -> [JSONValue] {
        jobs.flatMap { job -> [JSONValue] in
            guard let uid = job[path: "metadata.uid"]?.stringValue, !uid.isEmpty else { return [] }
            return informer.store.objects(index: Store.controllerOwnerIndex, value: uid)
        }
    }

    /// Performs `plan`'s actions in order, stopping at the first failure (thrown: the controller
    /// requeues with backoff). See docs/orchestrator.md for why the order matters.
    /// `finishedSince`: when a Job of this owner was seen finishing, if that is what woke this
    /// reconcile; the first create returning records the reaction latency.
    func perform(_ plan: Plan, on object: JSONValue, kind: CustomKind, key: String,
                 started: Duration, finishedSince: Duration?) async throws -> ReconcileAction {
        let resource = kind.resource
        var finishedSince = finishedSince
        let namespace = object[path: "metadata.namespace"]?.stringValue
        let name = object[path: "metadata.name"]?.stringValue ?? ""
        var log = logger
        log[metadataKey: kind == .jobFlow ? "flow.name" : "daemonjob.name"] = "\(key)"
        let queue = state.withLock { kind == .jobFlow ? $0.queues?.flows : $0.queues?.daemonJobs }
        let backlog = plan.actions.contains(where: \.isStatusWrite) ? (queue?.depth ?? 0) : 0
        let (actions, statusDue) = batched(plan.actions, on: object, key: kind.memoryKey(key), backlog: backlog)
        var result = statusDue.map { ReconcileAction.requeue(after: $0) } ?? .awaitChange
        var involved = object
        do {
            for action in actions {
                log.debug("action", metadata: ["action": "\(action)"])
                do {
                    switch action {
                    case .writeStatus(let status, let resourceVersion):
                        var updated = object
                        updated["status"] = status
                        updated[path: "metadata.resourceVersion"] = resourceVersion.map(JSONValue.string)
                        let written = try await api.update(resource, namespace: namespace, object: updated, subresource: "status",
                                                           options: WriteOptions(fieldManager: configuration.fieldManager))
                        involved = written
                        log.info("status written", metadata: ["state": "\(status["state"]?.stringValue ?? "?")",
                                                              "progress": "\(status["progress"]?.stringValue ?? "?")"])
                    case .createJob(let job):
                        let jobName = job[path: "metadata.name"]?.stringValue ?? ""
                        do {
                            let sent = ticks.now()
                            let created = try await api.create(.jobs, namespace: namespace, object: job,
                                                               options: WriteOptions(fieldManager: configuration.fieldManager))
                            if let since = finishedSince {
                                recordReaction(since: since, started: started, sent: sent)
                                finishedSince = nil
                            }
                            expectCreated(created, key: Store.key(namespace: namespace, name: jobName))
                            log.info("job created", metadata: ["job.name": "\(jobName)"])
                        } catch let error as KubeError {
                            guard case .api(let apiError) = error, apiError.isAlreadyExists else { throw error }
                            if try await isForeign(jobName: jobName, namespace: namespace, ownerUID: object[path: "metadata.uid"]?.stringValue) {
                                log.warning("a Job with our name belongs to someone else", metadata: ["job.name": "\(jobName)"])
                                result = .requeue(after: min(configuration.conflictRecheck, statusDue ?? configuration.conflictRecheck))
                            }
                        }
                    case .deleteJob(let jobName, let uid):
                        _ = state.withLock { $0.createdJobs.removeValue(forKey: Store.key(namespace: namespace, name: jobName)) }
                        do {
                            _ = try await api.delete(.jobs, namespace: namespace, name: jobName,
                                                     options: DeleteOptions(propagationPolicy: .background, preconditionUID: uid))
                            log.info("job deleted", metadata: ["job.name": "\(jobName)", "job.uid": "\(uid)"])
                        } catch let error as KubeError {
                            // NotFound, or a Job of that name with another uid (precondition 409): ours is gone.
                            guard case .api(let apiError) = error, apiError.isNotFound || apiError.isConflict else { throw error }
                        }
                    case .recordEvent(let event):
                        recorder.record(involved, type: event.type == .warning ? .warning : .normal, reason: event.reason.rawValue, message: event.message)
                    case .removeAnnotation(let annotation, let expectedValue):
                        let path = "/metadata/annotations/" + Operator.escapePointer(annotation)
                        let patch: JSONValue = .array([
                            ["op": "test", "path": .string(path), "value": .string(expectedValue)],
                            ["op": "remove", "path": .string(path)],
                        ])
                        _ = try await api.patch(resource, namespace: namespace, name: name, patch: .json(patch), subresource: nil,
                                                options: PatchOptions(fieldManager: configuration.fieldManager))
                        log.info("request annotation removed", metadata: ["annotation": "\(annotation)", "value": "\(expectedValue)"])
                    }
                } catch let error as CancellationError {
                    throw error
                } catch {
                    var conflict = false
                    if let kube = error as? KubeError, case .api(let apiError) = kube { conflict = apiError.isConflict }
                    throw OperatorError.actionFailed(action: action.description, object: "\(kind) \(key)", cause: "\(error)",
                                                     isConflict: conflict)
                }
            }
        } catch {
            // The reaction this reconcile was woken for is still to come: the retry records it.
            if let since = finishedSince {
                let slot = kind.memoryKey(key)
                state.withLock { s in if s.finishedAt[slot] == nil { s.finishedAt[slot] = since } }
            }
            throw error
        }
        return result
    }

    /// Remembers a Job just created until the cache shows it (controller "expectations").
    func expectCreated(_ job: JSONValue, key: String) {
        let now = ticks.now()
        state.withLock { s in
            // Entries the cache never confirmed (the Job was deleted at once, a watch gap) expire.
            if s.createdJobs.count >= 256 { s.createdJobs = s.createdJobs.filter { now - $0.value.at < .seconds(60) } }
            s.createdJobs[key] = (OperatorCaches.jobTransform(job), now)
        }
    }

    /// Whether `job`, just added to a Job cache (so already transformed, like the expectation), is
    /// one this replica created and still expects,
    /// unchanged in everything `ObservedJob` reads since the create returned. The expectation is
    /// kept (the next reconcile clears it), so a reconcile in between still sees the Job.
    func isEchoOfOwnCreate(_ job: JSONValue) -> Bool {
        let key = Store.key(namespace: job[path: "metadata.namespace"]?.stringValue, name: job[path: "metadata.name"]?.stringValue ?? "")
        guard let created = state.withLock({ $0.createdJobs[key]?.job }),
              created[path: "metadata.uid"] == job[path: "metadata.uid"] else { return false }
        return ObservedJob(job: created, pods: []) == ObservedJob(job: job, pods: [])
    }

    /// The Job created under `key` if the cache has not shown it yet and it is recent.
    private func createdJob(_ key: String) -> JSONValue? {
        let now = ticks.now()
        return state.withLock { s in
            guard let entry = s.createdJobs[key] else { return nil }
            guard now - entry.at < .seconds(60) else {
                s.createdJobs[key] = nil
                return nil
            }
            return entry.job
        }
    }

    /// After AlreadyExists: whether the Job holding `jobName` is controlled by someone else (then
    /// it is remembered so the planner sees the conflict; our own Job just has not reached the cache).
    private func isForeign(jobName: String, namespace: String?, ownerUID: String?) async throws -> Bool {
        let job: JSONValue
        do {
            job = try await api.get(.jobs, namespace: namespace, name: jobName)
        } catch let error as KubeError {
            if case .api(let apiError) = error, apiError.isNotFound { return false }
            throw error
        }
        let controller = job[path: "metadata.ownerReferences"]?.arrayValue?.first { $0["controller"]?.boolValue == true }
        guard controller?["uid"]?.stringValue != ownerUID else { return false }
        let key = Store.key(namespace: namespace, name: jobName)
        state.withLock { s in
            if s.foreignJobs.count >= 1000, s.foreignJobs[key] == nil, let victim = s.foreignJobs.keys.first {
                s.foreignJobs.removeValue(forKey: victim)
            }
            s.foreignJobs[key] = job
        }
        return true
    }

    /// Records one reaction-latency sample: a Job seen finishing at `since`, the reconcile it
    /// woke `started`, its first create `sent` and just returned. A reconcile that creates nothing
    /// (a fan-in still waiting, a flow that has ended) records nothing.
    private func recordReaction(since: Duration, started: Duration, sent: Duration) {
        let now = ticks.now()
        reactionLatency.record(now - since)
        // `started` was read in the same lock that took `since`, so it is never before `since`.
        reactionParts.queued.record(started - since)
        reactionParts.planned.record(sent - started)
        reactionParts.created.record(now - sent)
        metrics.reactionLatency.record(duration: now - since)
    }

    /// RFC 6901 escaping of one JSON-pointer segment.
    static func escapePointer(_ segment: String) -> String {
        segment.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
