/// batch/v1 Job, as far as a controller reads it. The pod template stays a `JSONValue` so every
/// field passes through.
public struct Job: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public struct Spec: Codable, Sendable, Hashable {
        public var parallelism: Int?
        public var completions: Int?
        public var backoffLimit: Int?
        public var activeDeadlineSeconds: Int64?
        public var suspend: Bool?
        public var selector: JSONValue?
        public var template: JSONValue?
    }

    public struct Status: Codable, Sendable, Hashable {
        public var startTime: String?
        public var completionTime: String?
        public var active: Int?
        public var ready: Int?
        public var succeeded: Int?
        public var failed: Int?
        public var terminating: Int?
        public var conditions: [Condition]?
    }

    /// `Complete` or `Failed` is True: the Job will not run any more pods.
    public var isFinished: Bool { isComplete || isFailed }
    public var isComplete: Bool { condition("Complete")?.isTrue ?? false }
    public var isFailed: Bool { condition("Failed")?.isTrue ?? false }
    public func condition(_ type: String) -> Condition? { status?.conditions?.first { $0.type == type } }
}

/// core/v1 Pod, as far as a controller and the UI read it.
public struct Pod: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public struct Spec: Codable, Sendable, Hashable {
        public var nodeName: String?
        public var restartPolicy: String?
        public var containers: [Container]?
        public var initContainers: [Container]?
    }

    public struct Container: Codable, Sendable, Hashable {
        public var name: String
        public var image: String?
        public var command: [String]?
        public var args: [String]?
    }

    public struct Status: Codable, Sendable, Hashable {
        public var phase: String?
        public var reason: String?
        public var message: String?
        public var podIP: String?
        public var startTime: String?
        public var conditions: [Condition]?
        public var containerStatuses: [ContainerStatus]?
        public var initContainerStatuses: [ContainerStatus]?
    }

    public struct ContainerStatus: Codable, Sendable, Hashable {
        public var name: String
        public var ready: Bool?
        public var restartCount: Int?
        public var image: String?
        public var state: ContainerState?
        public var lastState: ContainerState?
    }

    public struct ContainerState: Codable, Sendable, Hashable {
        public var waiting: Reason?
        public var running: Running?
        public var terminated: Terminated?

        public struct Reason: Codable, Sendable, Hashable {
            public var reason: String?
            public var message: String?
        }
        public struct Running: Codable, Sendable, Hashable {
            public var startedAt: String?
        }
        public struct Terminated: Codable, Sendable, Hashable {
            public var exitCode: Int
            public var reason: String?
            public var message: String?
            public var startedAt: String?
            public var finishedAt: String?
        }
    }
}

/// core/v1 Node: what scheduling decisions and eligibility need.
public struct Node: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public struct Spec: Codable, Sendable, Hashable {
        public var unschedulable: Bool?
        public var taints: [Taint]?
    }

    public struct Taint: Codable, Sendable, Hashable {
        public var key: String
        public var value: String?
        public var effect: String
    }

    public struct Status: Codable, Sendable, Hashable {
        public var conditions: [Condition]?
    }

    /// The `Ready` condition is True.
    public var isReady: Bool { status?.conditions?.first { $0.type == "Ready" }?.isTrue ?? false }
}

/// coordination.k8s.io/v1 Lease.
public struct Lease: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public var spec: Spec?

    public struct Spec: Codable, Sendable, Hashable {
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int?
        public var acquireTime: String?
        public var renewTime: String?
        public var leaseTransitions: Int?
    }
}

/// core/v1 Event.
public struct Event: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public var involvedObject: InvolvedObject
    public var reason: String?
    public var message: String?
    public var type: String?
    public var count: Int?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var eventTime: String?
    public var source: Source?

    public struct InvolvedObject: Codable, Sendable, Hashable {
        public var apiVersion: String?
        public var kind: String?
        public var name: String?
        public var namespace: String?
        public var uid: String?
    }

    public struct Source: Codable, Sendable, Hashable {
        public var component: String?
        public var host: String?
    }
}
