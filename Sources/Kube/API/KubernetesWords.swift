/// Kubernetes' own words that clients read from built-in objects (the constants of
/// k8s.io/api/batch/v1 and core/v1), spelled once. The project's own vocabulary is in JobFlowAPI.
public enum KubernetesWords {
    /// `status` of a condition that holds.
    public static let conditionTrue = "True"
    /// Job condition: the Job completed.
    public static let jobComplete = "Complete"
    /// Job condition: the Job failed.
    public static let jobFailed = "Failed"
    /// Job condition (v1.31+): success is decided; `Complete` follows once pods are gone.
    public static let jobSuccessCriteriaMet = "SuccessCriteriaMet"
    /// Job condition (v1.31+): failure is decided; `Failed` follows once pods are gone.
    public static let jobFailureTarget = "FailureTarget"
    /// Job conditions that mean the Job has finished or is about to.
    public static let jobFinishedConditions = [jobComplete, jobSuccessCriteriaMet, jobFailed, jobFailureTarget]
    /// Pod phase: at least one container runs.
    public static let podRunning = "Running"
    /// Node condition type: the kubelet is healthy.
    public static let nodeReady = "Ready"
    /// CRD condition type: the API server serves the resource.
    public static let crdEstablished = "Established"
}
