import Kube

/// The kubelet's view of one pod as a pure state machine over virtual time.
///
/// Times are offsets on the control plane's clock (`Duration`); rendering turns them into dates.
/// `advance(to:)` replays every program step due by then and returns what to do outside (log
/// lines, containers that will not run again); `status(…)` renders `Pod.status`.
/// Container programs are already scaled by the speed factor when the lifecycle is built.
public struct PodLifecycle: Sendable {
    /// What the owner must do outside the state machine.
    public enum Effect: Sendable, Hashable {
        /// A line the container wrote at `at`.
        case log(container: String, text: String, at: Duration)
        /// The container exited and will not be restarted: its log stream ends.
        case exited(container: String)
    }

    /// A container's state as in `containerStatuses[].state`, on the clock's offsets.
    public enum ContainerState: Sendable, Hashable {
        case waiting(reason: String, until: Duration?)
        case running(startedAt: Duration, nextLine: Int)
        case terminated(exitCode: Int, reason: String, startedAt: Duration, finishedAt: Duration)
    }

    /// One (init) container: its program and runtime state.
    public struct Container: Sendable {
        public var name: String
        public var image: String
        public var program: ContainerProgram
        public var state: ContainerState
        public var lastState: ContainerState?
        public var restartCount = 0
        /// Terminated and not going to run again.
        public var isDone: Bool {
            if case .terminated = state { return true }
            return false
        }
    }

    /// Where the pod is in its life.
    public enum Stage: Sendable, Hashable {
        case creating(until: Duration)
        case initializing(index: Int)
        case running
        case finished
    }

    /// The pod's identity.
    public let namespace: String, name: String, uid: String
    /// `spec.restartPolicy` (`Always` when unset).
    public let restartPolicy: String
    /// The (sanitized) speed factor the programs were scaled by.
    public let speed: Double
    /// When the kubelet accepted the pod (`status.startTime`).
    public let acceptedAt: Duration
    /// The pod's stage and its containers.
    public private(set) var stage: Stage
    public private(set) var initContainers: [Container]
    public private(set) var containers: [Container]
    /// `status.reason` / `status.message` of a pod the node lost.
    public private(set) var reason: String?
    public private(set) var message: String?
    /// The addresses reported in status.
    public private(set) var podIP: String
    public private(set) var hostIP: String

    /// How long `ContainerCreating` lasts before the speed factor.
    public static let creationDelay: Duration = .milliseconds(500)

    /// Builds the lifecycle of a pod the kubelet accepted at `now`.
    public init(pod: JSONValue, now: Duration, speed: Double, podIP: String, hostIP: String) {
        namespace = pod[path: "metadata.namespace"]?.stringValue ?? "default"
        name = pod[path: "metadata.name"]?.stringValue ?? ""
        uid = pod[path: "metadata.uid"]?.stringValue ?? ""
        restartPolicy = pod[path: "spec.restartPolicy"]?.stringValue ?? "Always"
        self.speed = sanitizedSpeed(speed)
        acceptedAt = now
        self.podIP = podIP
        self.hostIP = hostIP
        stage = .creating(until: now + Self.creationDelay * (1 / self.speed))
        let podName = name
        let factor = 1 / self.speed
        func containers(_ key: String, waiting: String) -> [Container] {
            (pod[path: "spec.\(key)"]?.arrayValue ?? []).prefix(64).map { c in
                var env: [String: String] = [
                    "HOSTNAME": podName, "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443",
                ]
                for variable in c["env"]?.arrayValue ?? [] {
                    guard let key = variable["name"]?.stringValue else { continue }
                    // valueFrom (secrets, fieldRef, …) is not resolved: the variable is empty.
                    env[key] = ContainerProgram.expandKubeletReferences(variable["value"]?.stringValue ?? "", env: env)
                }
                let strings = { (k: String) in (c[k]?.arrayValue ?? []).compactMap(\.stringValue) }
                let program = ContainerProgram.derive(command: strings("command"), args: strings("args"), env: env)
                    .scaled(by: factor)
                return Container(name: c["name"]?.stringValue ?? "", image: c["image"]?.stringValue ?? "",
                                 program: program, state: .waiting(reason: waiting, until: nil))
            }
        }
        let inits = containers("initContainers", waiting: "PodInitializing")
        let mains = containers("containers", waiting: inits.isEmpty ? "ContainerCreating" : "PodInitializing")
        initContainers = inits
        self.containers = mains
        if let first = initContainers.indices.first {
            initContainers[first].state = .waiting(reason: "ContainerCreating", until: nil)
        }
    }

    /// The pod phase as the kubelet reports it.
    public var phase: String {
        switch stage {
        case .creating, .initializing: return "Pending"
        case .running: return "Running"
        case .finished:
            let failedInit = initContainers.contains { if case .terminated(let code, _, _, _) = $0.state { return code != 0 } else { return false } }
            let allZero = containers.allSatisfy { if case .terminated(0, _, _, _) = $0.state { return true } else { return false } }
            return !failedInit && allZero && reason == nil ? "Succeeded" : "Failed"
        }
    }

    /// Every container has stopped for good.
    public var isFinished: Bool { stage == .finished }

    /// When something next happens without outside input; `nil` when nothing is pending.
    public var nextWakeup: Duration? {
        switch stage {
        case .creating(let until): return until
        case .initializing(let i): return Self.nextEvent(of: initContainers[i])
        case .running: return containers.compactMap(Self.nextEvent).min()
        case .finished: return nil
        }
    }

    static func nextEvent(of c: Container) -> Duration? {
        switch c.state {
        case .waiting(_, let until): return until
        case .running(let start, let next):
            let finish = start + c.program.duration
            return next < c.program.lines.count ? min(start + c.program.lines[next].at, finish) : finish
        case .terminated: return nil
        }
    }

    /// Processes every event due by `now`, in time order.
    public mutating func advance(to now: Duration) -> [Effect] {
        var effects: [Effect] = []
        var guardCount = 0
        while let t = nextWakeup, t <= now, guardCount < 1_000_000 {
            guardCount += 1
            switch stage {
            case .creating:
                if initContainers.isEmpty { startMain(at: t) } else { stage = .initializing(index: 0); start(&initContainers[0], at: t) }
            case .initializing(let i):
                step(&initContainers[i], at: t, effects: &effects)
                if case .terminated(let code, _, _, _) = initContainers[i].state {
                    if code != 0 {
                        for j in containers.indices { containers[j].state = .waiting(reason: "PodInitializing", until: nil) }
                        stage = .finished
                    } else if i + 1 < initContainers.count {
                        stage = .initializing(index: i + 1)
                        start(&initContainers[i + 1], at: t)
                    } else {
                        startMain(at: t)
                    }
                }
            case .running:
                for i in containers.indices where Self.nextEvent(of: containers[i]) == t {
                    step(&containers[i], at: t, effects: &effects)
                }
                if containers.allSatisfy(\.isDone) { stage = .finished }
            case .finished:
                break
            }
        }
        return effects
    }

    private mutating func startMain(at t: Duration) {
        stage = .running
        for i in containers.indices { start(&containers[i], at: t) }
        if containers.isEmpty { stage = .finished }
    }

    private func start(_ c: inout Container, at t: Duration) {
        c.state = .running(startedAt: t, nextLine: 0)
    }

    /// One event of a container at `t`: a restart, a log line, or the exit.
    private func step(_ c: inout Container, at t: Duration, effects: inout [Effect]) {
        switch c.state {
        case .waiting:
            c.state = .running(startedAt: t, nextLine: 0)
        case .running(let start, var next):
            while next < c.program.lines.count, start + c.program.lines[next].at <= t {
                effects.append(.log(container: c.name, text: c.program.lines[next].text, at: start + c.program.lines[next].at))
                next += 1
            }
            c.state = .running(startedAt: start, nextLine: next)
            guard start + c.program.duration <= t else { return }
            let code = c.program.exitCode
            let ended = ContainerState.terminated(exitCode: code, reason: code == 0 ? "Completed" : "Error", startedAt: start, finishedAt: t)
            let restarts = restartPolicy == "Always" || (restartPolicy == "OnFailure" && code != 0)
            if restarts {
                c.lastState = ended
                c.restartCount += 1
                c.state = .waiting(reason: "CrashLoopBackOff", until: t + crashLoopDelay(restartCount: c.restartCount))
            } else {
                c.state = ended
                effects.append(.exited(container: c.name))
            }
        case .terminated:
            break
        }
    }

    /// The kubelet's restart back-off: 10 s doubling to 5 min, scaled by the speed factor.
    public func crashLoopDelay(restartCount: Int) -> Duration {
        let seconds = min(300.0, 10 * pow2(max(0, restartCount - 1)))
        return .seconds(seconds) * (1 / speed)
    }

    /// Stops every container at `now` (the pod was deleted, or its node was lost): what ran gets
    /// exit code 137, what never started `ContainerStatusUnknown`. The pod ends Failed.
    public mutating func kill(at now: Duration, reason: String? = nil, message: String? = nil) -> [Effect] {
        guard stage != .finished else { return [] }
        var effects = advance(to: now)
        guard stage != .finished else { return effects }
        func stop(_ c: inout Container) {
            switch c.state {
            case .running(let start, _):
                c.state = .terminated(exitCode: 137, reason: "Error", startedAt: start, finishedAt: now)
                effects.append(.exited(container: c.name))
            case .waiting:
                c.state = .terminated(exitCode: 137, reason: "ContainerStatusUnknown", startedAt: now, finishedAt: now)
                effects.append(.exited(container: c.name))
            case .terminated:
                break
            }
        }
        for i in initContainers.indices { stop(&initContainers[i]) }
        for i in containers.indices { stop(&containers[i]) }
        self.reason = reason
        self.message = message
        stage = .finished
        return effects
    }
}

func pow2(_ n: Int) -> Double { n >= 62 ? Double.greatestFiniteMagnitude : Double(1 << n) }

extension ContainerProgram {
    /// The same timeline with every time multiplied by `factor`.
    func scaled(by factor: Double) -> ContainerProgram {
        ContainerProgram(lines: lines.map { .init(at: $0.at * factor, text: $0.text) },
                         duration: duration * factor, exitCode: exitCode)
    }
}
