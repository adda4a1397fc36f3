import Foundation
import JobFlowAPI
import Kube
import Logging

/// The reconciler (one, over an `OwnerKind`) and the action executor.
extension Operator {
    /// One JobFlow or DaemonJob: cache snapshot → its planner → actions in order.
    func reconcile(_ key: String, as owner: OwnerKind) async throws -> ReconcileAction {
        let slot = owner.kind.memoryKey(key)
        // Taken before the cache is read: a finish noted later wakes the next reconcile instead.
        let (started, finishedSince) = state.withLock { s -> (Duration, Duration?) in
            s.reconciles += 1
            return (ticks.now(), s.term.finishedAt.removeValue(forKey: slot))
        }
        guard let object = owner.owners.store.object(forKey: key) else {
            // Deleted: the garbage collector removes its Jobs (ownerReferences, background).
            forgetBatching(key: slot)
            return .awaitChange
        }
        let namespace = object[path: "metadata.namespace"]?.stringValue
        let prepared = owner.prepare(object)
        let jobs = try await gatherJobs(owner: object, namespace: namespace, primary: owner.jobs, other: owner.otherJobs,
                                        expected: prepared.expectedJobNames)
        let plan = prepared.plan(jobs, Operator.pods(of: jobs, in: owner.pods), wallClock())
        return try await perform(plan, on: object, as: owner, key: key, started: started, finishedSince: finishedSince)
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
            guard !s.term.createdJobs.isEmpty else { return }
            for name in names { s.term.createdJobs[Store.key(namespace: namespace, name: name)] = nil }
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
            guard state.withLock({ $0.term.foreignJobs[foreignKey] }) != nil else { continue }
            // A Job our label selector cannot see holds this name: look again.
            do {
                let job = try await api.get(.jobs, namespace: namespace, name: name)
                state.withLock { $0.term.foreignJobs[foreignKey] = job }
                jobs.append(job)
                names.insert(name)
            } catch let error as KubeError {
                guard case .api(let apiError) = error, apiError.isNotFound else { throw error }
                _ = state.withLock { $0.term.foreignJobs.removeValue(forKey: foreignKey) }
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

    /// One reconcile's performance of its plan: where it acts, and what it learns on the way.
    struct Performance {
        let owner: OwnerKind
        let key: String
        let namespace: String?
        let name: String
        let ownerUID: String?
        let log: Logger
        let started: Duration
        /// When a Job of this owner was seen finishing, until the first create returns.
        var finishedSince: Duration?
        /// The object Events are recorded on: the last version written.
        var involved: JSONValue
        /// What the controller does next.
        var result: ReconcileAction
        /// When a held status write comes due.
        let statusDue: Duration?
    }

    /// Performs `plan`'s actions in order, stopping at the first failure (thrown: the controller
    /// requeues with backoff). See docs/orchestrator.md for why the order matters. Status writes
    /// go through batching first (`StatusBatcher`).
    /// `finishedSince`: when a Job of this owner was seen finishing, if that is what woke this
    /// reconcile; the first create returning records the reaction latency.
    func perform(_ plan: Plan, on object: JSONValue, as owner: OwnerKind, key: String,
                 started: Duration, finishedSince: Duration?) async throws -> ReconcileAction {
        var log = logger
        log[metadataKey: owner.logKey] = "\(key)"
        let queue = state.withLock { $0.queues.map(owner.queue) }
        let backlog = plan.actions.contains(where: \.isStatusWrite) ? (queue?.depth ?? 0) : 0
        let (actions, statusDue) = batched(plan.actions, on: object, key: owner.kind.memoryKey(key), backlog: backlog)
        var run = Performance(owner: owner, key: key, namespace: object[path: "metadata.namespace"]?.stringValue,
                              name: object[path: "metadata.name"]?.stringValue ?? "", ownerUID: object[path: "metadata.uid"]?.stringValue,
                              log: log, started: started, finishedSince: finishedSince, involved: object,
                              result: statusDue.map { ReconcileAction.requeue(after: $0) } ?? .awaitChange, statusDue: statusDue)
        do {
            for action in actions {
                log.debug("action", metadata: ["action": "\(action)"])
                do {
                    switch action {
                    case .writeStatus(let status, let resourceVersion): try await writeStatus(status, resourceVersion: resourceVersion, of: object, &run)
                    case .createJob(let job): try await createJob(job, &run)
                    case .deleteJob(let jobName, let uid): try await deleteJob(jobName, uid: uid, run)
                    case .recordEvent(let event):
                        recorder.record(run.involved, type: event.type == .warning ? .warning : .normal, reason: event.reason.rawValue, message: event.message)
                    case .removeAnnotation(let annotation, let expectedValue): try await removeAnnotation(annotation, expectedValue: expectedValue, run)
                    }
                } catch let error as CancellationError {
                    throw error
                } catch {
                    throw OperatorError.actionFailed(action: action.description, object: "\(owner.kind) \(key)", cause: error)
                }
            }
        } catch {
            // The reaction this reconcile was woken for is still to come: the retry records it.
            if let since = run.finishedSince {
                let slot = owner.kind.memoryKey(key)
                state.withLock { s in if s.term.finishedAt[slot] == nil { s.term.finishedAt[slot] = since } }
            }
            throw error
        }
        return run.result
    }

    /// Replaces the status through the status subresource, the cached resourceVersion as precondition.
    private func writeStatus(_ status: JSONValue, resourceVersion: String?, of object: JSONValue, _ run: inout Performance) async throws {
        var updated = object
        updated["status"] = status
        updated[path: "metadata.resourceVersion"] = resourceVersion.map(JSONValue.string)
        run.involved = try await api.update(run.owner.kind.resource, namespace: run.namespace, object: updated, subresource: "status",
                                            options: WriteOptions(fieldManager: configuration.fieldManager))
        run.log.info("status written", metadata: ["state": "\(status["state"]?.stringValue ?? "?")",
                                                  "progress": "\(status["progress"]?.stringValue ?? "?")"])
    }

    /// Creates a Job; AlreadyExists is our own Job not yet cached, or someone else's (then the
    /// planner sees the conflict after a recheck).
    private func createJob(_ job: JSONValue, _ run: inout Performance) async throws {
        let jobName = job[path: "metadata.name"]?.stringValue ?? ""
        do {
            let sent = ticks.now()
            let created = try await api.create(.jobs, namespace: run.namespace, object: job, options: WriteOptions(fieldManager: configuration.fieldManager))
            if let since = run.finishedSince {
                recordReaction(since: since, started: run.started, sent: sent)
                run.finishedSince = nil
            }
            expectCreated(created, key: Store.key(namespace: run.namespace, name: jobName))
            run.log.info("job created", metadata: ["job.name": "\(jobName)"])
        } catch let error as KubeError {
            guard case .api(let apiError) = error, apiError.isAlreadyExists else { throw error }
            if try await isForeign(jobName: jobName, namespace: run.namespace, ownerUID: run.ownerUID) {
                run.log.warning("a Job with our name belongs to someone else", metadata: ["job.name": "\(jobName)"])
                run.result = .requeue(after: min(configuration.conflictRecheck, run.statusDue ?? configuration.conflictRecheck))
            }
        }
    }

    /// Deletes a Job (Background propagation, uid precondition); already gone is done.
    private func deleteJob(_ jobName: String, uid: String, _ run: Performance) async throws {
        _ = state.withLock { $0.term.createdJobs.removeValue(forKey: Store.key(namespace: run.namespace, name: jobName)) }
        do {
            _ = try await api.delete(.jobs, namespace: run.namespace, name: jobName,
                                     options: DeleteOptions(propagationPolicy: .background, preconditionUID: uid))
            run.log.info("job deleted", metadata: ["job.name": "\(jobName)", "job.uid": "\(uid)"])
        } catch let error as KubeError {
            // NotFound, or a Job of that name with another uid (precondition 409): ours is gone.
            guard case .api(let apiError) = error, apiError.isNotFound || apiError.isConflict else { throw error }
        }
    }

    /// Removes a request annotation only if it still has the value carried out (JSON patch `test`).
    private func removeAnnotation(_ annotation: String, expectedValue: String, _ run: Performance) async throws {
        let path = "/metadata/annotations/" + Operator.escapePointer(annotation)
        let patch: JSONValue = .array([
            ["op": "test", "path": .string(path), "value": .string(expectedValue)],
            ["op": "remove", "path": .string(path)],
        ])
        _ = try await api.patch(run.owner.kind.resource, namespace: run.namespace, name: run.name, patch: .json(patch), subresource: nil,
                                options: PatchOptions(fieldManager: configuration.fieldManager))
        run.log.info("request annotation removed", metadata: ["annotation": "\(annotation)", "value": "\(expectedValue)"])
    }

    /// Remembers a Job just created until the cache shows it (controller "expectations").
    func expectCreated(_ job: JSONValue, key: String) {
        let now = ticks.now()
        state.withLock { s in
            // Entries the cache never confirmed (the Job was deleted at once, a watch gap) expire.
            if s.term.createdJobs.count >= 256 { s.term.createdJobs = s.term.createdJobs.filter { now - $0.value.at < .seconds(60) } }
            s.term.createdJobs[key] = (OperatorCaches.jobTransform(job), now)
        }
    }

    /// Whether `job`, just added to a Job cache (so already transformed, like the expectation), is
    /// one this replica created and still expects,
    /// unchanged in everything `ObservedJob` reads since the create returned. The expectation is
    /// kept (the next reconcile clears it), so a reconcile in between still sees the Job.
    func isEchoOfOwnCreate(_ job: JSONValue) -> Bool {
        let key = Store.key(namespace: job[path: "metadata.namespace"]?.stringValue, name: job[path: "metadata.name"]?.stringValue ?? "")
        guard let created = state.withLock({ $0.term.createdJobs[key]?.job }),
              created[path: "metadata.uid"] == job[path: "metadata.uid"] else { return false }
        return ObservedJob(job: created, pods: []) == ObservedJob(job: job, pods: [])
    }

    /// The Job created under `key` if the cache has not shown it yet and it is recent.
    private func createdJob(_ key: String) -> JSONValue? {
        let now = ticks.now()
        return state.withLock { s in
            guard let entry = s.term.createdJobs[key] else { return nil }
            guard now - entry.at < .seconds(60) else {
                s.term.createdJobs[key] = nil
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
            if s.term.foreignJobs.count >= 1000, s.term.foreignJobs[key] == nil, let victim = s.term.foreignJobs.keys.first {
                s.term.foreignJobs.removeValue(forKey: victim)
            }
            s.term.foreignJobs[key] = job
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
