import Kube

/// What a retry or cancel request is judged against: the units (flow entries or DaemonJob nodes)
/// in spec order, each with its phase now and its dependencies.
public struct RequestSubject: Sendable, Hashable {
    /// One flow entry or node.
    public struct Unit: Sendable, Hashable {
        public var name: String
        public var phase: EntryPhase
        public var reason: EntryReason?
        /// Names of the entries it waits for (none for a node).
        public var dependencies: [String]
        /// The attempt it is on (0 before its first Job).
        public var attempts: Int

        public init(name: String, phase: EntryPhase, reason: EntryReason? = nil, dependencies: [String] = [], attempts: Int = 0) {
            self.name = name
            self.phase = phase
            self.reason = reason
            self.dependencies = dependencies
            self.attempts = attempts
        }
    }

    public var kind: CustomKind
    public var units: [Unit]
    public var failurePolicy: FailurePolicy

    public init(kind: CustomKind, units: [Unit], failurePolicy: FailurePolicy = .continue) {
        self.kind = kind
        self.units = units
        self.failurePolicy = failurePolicy
    }

    /// A JobFlow's entries: the spec's order and dependencies, the stored status's phases
    /// (an entry without status is Waiting). Entries only in status are not requestable.
    public init(jobFlow spec: JobFlowSpec, status: JobFlowStatus) {
        let byName = Dictionary(status.jobs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var seen = Set<String>()
        let units = spec.flows.filter { seen.insert($0.name).inserted }.map { e in
            Unit(name: e.name, phase: byName[e.name]?.phase ?? .waiting, reason: byName[e.name]?.reason, dependencies: e.dependencies,
                 attempts: byName[e.name]?.attempts ?? 0)
        }
        self.init(kind: .jobFlow, units: units, failurePolicy: spec.failurePolicy)
    }

    /// A DaemonJob's nodes as its status lists them.
    public init(daemonJob status: DaemonJobStatus) {
        self.init(kind: .daemonJob, units: status.nodes.map { Unit(name: $0.name, phase: $0.phase, reason: $0.reason, attempts: $0.attempts) })
    }

    /// The subject of a JobFlow or DaemonJob object as stored, its kind read from the object
    /// (nil for other kinds).
    public init?(object: JSONValue) {
        guard let kind = CustomKind(object: object) else { return nil }
        self.init(kind: kind, object: object)
    }

    /// The subject of `object`, a JobFlow or DaemonJob (items of a list carry no `kind`).
    public init?(kind: CustomKind, object: JSONValue) {
        switch kind {
        case .jobFlow:
            self.init(jobFlow: JobFlowSpec.decode(object["spec"]).spec, status: JobFlowStatus(json: object["status"]))
        case .daemonJob:
            self.init(daemonJob: DaemonJobStatus(json: object["status"]))
        case .jobTemplate:
            return nil
        }
    }
}
