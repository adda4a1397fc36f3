/// Whether an entry that has no Job yet may start, computed from its dependencies' phases.
public enum Readiness: Sendable, Hashable {
    /// Every dependency succeeded.
    case ready
    /// Some dependencies have not succeeded yet (names in spec order).
    case waiting(on: [String])
    /// A dependency failed or was cancelled: `upstream` is the entry where it started, `via` the
    /// direct dependency it came through when that is a different entry.
    case skipped(upstream: String, upstreamPhase: EntryPhase, via: String?)

    /// Readiness of an entry from its dependencies' phases. `skipRoots` maps an already-skipped
    /// entry to the upstream that caused it, so the cause is named transitively.
    public static func of(dependencies: [String], phases: [String: EntryPhase],
                          skipRoots: [String: (name: String, phase: EntryPhase)]) -> Readiness {
        var waiting: [String] = []
        for dep in dependencies {
            let phase = phases[dep] ?? .waiting
            switch phase {
            case .failed, .cancelled:
                return .skipped(upstream: dep, upstreamPhase: phase, via: nil)
            case .skipped:
                let root = skipRoots[dep] ?? (name: dep, phase: .skipped)
                return .skipped(upstream: root.name, upstreamPhase: root.phase, via: root.name == dep ? nil : dep)
            case .succeed:
                continue
            default:
                waiting.append(dep)
            }
        }
        return waiting.isEmpty ? .ready : .waiting(on: waiting)
    }
}
