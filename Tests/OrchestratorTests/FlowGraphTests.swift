import JobFlowAPI
import Testing
@testable import Orchestrator

@Suite struct FlowGraphTests {
    /// The seed's five-job flow.
    let seed = FlowGraph([("job1", []), ("job2", ["job1"]), ("job3", ["job1", "job2"]), ("job4", []), ("job5", ["job4", "job2"])])

    @Test func topologicalOrderKeepsDependenciesFirst() {
        let order = seed.topologicalOrder()
        #expect(order.count == 5)
        for name in order {
            for dep in seed.dependencies(of: name) { #expect(order.firstIndex(of: dep)! < order.firstIndex(of: name)!) }
        }
        #expect(seed.cycles().isEmpty)
        #expect(seed.dependents(of: "job2") == ["job3", "job5"])
    }

    @Test func threeNodeCycleIsNamedInOrder() {
        let g = FlowGraph([("job1", ["job3"]), ("job2", ["job1"]), ("job3", ["job2"]), ("job4", ["job1"])])
        #expect(g.cycles() == [["job1", "job2", "job3", "job1"]])
        #expect(g.topologicalOrder().isEmpty)
    }

    @Test func twoSeparateCyclesAreBothReported() {
        let g = FlowGraph([("a", ["b"]), ("b", ["a"]), ("c", ["d"]), ("d", ["c"]), ("e", [])])
        #expect(g.cycles() == [["a", "b", "a"], ["c", "d", "c"]])
    }

    @Test func longChainDoesNotOverflow() {
        let n = 50_000
        var entries: [(name: String, dependencies: [String])] = [("e0", ["e\(n - 1)"])]
        for i in 1..<n { entries.append(("e\(i)", ["e\(i - 1)"])) }
        let g = FlowGraph(entries)
        #expect(g.cycles().count == 1)
        #expect(g.cycles()[0].count == n + 1)
    }

    func readiness(_ name: String, _ phases: [String: EntryPhase]) -> Readiness {
        var roots: [String: (name: String, phase: EntryPhase)] = [:]
        for (n, p) in phases where p == .skipped { roots[n] = ("job1", .failed) }
        return Readiness.of(dependencies: seed.dependencies(of: name), phases: phases, skipRoots: roots)
    }

    @Test func seedFlowReadinessAtEveryStage() {
        // Stage 0: nothing ran.
        var phases: [String: EntryPhase] = [:]
        #expect(readiness("job1", phases) == .ready)
        #expect(readiness("job4", phases) == .ready)
        #expect(readiness("job2", phases) == .waiting(on: ["job1"]))
        #expect(readiness("job3", phases) == .waiting(on: ["job1", "job2"]))
        #expect(readiness("job5", phases) == .waiting(on: ["job4", "job2"]))
        // Stage 1: job1 and job4 succeeded.
        phases = ["job1": .succeed, "job4": .succeed]
        #expect(readiness("job2", phases) == .ready)
        #expect(readiness("job3", phases) == .waiting(on: ["job2"]))
        #expect(readiness("job5", phases) == .waiting(on: ["job2"]))
        // Stage 2: job2 running.
        phases["job2"] = .running
        #expect(readiness("job3", phases) == .waiting(on: ["job2"]))
        // Stage 3: job2 succeeded: job3 and job5 both start.
        phases["job2"] = .succeed
        #expect(readiness("job3", phases) == .ready)
        #expect(readiness("job5", phases) == .ready)
    }

    @Test func failureSkipsDependentsNamingTheUpstream() {
        let phases: [String: EntryPhase] = ["job1": .failed, "job4": .succeed]
        #expect(readiness("job2", phases) == .skipped(upstream: "job1", upstreamPhase: .failed, via: nil))
        // job3 depends on job1 directly.
        #expect(readiness("job3", phases) == .skipped(upstream: "job1", upstreamPhase: .failed, via: nil))
        // job5 reaches job1 only through the skipped job2.
        let later: [String: EntryPhase] = ["job1": .failed, "job2": .skipped, "job4": .succeed]
        #expect(readiness("job5", later) == .skipped(upstream: "job1", upstreamPhase: .failed, via: "job2"))
    }
}
