/// What a retry or cancel request does to a JobFlow or DaemonJob: the one rule that the operator
/// carries out, the CLI prints before it writes, and the UI's confirmation shows.
///
/// Retry runs Failed and Cancelled entries again. Naming a Skipped entry retries its root
/// causes: the Failed or Cancelled entries upstream of it (through other Skipped ones), and, when
/// FailFast held it back, every Failed entry of the flow. Naming a Succeeded, Running, Pending or
/// Waiting entry changes nothing. Cancel stops Waiting, Pending and Running entries; their
/// unfinished dependents are then skipped. `*` means every entry the request applies to.
///
/// Cost: O(units × dependencies) per Skipped entry looked at; the CRD caps a flow at 512 entries.
public struct RequestPreview: Sendable, Hashable {
    /// A named target the request cannot act on, and why.
    public struct Refusal: Sendable, Hashable {
        public var name: String
        /// What is in the way, for a person ("job1 is Succeed").
        public var why: String
        /// The rule that applied ("only Failed, Cancelled or Skipped flow entries are retried").
        public var rule: String
    }

    /// A Skipped target retried through its root causes.
    public struct RootCauses: Sendable, Hashable {
        public var skipped: String
        public var causes: [String]

        public init(skipped: String, causes: [String]) {
            self.skipped = skipped
            self.causes = causes
        }
    }

    /// A Skipped entry a retry leaves Skipped, and the Failed or Cancelled entries that keep it so.
    public struct StillBlocked: Sendable, Hashable {
        public var name: String
        public var blockers: [String]

        public init(name: String, blockers: [String]) {
            self.name = name
            self.blockers = blockers
        }
    }

    public var kind: RequestKind
    public var subjectKind: CustomKind
    /// The subject's units in spec order (for lists that merge several of the sets below).
    public var order: [String]
    public var targets: RequestTargets
    /// The units the request changes, in spec order: those that run again (retry) or are
    /// stopped (cancel).
    public var applied: [String] = []
    /// The attempt each retried unit will be on.
    public var nextAttempt: [String: Int] = [:]
    /// Skipped targets retried through their root causes.
    public var rootCauses: [RootCauses] = []
    /// Retry: Skipped entries downstream of a retried one that become runnable again.
    public var runnableDependents: [String] = []
    /// Retry: Skipped entries FailFast held back that become runnable again.
    public var released: [String] = []
    /// Retry: Skipped entries whose causes the request touches but does not clear.
    public var stillBlocked: [StillBlocked] = []
    /// Cancel: unfinished entries that will be skipped because an entry they need is cancelled.
    public var skipped: [String] = []
    /// Named targets the request cannot act on, in the order written.
    public var refusals: [Refusal] = []

    /// The effect of `kind` with `targets` on `subject`.
    public init(_ kind: RequestKind, targets: RequestTargets, on subject: RequestSubject) {
        self.kind = kind
        self.subjectKind = subject.kind
        self.order = subject.units.map(\.name)
        self.targets = targets
        let noun = subject.kind.unitNoun
        let nouns = subject.kind.unitNounPlural
        let byName = Dictionary(subject.units.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func label(_ name: String) -> String { subject.kind == .daemonJob ? "node \(name)" : name }
        var chosen = Set<String>()
        for name in targets.names {
            guard let unit = byName[name] else {
                refusals.append(Refusal(name: name, why: "no \(noun) named \(DNSName.quoted(name))", rule: "names must be \(nouns) of this \(subject.kind.rawValue)"))
                continue
            }
            let why = "\(label(name)) is \(unit.phase.rawValue)"
            switch kind {
            case .cancel:
                if unit.phase.isCancellable { chosen.insert(name) } else {
                    refusals.append(Refusal(name: name, why: why, rule: "only Waiting, Pending or Running \(nouns) are cancelled"))
                }
            case .retry:
                if unit.phase.isRetryable {
                    chosen.insert(name)
                } else if unit.phase == .skipped {
                    let causes = RequestPreview.blockers(of: name, in: subject, byName: byName)
                    if causes.isEmpty {
                        refusals.append(Refusal(name: name, why: why + " and nothing it depends on is Failed or Cancelled",
                                                rule: "a Skipped \(noun) is retried through the failures that skipped it"))
                    } else {
                        rootCauses.append(RootCauses(skipped: name, causes: causes))
                        chosen.formUnion(causes)
                    }
                } else {
                    refusals.append(Refusal(name: name, why: why, rule: "only Failed, Cancelled or Skipped \(nouns) are retried"))
                }
            }
        }
        if targets.all {
            for unit in subject.units where kind == .retry ? unit.phase.isRetryable : unit.phase.isCancellable {
                chosen.insert(unit.name)
            }
        }
        applied = subject.units.map(\.name).filter(chosen.contains)
        for name in applied where kind == .retry {
            nextAttempt[name] = (byName[name]?.attempts ?? 0) + 1
        }
        switch kind {
        case .retry: effectsOfRetry(on: subject, byName: byName)
        case .cancel: effectsOfCancel(on: subject)
        }
    }

    /// True when the request would change no entry or node.
    public var changesNothing: Bool { applied.isEmpty }

    /// Retry: every Skipped entry that becomes runnable again, in spec order.
    public var runnable: [String] { runnableDependents + released }

    /// The Failed or Cancelled entries that keep Skipped entry `name` from running: its Failed or
    /// Cancelled ancestors reached through Skipped ones, and, when FailFast holds it back (the
    /// flow's policy, or its reason says so), every Failed entry. `phase` overrides phases (what
    /// a retry would leave).
    static func blockers(of name: String, in subject: RequestSubject, byName: [String: RequestSubject.Unit],
                         phase: (String) -> EntryPhase? = { _ in nil }) -> [String] {
        func phaseOf(_ n: String) -> EntryPhase? { phase(n) ?? byName[n]?.phase }
        var found = Set<String>()
        var visited: Set<String> = [name]
        var stack = [name]
        while let current = stack.popLast() {
            for dep in byName[current]?.dependencies ?? [] where visited.insert(dep).inserted {
                switch phaseOf(dep) {
                case .failed?, .cancelled?: found.insert(dep)
                case .skipped?: stack.append(dep)
                default: break
                }
            }
        }
        if subject.failurePolicy == .failFast || byName[name]?.reason == .failFast {
            for unit in subject.units where phaseOf(unit.name) == .failed { found.insert(unit.name) }
        }
        return subject.units.map(\.name).filter(found.contains)
    }

    private mutating func effectsOfRetry(on subject: RequestSubject, byName: [String: RequestSubject.Unit]) {
        let retried = Set(applied)
        let downstream = RequestPreview.downstream(of: retried, in: subject)
        // After the retry the applied entries wait to run; Skipped ones are judged afresh.
        let after: (String) -> EntryPhase? = { retried.contains($0) ? .waiting : nil }
        for unit in subject.units where unit.phase == .skipped {
            let left = RequestPreview.blockers(of: unit.name, in: subject, byName: byName, phase: after)
            if left.isEmpty {
                if downstream.contains(unit.name) { runnableDependents.append(unit.name) } else { released.append(unit.name) }
            } else if RequestPreview.blockers(of: unit.name, in: subject, byName: byName).contains(where: retried.contains) {
                stillBlocked.append(StillBlocked(name: unit.name, blockers: left))
            }
        }
    }

    private mutating func effectsOfCancel(on subject: RequestSubject) {
        let stopped = Set(applied)
        let downstream = RequestPreview.downstream(of: stopped, in: subject)
        skipped = subject.units.filter { downstream.contains($0.name) && !stopped.contains($0.name) && $0.phase.isCancellable }.map(\.name)
    }

    /// Entries that depend on any of `names`, directly or through others.
    static func downstream(of names: Set<String>, in subject: RequestSubject) -> Set<String> {
        var dependents: [String: [String]] = [:]
        for unit in subject.units { for d in unit.dependencies { dependents[d, default: []].append(unit.name) } }
        var result = Set<String>()
        var stack = Array(names)
        while let n = stack.popLast() {
            for m in dependents[n] ?? [] where result.insert(m).inserted { stack.append(m) }
        }
        return result
    }
}
