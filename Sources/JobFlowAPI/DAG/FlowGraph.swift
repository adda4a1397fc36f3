/// The dependency graph of a flow: entries by name, edges from an entry to its dependencies.
///
/// Built from names only, so the same graph serves validation and planning. Every algorithm is
/// iterative: a hostile 100 000-entry chain does not overflow the stack.
public struct FlowGraph: Sendable, Hashable {
    /// Entry names in spec order (first occurrence of each name).
    public let names: [String]
    /// For each entry (by position in `names`), the positions of its known dependencies.
    let dependencies: [[Int]]
    let index: [String: Int]

    /// A graph over `entries` (name, dependencies). Duplicate names keep the first entry; unknown
    /// and self dependencies are left out (validation reports them).
    public init(_ entries: [(name: String, dependencies: [String])]) {
        var names: [String] = []
        var index: [String: Int] = [:]
        var firstDeps: [[String]] = []
        for entry in entries where index[entry.name] == nil {
            index[entry.name] = names.count
            names.append(entry.name)
            firstDeps.append(entry.dependencies)
        }
        var deps: [[Int]] = []
        deps.reserveCapacity(names.count)
        for (i, list) in firstDeps.enumerated() {
            var seen = Set<Int>()
            var resolved: [Int] = []
            for d in list {
                if let j = index[d], j != i, seen.insert(j).inserted { resolved.append(j) }
            }
            deps.append(resolved)
        }
        self.names = names
        self.index = index
        self.dependencies = deps
    }

    public init(_ flows: [FlowEntry]) {
        self.init(flows.map { (name: $0.name, dependencies: $0.dependencies) })
    }

    /// The known dependencies of `name`, in spec order.
    public func dependencies(of name: String) -> [String] {
        guard let i = index[name] else { return [] }
        return dependencies[i].map { names[$0] }
    }

    /// The entries that list `name` as a dependency, in spec order.
    public func dependents(of name: String) -> [String] {
        guard let i = index[name] else { return [] }
        return names.indices.filter { dependencies[$0].contains(i) }.map { names[$0] }
    }

    /// Kahn's algorithm: entries ordered so that every entry comes after its dependencies; ties
    /// keep spec order. Entries on or behind a cycle are missing from the result.
    public func topologicalOrder() -> [String] {
        var indegree = dependencies.map(\.count)
        var dependents = Array(repeating: [Int](), count: names.count)
        for (i, deps) in dependencies.enumerated() { for d in deps { dependents[d].append(i) } }
        // A min-heap would give strict spec order among ready entries; a sorted frontier is enough
        // at the sizes a CRD allows and keeps the order deterministic.
        var ready = indegree.indices.filter { indegree[$0] == 0 }
        var order: [Int] = []
        order.reserveCapacity(names.count)
        var cursor = 0
        while cursor < ready.count {
            let n = ready[cursor]
            cursor += 1
            order.append(n)
            for m in dependents[n] {
                indegree[m] -= 1
                if indegree[m] == 0 { ready.append(m) }
            }
        }
        return order.map { names[$0] }
    }

    /// Every distinct cycle, each in execution order and closed (`["job1", "job2", "job3", "job1"]`:
    /// job2 depends on job1, job3 on job2, job1 on job3), starting at the entry that comes first in
    /// the spec. Each cycle is reported once.
    public func cycles() -> [[String]] {
        let ordered = Set(topologicalOrder().compactMap { index[$0] })
        let remaining = names.indices.filter { !ordered.contains($0) }
        guard !remaining.isEmpty else { return [] }
        let inRemaining = Set(remaining)
        var visitedBy = Array(repeating: -1, count: names.count)
        var result: [[Int]] = []
        for start in remaining where visitedBy[start] == -1 {
            // Walk dependency edges inside the remaining set; every remaining entry has one, so
            // the walk ends on an entry seen before. Only a walk that meets itself found a new cycle.
            var path: [Int] = []
            var position: [Int: Int] = [:]
            var current = start
            while visitedBy[current] == -1 {
                visitedBy[current] = start
                position[current] = path.count
                path.append(current)
                guard let next = dependencies[current].first(where: { inRemaining.contains($0) }) else { break }
                current = next
            }
            guard visitedBy[current] == start, let at = position[current] else { continue }
            // `path[at...]` follows "depends on"; reverse it to read in execution order.
            var cycle = Array(path[at...].reversed())
            let first = cycle.indices.min { cycle[$0] < cycle[$1] }!
            cycle = Array(cycle[first...] + cycle[..<first])
            result.append(cycle + [cycle[0]])
        }
        return result.sorted { $0[0] < $1[0] }.map { $0.map { names[$0] } }
    }
}
