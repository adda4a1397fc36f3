import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Orchestrator
import Testing

@Suite("Operator end to end: JobFlow examples", .serialized)
struct FlowExampleTests {
    static let seedDependencies: [String: [String]] = [
        "job1": [], "job2": ["job1"], "job3": ["job1", "job2"], "job4": [], "job5": ["job4", "job2"],
    ]

    @Test("jobflow-example: every Job rendered, created only after its dependencies, flow Succeed")
    func seedFlow() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "jobflow-example.yaml")
        var states: [String] = []
        var flow: JSONValue = .null
        try await h.waitFor("jobflow-example Succeed") {
            flow = try await h.flow("jobflow-example")
            if let state = flow[path: "status.state"]?.stringValue, states.last != state { states.append(state) }
            return states.last == "Succeed"
        }
        // Transitions only move forward (polling may miss the short Pending).
        #expect(states == ["Pending", "Running", "Succeed"] || states == ["Running", "Succeed"], "\(states)")

        let jobs = try await h.jobs(selector: "api.practice.com/jobflow=jobflow-example")
        #expect(Set(jobs.compactMap { $0[path: "metadata.name"]?.stringValue })
                == Set(Self.seedDependencies.keys.map { "jobflow-example-\($0)" }))
        for job in jobs {
            #expect(job[path: "metadata.labels.key1"] == "value1")
            #expect(job[path: "metadata.annotations.key2"] == "value2")
            #expect(job[path: "metadata.annotations"]?["api.practice.com/attempt"] == "1")
            #expect(job[path: "metadata.ownerReferences"]?[0]?["kind"] == "JobFlow")
            #expect(job[path: "metadata.ownerReferences"]?[0]?["controller"] == true)
            let pod = job[path: "spec.template"]
            #expect(pod?[path: "metadata.labels.key1"] == "value1")
            #expect(pod?[path: "metadata.labels"]?["api.practice.com/jobflow"] == "jobflow-example")
            #expect(pod?[path: "spec.nodeName"] == "minikube")
            #expect(pod?[path: "spec.restartPolicy"] == "Never")
            let env = pod?[path: "spec.containers"]?[0]?["env"]?.arrayValue ?? []
            #expect(env.contains(["name": "FOO", "value": "bar"]))
            #expect(env.contains(["name": "QUE", "value": "pasa"]))
            #expect(isComplete(job))
        }
        // Order: every create saw all its dependencies' Jobs Complete.
        let creates = h.api.successfulCreates()
        #expect(creates.count == 5)
        for create in creates {
            let entry = String(create.name.dropFirst("jobflow-example-".count))
            for dependency in Self.seedDependencies[entry] ?? [] {
                #expect(create.completeBefore.contains("jobflow-example-\(dependency)"), "\(create.name) created before \(dependency) completed")
            }
        }
        #expect(h.api.duplicates.isEmpty)
        // Status.
        let all = entries(flow)
        #expect(all.count == 5)
        #expect(all.values.allSatisfy { $0["phase"] == "Succeed" })
        #expect(flow[path: "status.progress"] == "5/5")
        let conditions = flow[path: "status.conditions"]?.arrayValue ?? []
        #expect(conditions.contains { $0["type"] == "Complete" && $0["status"] == "True" })
        // Pods ran on the pinned node.
        let pods = try await h.pods(selector: "api.practice.com/jobflow=jobflow-example")
        #expect(!pods.isEmpty && pods.allSatisfy { $0[path: "spec.nodeName"] == "minikube" })
        let latency = running.op.reactionLatency
        #expect(latency.count > 0)
        print("reaction latency (in-process): \(latency.count) samples, p50 \(latency.p50 ?? .zero), p99 \(latency.p99 ?? .zero)")
        await running.stop()
        await h.stop()
    }

    @Test("jobflow-example-template: Jobs rendered from the JobTemplates, flow Succeed")
    func templateFlow() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "jobflow-example-template.yaml")
        let flow = try await h.waitForState(flow: "jobflow-example-template", "Succeed")
        #expect(entries(flow).values.allSatisfy { $0["phase"] == "Succeed" })
        let jobs = try await h.jobs(selector: "api.practice.com/jobflow=jobflow-example-template")
        #expect(jobs.count == 2)
        for job in jobs {
            #expect(job[path: "spec.template.spec.containers"]?[0]?["command"] == ["sh", "-c", "sleep 10s"])
            #expect(job[path: "spec.template.metadata.labels.key2"] == "value2")
        }
        let job2 = h.api.successfulCreates().first { $0.name == "jobflow-example-template-job2" }
        #expect(job2?.completeBefore.contains("jobflow-example-template-job1") == true)
        await running.stop()
        await h.stop()
    }

    @Test("jobflow-example-error: the unknown dependency is reported as Valid=False and nothing runs")
    func seedErrorFlow() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "jobflow-example-error.yaml")
        let flow = try await h.waitForState(flow: "jobflow-example-error", "Failed")
        let valid = (flow[path: "status.conditions"]?.arrayValue ?? []).first { $0["type"] == "Valid" }
        #expect(valid?["status"] == "False")
        #expect(valid?["reason"] == "UnknownDependency")
        #expect(valid?["message"]?.stringValue?.contains("job2") == true)
        #expect(try await h.jobs(selector: "api.practice.com/jobflow=jobflow-example-error").isEmpty)
        await running.stop()
        await h.stop()
    }

    @Test("a corrected failing flow: the failure skips its dependents, the independent branch still runs")
    func correctedFailingFlow() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "jobflow-failing.yaml")
        let flow = try await h.waitForState(flow: "jobflow-failing", "Failed")
        let all = entries(flow)
        #expect(all["job1"]?["phase"] == "Succeed")
        #expect(all["job2-error-container"]?["phase"] == "Failed")
        #expect(all["job2-error-container"]?["exitCode"] == 1)
        #expect(all["job3"]?["phase"] == "Skipped")
        #expect(all["job3"]?["reason"] == "UpstreamFailed")
        #expect(all["job4"]?["phase"] == "Succeed")
        let names = Set(try await h.jobs(selector: "api.practice.com/jobflow=jobflow-failing").compactMap { $0[path: "metadata.name"]?.stringValue })
        #expect(names == ["jobflow-failing-job1", "jobflow-failing-job2-error-container", "jobflow-failing-job4"])
        await running.stop()
        await h.stop()
    }
}
