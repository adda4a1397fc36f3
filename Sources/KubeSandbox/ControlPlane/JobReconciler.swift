import Foundation
import Kube

/// The Job controller's decision for one Job, as a pure function of the Job, its pods and the time.
///
/// Level-based: it reads the whole state every time and never trusts the event that woke it.
/// Pods are tracked with the `batch.kubernetes.io/job-tracking` finalizer the way the real
/// controller does it: a finished pod's UID first goes into `status.uncountedTerminatedPods`
/// (written), then its finalizer is removed, then (next round) it moves into `succeeded`/`failed`.
public enum JobReconciler {
    /// The finalizer that keeps a pod until the controller has counted it.
    public static let trackingFinalizer = "batch.kubernetes.io/job-tracking"

    /// What to do, in order: write `status` (when non-nil), then remove finalizers, delete pods,
    /// create pods, record events; come back after `requeueAfter` if nothing else happens.
    public struct Result: Sendable {
        /// The new `status`, or `nil` when unchanged.
        public var status: JSONValue?
        /// Pods (names) whose tracking finalizer goes, after `status` is stored.
        public var removeFinalizer: [String] = []
        /// Pods (names) to delete.
        public var deletePods: [String] = []
        /// Pods to create (metadata.generateName set).
        public var createPods: [JSONValue] = []
        /// Events about the Job.
        public var events: [JobEvent] = []
        /// Come back after this long even without a change (back-off, deadline).
        public var requeueAfter: Duration?
        /// What to pass to the next reconcile of this Job.
        public var memory = Memory()
    }

    /// What the caller keeps between reconciles of one Job, in memory like the real controller's
    /// back-off store: failures since the last success (a failed pod that has been deleted still
    /// counts), and the exact start time (the API's timestamps have whole seconds, too coarse for
    /// deadlines divided by a speed factor).
    public struct Memory: Sendable, Hashable {
        /// Failed pods since the last succeeded one.
        public var failuresAfterLastSuccess = 0
        /// When the last failure was observed.
        public var lastFailureTime: Date?
        /// The exact `status.startTime`.
        public var startTime: Date?
        public init(failuresAfterLastSuccess: Int = 0, lastFailureTime: Date? = nil, startTime: Date? = nil) {
            self.failuresAfterLastSuccess = failuresAfterLastSuccess
            self.lastFailureTime = lastFailureTime
            self.startTime = startTime
        }
    }

    /// An Event to record about the Job.
    public struct JobEvent: Sendable, Hashable {
        /// `Normal` or `Warning`.
        public var type: String
        public var reason: String
        public var message: String
    }

    struct PodView {
        var name: String
        var uid: String
        var phase: String
        var terminating: Bool
        var hasFinalizer: Bool
        var ready: Bool
        var restarts: Int
        var finishedAt: Date?
        var created: String
        var finished: Bool { phase == "Succeeded" || phase == "Failed" || terminating }
        var succeeded: Bool { phase == "Succeeded" }
        var active: Bool { !finished }

        init(_ pod: JSONValue) {
            name = pod[path: "metadata.name"]?.stringValue ?? ""
            uid = pod[path: "metadata.uid"]?.stringValue ?? ""
            phase = pod[path: "status.phase"]?.stringValue ?? "Pending"
            terminating = pod[path: "metadata.deletionTimestamp"] != nil && phase != "Succeeded" && phase != "Failed"
            hasFinalizer = (pod[path: "metadata.finalizers"]?.arrayValue ?? []).contains(.string(JobReconciler.trackingFinalizer))
            ready = (pod[path: "status.conditions"]?.arrayValue ?? []).contains {
                $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
            }
            let statuses = (pod[path: "status.containerStatuses"]?.arrayValue ?? []) + (pod[path: "status.initContainerStatuses"]?.arrayValue ?? [])
            restarts = statuses.reduce(0) { $0 + Int($1["restartCount"]?.intValue ?? 0) }
            // A pod still terminating has not finished: the caller's `now` stands in.
            finishedAt = terminating ? nil
                : statuses.compactMap { KubeTimestamp.parse($0[path: "state.terminated.finishedAt"]?.stringValue) }.max()
            created = pod[path: "metadata.creationTimestamp"]?.stringValue ?? ""
        }
    }

    /// Reconciles `job` given the pods it controls. `speed` divides every delay (pod back-off,
    /// `activeDeadlineSeconds`) like the kubelet divides program durations.
    public static func reconcile(job: JSONValue, pods: [JSONValue], now: Date, speed: Double,
                                 memory: Memory = Memory()) -> Result {
        let speed = sanitizedSpeed(speed)
        var result = Result()
        let old = job["status"] ?? .emptyObject
        var status = old
        var conditions = JobConditions(old["conditions"]?.arrayValue ?? [], now: now)
        let views = pods.map(PodView.init)
        let byUID = Dictionary(views.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })

        // 1. Tracking: flush counted pods out of uncounted, add newly finished pods.
        var succeeded = Int(old["succeeded"]?.intValue ?? 0)
        var failed = Int(old["failed"]?.intValue ?? 0)
        var uncountedSucceeded: [String] = []
        var uncountedFailed: [String] = []
        let oldUncounted = old["uncountedTerminatedPods"]
        for uid in (oldUncounted?["succeeded"]?.arrayValue ?? []).compactMap(\.stringValue) {
            if let p = byUID[uid], p.hasFinalizer { uncountedSucceeded.append(uid) } else { succeeded += 1 }
        }
        for uid in (oldUncounted?["failed"]?.arrayValue ?? []).compactMap(\.stringValue) {
            if let p = byUID[uid], p.hasFinalizer { uncountedFailed.append(uid) } else { failed += 1 }
        }
        var record = memory
        let newlyFinished = views.filter { p in
            p.finished && p.hasFinalizer && !uncountedSucceeded.contains(p.uid) && !uncountedFailed.contains(p.uid)
        }
        for p in newlyFinished.sorted(by: { ($0.finishedAt ?? now, $0.name) < ($1.finishedAt ?? now, $1.name) }) {
            if p.succeeded {
                uncountedSucceeded.append(p.uid)
                record.failuresAfterLastSuccess = 0
            } else {
                uncountedFailed.append(p.uid)
                record.failuresAfterLastSuccess += 1
                // When the failure was seen, not the pod's finishedAt: timestamps have whole seconds,
                // far too coarse for a back-off divided by a speed factor.
                record.lastFailureTime = now
            }
        }
        let uncounted = Set(uncountedSucceeded + uncountedFailed)
        result.removeFinalizer = views.filter { uncounted.contains($0.uid) && $0.hasFinalizer }.map(\.name).sorted()
        let totalSucceeded = succeeded + uncountedSucceeded.count
        let totalFailed = failed + uncountedFailed.count

        let active = views.filter(\.active).sorted { ($0.created, $0.name) < ($1.created, $1.name) }
        let terminating = views.filter(\.terminating)
        let spec = job["spec"] ?? .emptyObject
        let suspended = spec["suspend"]?.boolValue == true
        let finished = conditions.isTrue("Complete") || conditions.isTrue("Failed")
        var startTime = KubeTimestamp.parse(old["startTime"]?.stringValue)
        if let exact = memory.startTime, let stored = startTime, KubeTimestamp.time(exact) == KubeTimestamp.time(stored) {
            startTime = exact
        }

        if !finished && job[path: "metadata.deletionTimestamp"] == nil {
            let backoffLimit = Int(spec["backoffLimit"]?.intValue ?? 6)
            let restartPolicy = spec[path: "template.spec.restartPolicy"]?.stringValue ?? "Never"
            let completions = spec["completions"]?.intValue.map(Int.init)
            let parallelism = max(0, Int(spec["parallelism"]?.intValue ?? 1))

            // 2. Failure and success targets; the first one found sticks.
            if !conditions.isTrue("FailureTarget") && !conditions.isTrue("SuccessCriteriaMet") {
                if let ads = spec["activeDeadlineSeconds"]?.doubleValue, let start = startTime, !suspended {
                    let deadline = start.addingTimeInterval(ads / speed)
                    if now >= deadline {
                        conditions.set("FailureTarget", true, reason: "DeadlineExceeded", message: "Job was active longer than specified deadline")
                    } else {
                        result.requeueAfter = .clampedSeconds(deadline.timeIntervalSince(now))
                    }
                }
                if !conditions.isTrue("FailureTarget") {
                    let restarts = active.reduce(0) { $0 + $1.restarts }
                    let onFailureExceeded = restartPolicy == "OnFailure" && (backoffLimit == 0 ? restarts > 0 : restarts >= backoffLimit)
                    if totalFailed > backoffLimit || onFailureExceeded {
                        conditions.set("FailureTarget", true, reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit")
                    }
                }
                if !conditions.isTrue("FailureTarget") {
                    let done = completions.map { totalSucceeded >= $0 } ?? (totalSucceeded > 0 && active.isEmpty)
                    if done {
                        conditions.set("SuccessCriteriaMet", true, reason: "CompletionsReached", message: "Reached expected number of succeeded pods")
                    }
                }
            }

            let target = conditions.trueCondition("FailureTarget") ?? conditions.trueCondition("SuccessCriteriaMet")
            if let target {
                // 3. Finishing: no pod may keep running; the final condition waits for every pod to be accounted for.
                result.deletePods = active.map(\.name)
                if active.isEmpty && terminating.isEmpty && uncounted.isEmpty {
                    if target.type == "SuccessCriteriaMet" {
                        conditions.set("Complete", true, reason: target.reason, message: target.message)
                        status["completionTime"] = .string(KubeTimestamp.time(now))
                        result.events.append(JobEvent(type: "Normal", reason: "Completed", message: "Job completed"))
                    } else {
                        conditions.set("Failed", true, reason: target.reason, message: target.message)
                        result.events.append(JobEvent(type: "Warning", reason: target.reason, message: target.message))
                    }
                }
            } else if suspended {
                // 4. Suspended: nothing runs, the deadline clock stops.
                result.deletePods = active.map(\.name)
                if !conditions.isTrue("Suspended") {
                    conditions.set("Suspended", true, reason: "JobSuspended", message: "Job suspended")
                    result.events.append(JobEvent(type: "Normal", reason: "Suspended", message: "Job suspended"))
                }
                startTime = nil
            } else {
                if conditions.isTrue("Suspended") {
                    conditions.set("Suspended", false, reason: "JobResumed", message: "Job resumed")
                    result.events.append(JobEvent(type: "Normal", reason: "Resumed", message: "Job resumed"))
                    startTime = now
                }
                if startTime == nil {
                    startTime = now
                    if let ads = spec["activeDeadlineSeconds"]?.doubleValue {
                        result.requeueAfter = .clampedSeconds(ads / speed)
                    }
                }
                // 5. Pods: as many as wanted, replacements after the back-off.
                let wantActive: Int
                if let completions {
                    wantActive = max(0, min(parallelism, completions - totalSucceeded))
                } else {
                    wantActive = totalSucceeded > 0 ? min(active.count, parallelism) : parallelism
                }
                if active.count > wantActive {
                    result.deletePods = active.suffix(active.count - wantActive).map(\.name)
                } else if active.count < wantActive {
                    let delay = [backoffDelay(pods: views, speed: speed, now: now), backoffDelay(record, speed: speed, now: now)]
                        .compactMap { $0 }.max()
                    if let delay, delay > .zero {
                        result.requeueAfter = min(result.requeueAfter ?? delay, delay)
                    } else {
                        // At most 500 per pass, as the real controller; the next pass creates more.
                        result.createPods = (0..<min(500, wantActive - active.count)).map { _ in podObject(for: job) }
                    }
                }
            }
        }

        // 6. Status, written only when it changed.
        status["startTime"] = startTime.map { .string(KubeTimestamp.time($0)) }
        record.startTime = startTime
        result.memory = record
        status["active"] = active.isEmpty ? nil : .int(Int64(active.count))
        status["ready"] = .int(Int64(active.filter(\.ready).count))
        status["terminating"] = .int(Int64(terminating.count))
        status["succeeded"] = succeeded == 0 ? nil : .int(Int64(succeeded))
        status["failed"] = failed == 0 ? nil : .int(Int64(failed))
        var uncountedJSON: JSONValue = .emptyObject
        if !uncountedSucceeded.isEmpty { uncountedJSON["succeeded"] = .array(uncountedSucceeded.map { .string($0) }) }
        if !uncountedFailed.isEmpty { uncountedJSON["failed"] = .array(uncountedFailed.map { .string($0) }) }
        status["uncountedTerminatedPods"] = uncountedJSON
        status["conditions"] = conditions.items.isEmpty ? nil : .array(conditions.items)
        if status != old { result.status = status }
        return result
    }

    /// How long until a replacement for a failed pod may be created: 10 s doubling per failure
    /// since the last success, capped at 6 min, divided by `speed`; `nil` when nothing failed.
    static func backoffDelay(pods: [PodView], speed: Double, now: Date) -> Duration? {
        let lastSuccess = pods.filter(\.succeeded).compactMap(\.finishedAt).max() ?? .distantPast
        let failures = pods.filter { $0.phase == "Failed" || $0.terminating }.compactMap(\.finishedAt).filter { $0 > lastSuccess }
        guard let lastFailure = failures.max() else { return nil }
        let seconds = min(360, 10 * pow2(failures.count - 1)) / speed
        let remaining = lastFailure.addingTimeInterval(seconds).timeIntervalSince(now)
        return .clampedSeconds(remaining)
    }

    /// The same delay from a back-off record.
    static func backoffDelay(_ record: Memory, speed: Double, now: Date) -> Duration? {
        guard record.failuresAfterLastSuccess > 0, let last = record.lastFailureTime else { return nil }
        let seconds = min(360, 10 * pow2(record.failuresAfterLastSuccess - 1)) / speed
        return .clampedSeconds(last.addingTimeInterval(seconds).timeIntervalSince(now))
    }

    /// A pod for the job: the template with the job's labels, controller reference and tracking finalizer.
    public static func podObject(for job: JSONValue) -> JSONValue {
        let name = job[path: "metadata.name"]?.stringValue ?? "job"
        let uid = job[path: "metadata.uid"]?.stringValue ?? ""
        let template = job[path: "spec.template"] ?? .emptyObject
        var labels = template[path: "metadata.labels"]?.objectValue ?? [:]
        labels["batch.kubernetes.io/controller-uid"] = .string(uid)
        labels["batch.kubernetes.io/job-name"] = .string(name)
        labels["controller-uid"] = .string(uid)
        labels["job-name"] = .string(name)
        var metadata: JSONValue = [
            "generateName": .string("\(name.prefix(58))-"),
            "namespace": job[path: "metadata.namespace"] ?? "default",
            "labels": .object(labels),
            "ownerReferences": [[
                "apiVersion": "batch/v1", "kind": "Job", "name": .string(name), "uid": .string(uid),
                "controller": true, "blockOwnerDeletion": true,
            ]],
            "finalizers": [.string(trackingFinalizer)],
        ]
        if let annotations = template[path: "metadata.annotations"] { metadata["annotations"] = annotations }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"] ?? .emptyObject]
    }
}
