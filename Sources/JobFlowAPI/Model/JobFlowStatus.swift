import Kube

/// One flow entry in `status.jobs`.
public struct EntryStatus: Sendable, Hashable {
    /// The flow entry (in a JobFlow's status.jobs) or the node (in a DaemonJob's status.nodes,
    /// where this field is called node) that the row is about.
    public var name: String
    /// The name of the Job for this entry or node: <owner>-<entry or node>, shortened and given a
    /// stable hash suffix when that is not a valid name.
    public var jobName: String
    /// Where the entry or node is: Waiting (not started: it waits for dependencies, a template, an
    /// eligible node or a conflicting Job to go), Pending (Job created, no pod running yet),
    /// Running, Succeed, Failed (the Job failed, or the Job or its node vanished before it
    /// finished), Cancelled (stopped or never started because of a cancel request) or Skipped (will
    /// not run because an upstream entry failed or was cancelled, or FailFast stopped the flow).
    public var phase: EntryPhase
    /// Why it is in its phase, as one CamelCase word: one of the operator's
    /// (WaitingForDependencies, TemplateNotFound, Creating, Completed, UpstreamFailed,
    /// CancelRequested, RetryRequested, NodeLost, …) or one taken from the Job or its pod
    /// (BackoffLimitExceeded, DeadlineExceeded, ImagePullBackOff, …).
    public var reason: EntryReason?
    /// Details of the reason for people, such as the dependencies it waits for or the upstream
    /// entry that failed.
    public var message: String?
    /// When the current attempt's Job started (RFC 3339).
    public var startTime: String?
    /// When the current attempt finished (RFC 3339); absent until it has.
    public var completionTime: String?
    /// The attempt the entry or node is on: 0 before its first Job, 1 for the first, one more per
    /// retry. Its Job carries the same number in the api.practice.com/attempt annotation.
    public var attempts: Int
    /// The newest pod of the current attempt's Job.
    public var podName: String?
    /// The node that pod was scheduled to.
    public var nodeName: String?
    /// The exit code of that pod's first failed container, else of its first container that
    /// terminated.
    public var exitCode: Int?
    /// The uid of the current attempt's Job, once the operator has seen it; it tells a Job that
    /// vanished apart from one that was never created.
    public var jobUID: String?
    /// How the previous attempt ended, kept when the entry or node is retried.
    public var previous: AttemptOutcome?

    public init(name: String, jobName: String, phase: EntryPhase = .waiting, attempts: Int = 0) {
        self.name = name
        self.jobName = jobName
        self.phase = phase
        self.attempts = attempts
    }

    public var json: JSONValue {
        var o: JSONValue = ["name": .string(name), "jobName": .string(jobName), "phase": .string(phase.rawValue),
                            "attempts": .int(Int64(attempts))]
        o.set("reason", reason?.rawValue)
        o.set("message", message)
        o.set("startTime", startTime)
        o.set("completionTime", completionTime)
        o.set("podName", podName)
        o.set("nodeName", nodeName)
        o.set("exitCode", exitCode)
        o.set("jobUID", jobUID)
        if let previous { o["previous"] = previous.json }
        return o
    }

    public init?(json: JSONValue, key: String = "name") {
        guard let name = json[key]?.stringValue else { return nil }
        self.name = name
        jobName = json["jobName"]?.stringValue ?? ""
        phase = json["phase"]?.stringValue.map(EntryPhase.init(rawValue:)) ?? .waiting
        attempts = Int(clamping: json["attempts"]?.intValue ?? 0)
        reason = json["reason"]?.stringValue.map(EntryReason.init(rawValue:))
        message = json["message"]?.stringValue
        startTime = json["startTime"]?.stringValue
        completionTime = json["completionTime"]?.stringValue
        podName = json["podName"]?.stringValue
        nodeName = json["nodeName"]?.stringValue
        exitCode = json["exitCode"]?.intValue.map { Int(clamping: $0) }
        jobUID = json["jobUID"]?.stringValue
        previous = AttemptOutcome(json: json["previous"])
    }

    /// The outcome of the current attempt, to keep as `previous` when it is retried.
    public var outcome: AttemptOutcome {
        AttemptOutcome(attempt: attempts, phase: phase, reason: reason, message: message, exitCode: exitCode,
                       startTime: startTime, completionTime: completionTime)
    }
}

/// A Job the flow owns whose entry is no longer in the spec (removed or renamed).
public struct OrphanedJob: Sendable, Hashable {
    /// The name of the orphaned Job.
    public var jobName: String
    /// The flow entry the Job was created for (its api.practice.com/flow label), no longer in the
    /// spec.
    public var entry: String
    /// The Job's phase as last observed: Pending, Running, Succeed or Failed.
    public var phase: EntryPhase

    public var json: JSONValue { ["jobName": .string(jobName), "name": .string(entry), "phase": .string(phase.rawValue)] }

    public init(jobName: String, entry: String, phase: EntryPhase) {
        self.jobName = jobName
        self.entry = entry
        self.phase = phase
    }

    public init?(json: JSONValue) {
        guard let jobName = json["jobName"]?.stringValue else { return nil }
        self.init(jobName: jobName, entry: json["name"]?.stringValue ?? "", phase: EntryPhase(rawValue: json["phase"]?.stringValue ?? ""))
    }
}

/// `status` of a JobFlow.
public struct JobFlowStatus: Sendable, Hashable {
    /// The flow's overall state, shown in the Status column: Pending (nothing started yet), Running
    /// (a Job was started and not every entry has finished), Succeed (every entry succeeded),
    /// Failed (every entry finished and one failed, or the spec is invalid), Terminating (the
    /// JobFlow is being deleted) or Cancelled (stopped by a cancel request).
    public var state: FlowState = .pending
    /// Succeeded entries out of the entries in the spec, as "3/5"; shown in the Progress column.
    public var progress: String = "0/0"
    /// A one-line summary of the state for people: which entries run, wait or failed, or why the
    /// spec is invalid.
    public var message: String = ""
    /// The metadata.generation of the spec this status was computed from. Lower than the object's
    /// generation: the operator has not acted on the latest edit yet.
    public var observedGeneration: Int64?
    /// When the operator started the flow's first Job (RFC 3339); absent before.
    public var startTime: String?
    /// When the flow reached Succeed, Failed or Cancelled (RFC 3339); absent while it is not
    /// finished, and removed when a retry makes it run again.
    public var completionTime: String?
    /// Standard conditions: Valid (False when the spec is invalid, with the first error's reason
    /// and every error in the message), Progressing (True until the state is Succeed, Failed or
    /// Cancelled) and Complete (True once every entry succeeded).
    public var conditions: [StatusCondition] = []
    /// One row per flow entry of the spec, in spec order: its Job, its phase, and how its current
    /// attempt is going.
    public var jobs: [EntryStatus] = []
    /// Jobs the flow still owns whose entry was removed from the spec (or renamed). They are left
    /// to run, no longer count in progress, are deleted with the flow, and are adopted again if
    /// their entry comes back.
    public var orphanedJobs: [OrphanedJob] = []
    /// True after a request to cancel everything (cancel "*"): the state becomes Cancelled once
    /// nothing runs. A retry that is carried out clears it. Absent when false.
    public var cancelled: Bool = false
    /// The retry and cancel requests (the api.practice.com/retry and api.practice.com/cancel
    /// annotations) that were carried out, each kept until its annotation is removed, so that every
    /// request takes effect exactly once.
    public var handledRequests: [HandledRequest] = []

    public init() {}

    /// The status as stored; keys sorted on output, arrays in spec order: equal statuses encode equally.
    public var json: JSONValue {
        var o: JSONValue = ["state": .string(state.rawValue), "progress": .string(progress), "message": .string(message),
                            "conditions": .array(conditions.map(\.json)), "jobs": .array(jobs.map(\.json))]
        if let g = observedGeneration { o["observedGeneration"] = .int(g) }
        o.set("startTime", startTime)
        o.set("completionTime", completionTime)
        if !orphanedJobs.isEmpty { o["orphanedJobs"] = .array(orphanedJobs.map(\.json)) }
        if cancelled { o["cancelled"] = true }
        if !handledRequests.isEmpty { o["handledRequests"] = .array(handledRequests.map(\.json)) }
        return o
    }

    /// Reads a stored status tolerantly: anything unreadable is treated as absent.
    public init(json: JSONValue?) {
        guard let json, json.objectValue != nil else { return }
        state = json["state"]?.stringValue.map(FlowState.init(rawValue:)) ?? .pending
        progress = json["progress"]?.stringValue ?? "0/0"
        message = json["message"]?.stringValue ?? ""
        observedGeneration = json["observedGeneration"]?.intValue
        startTime = json["startTime"]?.stringValue
        completionTime = json["completionTime"]?.stringValue
        conditions = (json["conditions"]?.arrayValue ?? []).compactMap(StatusCondition.init(json:))
        jobs = (json["jobs"]?.arrayValue ?? []).compactMap { EntryStatus(json: $0) }
        orphanedJobs = (json["orphanedJobs"]?.arrayValue ?? []).compactMap(OrphanedJob.init(json:))
        cancelled = json["cancelled"]?.boolValue ?? false
        handledRequests = (json["handledRequests"]?.arrayValue ?? []).compactMap(HandledRequest.init(json:))
    }
}

/// Whether a computed status must be written.
public enum StatusDiff {
    /// True when `computed` differs from `stored` in anything. Nothing is ignored: planners keep
    /// stored timestamps and condition transition times when nothing changed, so an unchanged
    /// world gives an identical status and no write.
    public static func needsWrite(stored: JSONValue?, computed: JSONValue) -> Bool {
        stored != computed
    }
}
