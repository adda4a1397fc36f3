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
        let latency = running.op.reactionLatency
        print("reaction latency (50 flows, in-process): \(latency.count) samples, p50 \(latency.p50 ?? .zero), p99 \(latency.p99 ?? .zero), max \(latency.maximum ?? .zero)")
        await running.stop()
        await h.stop()
    }
}
