import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Orchestrator
import Testing

@Suite("Operator end to end: many flows at once")
struct ScaleTests {
    @Test("fifty copies of the seed flow: every one Succeed, 250 Jobs, no duplicate, dependency order kept")
    func fiftyFlows() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        let text = try String(contentsOfFile: Harness.root + "/examples/jobflow-example.yaml", encoding: .utf8)
        var flow = try JSONValue.parseYAML(text)
        for i in 0..<50 {
            flow[path: "metadata.name"] = .string("flow-\(i)")
            try h.sandbox.apply(object: flow)
        }
        try await h.waitFor("all fifty Succeed", timeout: .seconds(120)) {
            let flows = try await h.sandbox.client.list(CustomResources.jobFlows, namespace: "default").items
            return flows.count == 50 && flows.allSatisfy { $0[path: "status.state"] == "Succeed" }
        }
        let creates = h.api.successfulCreates()
        #expect(creates.count == 250)
        #expect(h.api.duplicates.isEmpty)
        for create in creates {
            guard let range = create.name.range(of: "-job") else { continue }
            let prefix = String(create.name[..<range.lowerBound])
            let entry = String(create.name[range.lowerBound...].dropFirst())
            for dependency in FlowExampleTests.seedDependencies[entry] ?? [] {
                #expect(create.completeBefore.contains("\(prefix)-\(dependency)"))
            }
        }
        // Reaction latency here includes CPU starvation by the sandbox's simulated control plane
        // (in a debug build, ObjectCache.snapshot re-sorts every Job/pod on each loop and can take
        // both cores): it varies between ~0.1 s and several seconds run to run. No bound is asserted.
        let latency = running.op.reactionLatency
        print("reconciles \(running.op.status.reconciles), failed \(running.op.status.failures)")
        print("reaction latency (50 flows, in-process): \(latency.count) samples, p50 \(latency.p50 ?? .zero), p99 \(latency.p99 ?? .zero), max \(latency.maximum ?? .zero)")
        await running.stop()
        await h.stop()
    }
}
