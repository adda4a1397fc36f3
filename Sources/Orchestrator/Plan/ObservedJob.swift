import JobFlowAPI
import Kube

/// What the planner reads from a Job and its pods.
public struct ObservedJob: Sendable, Hashable {
    public var name: String
    public var uid: String
    /// The uid of the controller owner (nil: no controller).
    public var controllerUID: String?
    public var controllerKind: String?
    public var controllerName: String?
    /// `api.practice.com/attempt` (1 when missing).
    public var attempt: Int
    public var phase: EntryPhase
    /// Ours (`Completed`, `JobFailed`) or Kubernetes' own, passed through (`BackoffLimitExceeded`,
    /// a container's waiting reason such as `ImagePullBackOff`).
    public var reason: EntryReason?
    public var message: String?
    public var startTime: String?
    public var completionTime: String?
    public var podName: String?
    public var nodeName: String?
    public var exitCode: Int?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var isDeleting: Bool

    /// Reads a Job and picks its pods out of `pods` (by controller uid, else the `job-name` label).
    public init?(job: JSONValue, pods: [JSONValue]) {
        guard let jobName = job[path: "metadata.name"]?.stringValue else { return nil }
        self.name = jobName
        uid = job[path: "metadata.uid"]?.stringValue ?? ""
        let controller = job[path: "metadata.ownerReferences"]?.arrayValue?.first { $0["controller"]?.boolValue == true }
        controllerUID = controller?["uid"]?.stringValue
        controllerKind = controller?["kind"]?.stringValue
        controllerName = controller?["name"]?.stringValue
        labels = (job[path: "metadata.labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        annotations = (job[path: "metadata.annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        attempt = annotations[Keys.attemptAnnotation].flatMap { Int($0) }.map { max($0, 1) } ?? 1
        isDeleting = job[path: "metadata.deletionTimestamp"] != nil

        let status = job["status"] ?? .emptyObject
        let conditions = status["conditions"]?.arrayValue ?? []
        func trueCondition(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == KubernetesWords.conditionTrue }
        }
        startTime = status["startTime"]?.stringValue

        let jobUID = uid
        let own = pods.filter { pod in
            // A pod of an earlier attempt (same name, Job already deleted) must not count: match
            // by the controller uid wherever the pod has one, by the job-name label otherwise.
            let l = pod[path: "metadata.labels"]
            if let ref = pod[path: "metadata.ownerReferences"]?.arrayValue?.first(where: { $0["controller"]?.boolValue == true }),
               let owner = ref["uid"]?.stringValue {
                return owner == jobUID
            }
            if let owner = l?["batch.kubernetes.io/controller-uid"]?.stringValue ?? l?["controller-uid"]?.stringValue {
                return owner == jobUID
            }
            return l?["batch.kubernetes.io/job-name"]?.stringValue == jobName || l?["job-name"]?.stringValue == jobName
        }.sorted { a, b in
            let ta = a[path: "metadata.creationTimestamp"]?.stringValue ?? ""
            let tb = b[path: "metadata.creationTimestamp"]?.stringValue ?? ""
            return ta != tb ? ta < tb : (a[path: "metadata.name"]?.stringValue ?? "") < (b[path: "metadata.name"]?.stringValue ?? "")
        }
        let latest = own.last
        podName = latest?[path: "metadata.name"]?.stringValue
        nodeName = latest?[path: "spec.nodeName"]?.stringValue
        exitCode = latest.flatMap(ObservedJob.exitCode(of:))

        if let c = trueCondition(KubernetesWords.jobComplete) ?? trueCondition(KubernetesWords.jobSuccessCriteriaMet) {
            phase = .succeed
            reason = .completed
            completionTime = status["completionTime"]?.stringValue ?? c["lastTransitionTime"]?.stringValue
        } else if let c = trueCondition(KubernetesWords.jobFailed) ?? trueCondition(KubernetesWords.jobFailureTarget) {
            phase = .failed
            reason = c["reason"]?.stringValue.map(EntryReason.init(rawValue:)) ?? .jobFailed
            message = c["message"]?.stringValue
            completionTime = c["lastTransitionTime"]?.stringValue
        } else if own.contains(where: { $0[path: "status.phase"]?.stringValue == KubernetesWords.podRunning })
                    || (status["ready"]?.intValue ?? 0) > 0 {
            phase = .running
        } else {
            phase = .pending
            if let waiting = latest.flatMap(ObservedJob.waitingReason(of:)) { reason = EntryReason(rawValue: waiting) }
        }
    }

    /// The exit code of the first terminated container that failed, else of the first terminated one.
    static func exitCode(of pod: JSONValue) -> Int? {
        let statuses = (pod[path: "status.containerStatuses"]?.arrayValue ?? []) + (pod[path: "status.initContainerStatuses"]?.arrayValue ?? [])
        let codes = statuses.compactMap { $0[path: "state.terminated.exitCode"]?.intValue.map { Int(clamping: $0) } }
        return codes.first { $0 != 0 } ?? codes.first
    }

    /// A container's waiting reason (ImagePullBackOff, …), to say why a pod is not running.
    static func waitingReason(of pod: JSONValue) -> String? {
        (pod[path: "status.containerStatuses"]?.arrayValue ?? []).compactMap { $0[path: "state.waiting.reason"]?.stringValue }.first
    }
}

extension ObservedJob {
    /// Everything `ObservedJob` and `PodIndex` read from a pod: two pods with equal views give
    /// equal `ObservedJob`s, so an update that keeps the view cannot change a plan.
    public struct PodView: Equatable, Sendable {
        var name: String?
        var creationTimestamp: String?
        var ownerReferences: JSONValue?
        var labels: JSONValue?
        var nodeName: String?
        var isRunning: Bool
        var exitCode: Int?
        var waitingReason: String?

        /// The view of `pod`.
        public init(_ pod: JSONValue) {
            name = pod[path: "metadata.name"]?.stringValue
            creationTimestamp = pod[path: "metadata.creationTimestamp"]?.stringValue
            ownerReferences = pod[path: "metadata.ownerReferences"]
            labels = pod[path: "metadata.labels"]
            nodeName = pod[path: "spec.nodeName"]?.stringValue
            isRunning = pod[path: "status.phase"]?.stringValue == KubernetesWords.podRunning
            exitCode = ObservedJob.exitCode(of: pod)
            waitingReason = ObservedJob.waitingReason(of: pod)
        }
    }
}

/// Pods grouped by the Job they belong to (owner uid and `job-name` label), built once per plan
/// so that reading N Jobs does not scan all pods N times.
struct PodIndex {
    private var byUID: [String: [JSONValue]] = [:]
    private var byJobName: [String: [JSONValue]] = [:]

    init(_ pods: [JSONValue]) {
        for pod in pods {
            for ref in pod[path: "metadata.ownerReferences"]?.arrayValue ?? [] {
                if let uid = ref["uid"]?.stringValue { byUID[uid, default: []].append(pod) }
            }
            let labels = pod[path: "metadata.labels"]
            let names = Set([labels?["batch.kubernetes.io/job-name"]?.stringValue, labels?["job-name"]?.stringValue].compactMap { $0 })
            for name in names { byJobName[name, default: []].append(pod) }
        }
    }

    /// The candidate pods of a Job (ObservedJob filters them exactly).
    func pods(of job: JSONValue) -> [JSONValue] {
        let uid = job[path: "metadata.uid"]?.stringValue ?? ""
        let name = job[path: "metadata.name"]?.stringValue ?? ""
        var result = byUID[uid] ?? []
        for pod in byJobName[name] ?? [] where !result.contains(pod) { result.append(pod) }
        return result
    }

    /// Every Job read with its own pods.
    static func observe(_ jobs: [JSONValue], pods: [JSONValue]) -> [String: ObservedJob] {
        let index = PodIndex(pods)
        return Dictionary(jobs.compactMap { ObservedJob(job: $0, pods: index.pods(of: $0)) }.map { ($0.name, $0) },
                          uniquingKeysWith: { first, _ in first })
    }
}
