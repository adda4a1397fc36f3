/// The strings a `PackedJSON` encoding stores as one byte: at most 256, in a fixed order for the
/// life of the process. `kubernetes` holds field names and values common to every Kubernetes
/// object; a program adds its own (label keys, its API group) with `init(extraWords:)`.
public final class PackedJSONVocabulary: Sendable, Hashable {
    /// The words in index order.
    public let words: [String]
    let index: [String: UInt8]

    /// The Kubernetes words followed by `extraWords` (duplicates dropped; beyond 256 ignored).
    public init(extraWords: [String] = []) {
        var words: [String] = []
        var index: [String: UInt8] = [:]
        for word in PackedJSONVocabulary.kubernetesWords + extraWords where index[word] == nil && words.count < 256 {
            index[word] = UInt8(words.count)
            words.append(word)
        }
        self.words = words
        self.index = index
    }

    /// Whether `word` packs to one byte.
    public func contains(_ word: String) -> Bool { exactIndex(of: word) != nil }

    /// The index of `text` if a word has exactly its bytes. `String` equality is canonical
    /// equivalence (`"OOM\u{212A}illed"` equals `"OOMKilled"`), and packing must give back the
    /// very bytes it was given.
    func exactIndex(of text: String) -> UInt8? {
        guard let i = index[text], words[Int(i)].utf8.elementsEqual(text.utf8) else { return nil }
        return i
    }

    /// Field names and values found in most Kubernetes objects.
    public static let kubernetes = PackedJSONVocabulary()

    public static func == (a: PackedJSONVocabulary, b: PackedJSONVocabulary) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    static let kubernetesWords: [String] = [
        // Object and metadata fields.
        "apiVersion", "kind", "metadata", "spec", "status", "name", "namespace", "uid", "resourceVersion",
        "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
        "annotations", "ownerReferences", "controller", "blockOwnerDeletion", "finalizers", "generateName",
        "items", "continue", "remainingItemCount",
        // Conditions and common status fields.
        "conditions", "type", "reason", "message", "lastTransitionTime", "lastProbeTime", "lastHeartbeatTime",
        "lastUpdateTime", "observedGeneration", "phase", "startTime", "completionTime", "active", "ready",
        "succeeded", "failed", "terminating", "uncountedTerminatedPods", "completedIndexes",
        // Pods and containers.
        "nodeName", "containers", "initContainers", "containerStatuses", "initContainerStatuses", "state",
        "lastState", "running", "waiting", "terminated", "startedAt", "finishedAt", "exitCode", "signal",
        "restartCount", "image", "imageID", "containerID", "started", "command", "args", "env", "value",
        "valueFrom", "resources", "limits", "requests", "cpu", "memory", "volumeMounts", "mountPath",
        "readOnly", "volumes", "emptyDir", "hostPath", "path", "persistentVolumeClaim", "claimName",
        "configMap", "secret", "restartPolicy", "nodeSelector", "affinity", "tolerations", "key", "operator",
        "effect", "serviceAccountName", "schedulerName", "priority", "hostIP", "podIP", "podIPs", "ip",
        "qosClass", "template", "selector", "matchLabels", "matchExpressions", "values",
        // Jobs.
        "backoffLimit", "completions", "parallelism", "activeDeadlineSeconds", "ttlSecondsAfterFinished",
        "completionMode", "suspend", "podReplacementPolicy", "manualSelector",
        // Nodes.
        "taints", "unschedulable", "capacity", "allocatable", "addresses", "address", "nodeInfo",
        // Values.
        "v1", "batch/v1", "coordination.k8s.io/v1", "Job", "Pod", "Node", "Event", "Lease", "True", "False",
        "Unknown", "Complete", "Failed", "SuccessCriteriaMet", "FailureTarget", "Suspended", "CompletionsReached",
        "Reached expected number of succeeded pods", "BackoffLimitExceeded", "DeadlineExceeded",
        "Job has reached the specified backoff limit", "PodFailurePolicy", "Succeeded", "Running", "Pending",
        "Completed", "Error", "OOMKilled", "ContainerCreating", "PodInitializing", "ErrImagePull",
        "ImagePullBackOff", "CrashLoopBackOff", "Never", "OnFailure", "Always", "IfNotPresent", "default",
        "kube-system", "main", "Ready", "PodScheduled", "Initialized", "ContainersReady", "PodReadyToStartContainers",
        "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable", "NoSchedule", "NoExecute",
        "PreferNoSchedule", "Exists", "Equal", "In", "NotIn", "BestEffort", "Burstable", "Guaranteed",
        "NonIndexed", "Indexed", "TerminatingOrFailed",
        // Well-known labels.
        "batch.kubernetes.io/job-name", "job-name", "batch.kubernetes.io/controller-uid", "controller-uid",
        "kubernetes.io/hostname", "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os",
        "beta.kubernetes.io/arch", "node-role.kubernetes.io/control-plane", "linux", "amd64", "arm64",
    ]
}
