import Kube
import Synchronization

/// The last object rendered as YAML and its sanitised lines. The YAML view is redrawn on every
/// tick (the header's ages move) while the object rarely changes, and serialising a large Job to
/// YAML each second cost several percent of a core; the memo makes an unchanged object free.
/// A cache of a pure function: sharing it between copies of `AppState` changes no result.
final class YAMLMemo: Sendable {
    private struct Entry {
        var object: JSONValue
        var lines: [(String, Style)]
    }
    private let last = Mutex<Entry?>(nil)

    /// Computations so far (for tests).
    let computed = Atomic<Int>(0)

    /// `object`'s lines, from the memo when it holds the same object (the very same value, or the
    /// same uid and resourceVersion).
    func lines(of object: JSONValue, render: (JSONValue) -> [(String, Style)]) -> [(String, Style)] {
        if let hit = last.withLock({ entry -> [(String, Style)]? in
            guard let entry else { return nil }
            let same = ObjectVersion.identical(entry.object, object)
                || ObjectVersion(object).provesUnchanged(ObjectVersion(entry.object))
            return same ? entry.lines : nil
        }) {
            return hit
        }
        let lines = render(object)
        computed.add(1, ordering: .relaxed)
        last.withLock { $0 = Entry(object: object, lines: lines) }
        return lines
    }
}
