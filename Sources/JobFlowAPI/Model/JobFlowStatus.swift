import Kube

/// One flow entry in `status.jobs`.
public struct EntryStatus: Sendable, Hashable {
    public var name: String
    public var jobName: String
    public var phase: EntryPhase
    public var reason: EntryReason?
    public var message: String?
    public var startTime: String?
    public var completionTime: String?
    /// The attempt the entry is on: 0 before its first Job, 1 for the first, +1 per retry.
    public var attempts: Int
    public var podName: String?
    public var nodeName: String?
    public var exitCode: Int?
    /// The uid of the Job of the current attempt, once the planner has seen it.
    public var jobUID: String?
    /// How the previous attempt ended, after a retry.
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
    public var jobName: String
    public var entry: String
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
    public var state: FlowState = .pending
    public var progress: String = "0/0"
    public var message: String = ""
    public var observedGeneration: Int64?
    public var startTime: String?
    public var completionTime: String?
    public var conditions: [StatusCondition] = []
    public var jobs: [EntryStatus] = []
    public var orphanedJobs: [OrphanedJob] = []
    /// Set by a `cancel: "*"` request, cleared by a retry: the flow's state is Cancelled.
    public var cancelled: Bool = false
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
