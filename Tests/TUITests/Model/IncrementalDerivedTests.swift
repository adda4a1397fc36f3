import JobFlowAPI
import Kube
import Testing
@testable import TUI

/// The incremental derived state (overview rows, flow tree) must equal a rebuild from scratch
/// after any sequence of snapshots, sorts, filters and namespace switches.
@Suite struct IncrementalDerivedTests {
    /// A small deterministic generator (tests must not depend on the system's random source).
    struct Seeded {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let states = ["Running", "Failed", "Succeed", "Pending", "Cancelled"]

    func object(_ kind: ResourceKind, _ i: Int, version: Int, state: String, rv: Bool) -> JSONValue {
        var meta: JSONValue = ["name": .string("obj-\(i)"), "namespace": .string("ns-\(i % 3)"), "uid": .string("uid-\(kind.rawValue)-\(i)"),
                               "creationTimestamp": Fixtures.ts(Int64(i * 7 % 50))]
        if rv { meta["resourceVersion"] = .string("\(kind.rawValue)-\(i)-\(version)") }
        return ["metadata": meta, "status": ["state": .string(state), "progress": .string("\(version % 4)/4")]]
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8], [true, false])
    func overviewMatchesRebuild(seed: Int, withResourceVersions rv: Bool) {
        var rng = Seeded(state: UInt64(seed))
        // Object i: (present, version, state).
        var flows = (0..<40).map { _ in (present: true, version: 0, state: "Running") }
        var daemons = (0..<8).map { _ in (present: true, version: 0, state: "Running") }
        var index = OverviewIndex()
        var sort = SortOrder.name, namespace: String?, filter = ""
        for _ in 0..<60 {
            switch rng.next(10) {
            case 0: sort = sort.next
            case 1: namespace = rng.next(2) == 0 ? nil : "ns-\(rng.next(3))"
            case 2: filter = ["", "obj-1", "fail", "daemon", "ns-2/"][rng.next(5)]
            case 3: flows[rng.next(flows.count)].present.toggle()
            default:
                for _ in 0..<rng.next(4) {
                    let k = rng.next(flows.count)
                    flows[k].version += 1
                    flows[k].state = Self.states[rng.next(Self.states.count)]
                }
                let d = rng.next(daemons.count)
                daemons[d].version += 1
                daemons[d].state = Self.states[rng.next(Self.states.count)]
            }
            let jf = flows.enumerated().filter(\.element.present).map { object(.jobFlow, $0.offset, version: $0.element.version, state: $0.element.state, rv: rv) }
            let dj = daemons.enumerated().map { object(.daemonJob, $0.offset, version: $0.element.version, state: $0.element.state, rv: rv) }
            index.update(jobFlows: jf, daemonJobs: dj, sort: sort, namespace: namespace, filter: filter)
            var fresh = OverviewIndex()
            fresh.update(jobFlows: jf, daemonJobs: dj, sort: sort, namespace: namespace, filter: filter)
            #expect(index.displayed == fresh.displayed)
            #expect(index.displayed.map(\.ref) == FlowRow.sorted(fresh.displayed, by: sort).map(\.ref))
        }
    }

    func flow(_ phases: [String], names: [String]? = nil, rv: String) -> JSONValue {
        let names = names ?? phases.indices.map { "e\($0)" }
        let spec: [JSONValue] = names.indices.map { i in
            ["name": .string(names[i]), "dependencies": .array(i == 0 ? [] : [.string(names[(i - 1) / 2])])]
        }
        let status: [JSONValue] = zip(names, phases).map { ["name": .string($0), "phase": .string($1), "podName": .string("pod-\($0)")] }
        return ["metadata": ["name": "f", "namespace": "d", "uid": "u", "resourceVersion": .string(rv)],
                "spec": ["flows": .array(spec)], "status": ["jobs": .array(status)]]
    }

    func same(_ a: FlowTree, _ b: FlowTree) -> Bool {
        a.entries == b.entries && a.parent == b.parent && a.children == b.children && a.roots == b.roots && a.index == b.index
            && a.visibleRows(collapsed: []) == b.visibleRows(collapsed: [])
    }

    @Test func flowTreeUpdatesOnlyChangedEntriesAndMatchesRebuild() {
        var phases = Array(repeating: "Waiting", count: 30)
        var tree = FlowTree(object: flow(phases, rv: "1"))
        var rng = Seeded(state: 42)
        for step in 2..<40 {
            phases[rng.next(phases.count)] = Self.states[rng.next(Self.states.count)]
            let o = flow(phases, rv: "\(step)")
            let next = FlowTree(object: o, previous: tree)
            #expect(same(next, FlowTree(object: o)))
            #expect(next.structure == tree.structure, "a status change keeps the shape")
            tree = next
        }
        // Same version: the very same tree. A renamed entry: a new shape.
        #expect(FlowTree(object: flow(phases, rv: "39"), previous: tree).structure == tree.structure)
        var names = phases.indices.map { "e\($0)" }
        names[5] = "renamed"
        let renamed = flow(phases, names: names, rv: "40")
        let rebuilt = FlowTree(object: renamed, previous: tree)
        #expect(rebuilt.structure != tree.structure)
        #expect(same(rebuilt, FlowTree(object: renamed)))
    }

    @Test func flowViewRowsFollowSnapshotsAndFolding() {
        var s = AppState(mode: .operator, width: 120, height: 40, now: Fixtures.now,
                         snapshot: ClusterSnapshot(context: "c", jobFlows: [flow(Array(repeating: "Waiting", count: 20), rv: "1")]))
        s = run(s, [.key(.enter), .key(.char(" "))]).0
        let folded = s.flowRows().count
        #expect(folded == 1)
        var phases = Array(repeating: "Running", count: 20)
        phases[3] = "Failed"
        s = run(s, [.snapshotChanged(ClusterSnapshot(context: "c", jobFlows: [flow(phases, rv: "2")]))]).0
        #expect(s.flowRows().count == folded)
        #expect(s.flowTree?.entries[3].phase == .failed)
        s = run(s, [.key(.char(" "))]).0
        #expect(s.flowRows().count == 20)
    }
}
