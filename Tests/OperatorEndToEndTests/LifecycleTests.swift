import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Orchestrator
import Testing

@Suite("Operator end to end: DaemonJob, requests, deletion, restarts, leadership, HTTP", .serialized)
struct LifecycleTests {
    @Test("daemonjob-example: one pinned Job on minikube and node3; node1, node2 skipped as Excluded")
    func daemonJob() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "daemonjob-example.yaml")
        let dj = try await h.waitForState(daemonJob: "daemonjob-example", "Succeed")
        let jobs = try await h.jobs(selector: "api.practice.com/daemonjob=daemonjob-example")
        #expect(Set(jobs.compactMap { $0[path: "metadata.name"]?.stringValue })
                == ["daemonjob-example-minikube", "daemonjob-example-node3"])
        for job in jobs {
            let node = job[path: "metadata.annotations"]?["api.practice.com/node"]?.stringValue
            let term = job[path: "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"]?[0]
            #expect(term?["matchFields"]?[0]?["values"] == .array([.string(node ?? "?")]))
            #expect(job[path: "spec.template.spec.restartPolicy"] == "Never")
            #expect(job[path: "metadata.labels.key1"] == "value1")
            let env = job[path: "spec.template.spec.containers"]?[0]?["env"]?.arrayValue ?? []
            #expect(env.contains(["name": "FOO", "value": "bar"]))
        }
        let pods = try await h.pods(selector: "api.practice.com/daemonjob=daemonjob-example")
        #expect(Set(pods.compactMap { $0[path: "spec.nodeName"]?.stringValue }) == ["minikube", "node3"])
        let skipped = dj[path: "status.skippedNodes"]?.arrayValue ?? []
        #expect(Set(skipped.compactMap { $0["node"]?.stringValue }) == ["node1", "node2"])
        #expect(skipped.allSatisfy { $0["reason"] == "Excluded" })
        await running.stop()
        await h.stop()
    }

    @Test("DaemonJob cancel of one node (Job deleted, node Cancelled, the other finishes), then retry of it (attempt 2, Succeed)")
    func daemonJobCancel() async throws {
        let h = try await Harness.make(speed: 25)
        let running = try h.startOperator()
        try h.apply(example: "daemonjob-example.yaml")
        try await h.waitFor("both nodes running") {
            let nodes = try await h.daemonJob("daemonjob-example")[path: "status.nodes"]?.arrayValue ?? []
            return nodes.count == 2 && nodes.allSatisfy { $0["phase"] == "Running" }
        }
        _ = try await h.sandbox.client.patch(CustomResources.daemonJobs, namespace: "default", name: "daemonjob-example",
                                             patch: .merge(["metadata": ["annotations": ["api.practice.com/cancel": "node3"]]]))
        var dj: JSONValue = .null
        try await h.waitFor("a final state") {
            dj = try await h.daemonJob("daemonjob-example")
            return ["Succeed", "Failed", "Cancelled"].contains(dj[path: "status.state"]?.stringValue ?? "")
        }
        let nodes = Dictionary((dj[path: "status.nodes"]?.arrayValue ?? []).compactMap { n in n["node"]?.stringValue.map { ($0, n) } },
                               uniquingKeysWith: { a, _ in a })
        #expect(nodes["node3"]?["phase"] == "Cancelled")
        #expect(nodes["minikube"]?["phase"] == "Succeed")
        #expect(try await !h.jobs().contains { $0[path: "metadata.name"] == "daemonjob-example-node3" })
        // Retry the cancelled node: attempt 2 runs there and the DaemonJob succeeds.
        _ = try await h.sandbox.client.patch(CustomResources.daemonJobs, namespace: "default", name: "daemonjob-example",
                                             patch: .merge(["metadata": ["annotations": ["api.practice.com/retry": "node3"]]]))
        let done = try await h.waitForState(daemonJob: "daemonjob-example", "Succeed")
        let node3 = (done[path: "status.nodes"]?.arrayValue ?? []).first { $0["node"] == "node3" }
        #expect(node3?["attempts"] == 2)
        #expect(try await h.get(.jobs, "daemonjob-example-node3")[path: "metadata.annotations"]?["api.practice.com/attempt"] == "2")
        await running.stop()
        await h.stop()
    }

    @Test("a node that joins gets its DaemonJob Job (node events reach every DaemonJob)")
    func nodeJoins() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "daemonjob-example.yaml")
        _ = try await h.waitForState(daemonJob: "daemonjob-example", "Succeed")
        var node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "node4"]]
        node = try await h.sandbox.client.create(.nodes, namespace: nil, object: node)
        node["status"] = ["conditions": [["type": "Ready", "status": "True"]]]
        _ = try await h.sandbox.client.updateStatus(.nodes, namespace: nil, object: node)
        try await h.waitFor("a Job for node4") {
            try await h.jobs().contains { $0[path: "metadata.name"] == "daemonjob-example-node4" }
        }
        await running.stop()
        await h.stop()
    }

    @Test("retry: a failed entry gets attempt 2 (old Job replaced), the annotation is removed")
    func retry() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "jobflow-failing.yaml")
        _ = try await h.waitForState(flow: "jobflow-failing", "Failed")
        _ = try await h.sandbox.client.patch(CustomResources.jobFlows, namespace: "default", name: "jobflow-failing",
                                             patch: .merge(["metadata": ["annotations": ["api.practice.com/retry": "job2-error-container"]]]))
        try await h.waitFor("attempt 2 finished") {
            let e = entries(try await h.flow("jobflow-failing"))["job2-error-container"]
            return e?["attempts"] == 2 && e?["phase"] == "Failed"
        }
        let flow = try await h.flow("jobflow-failing")
        #expect(flow[path: "metadata.annotations"]?["api.practice.com/retry"] == nil)
        #expect(flow[path: "status.state"] == "Failed")
        let job = try await h.get(.jobs, "jobflow-failing-job2-error-container")
        #expect(job[path: "metadata.annotations"]?["api.practice.com/attempt"] == "2")
        #expect(entries(flow)["job2-error-container"]?["previous"]?["attempt"] == 1)
        let creates = h.api.successfulCreates().filter { $0.name == "jobflow-failing-job2-error-container" }
        #expect(creates.count == 2)
        await running.stop()
        await h.stop()
    }

    @Test("cancel *: running work is deleted, the flow ends Cancelled")
    func cancel() async throws {
        let h = try await Harness.make(speed: 10)
        let running = try h.startOperator()
        try h.apply(example: "jobflow-example.yaml")
        try await h.waitFor("job2 running") {
            entries(try await h.flow("jobflow-example"))["job2"]?["phase"] == "Running"
        }
        _ = try await h.sandbox.client.patch(CustomResources.jobFlows, namespace: "default", name: "jobflow-example",
                                             patch: .merge(["metadata": ["annotations": ["api.practice.com/cancel": "*"]]]))
        let flow = try await h.waitForState(flow: "jobflow-example", "Cancelled")
        #expect(entries(flow)["job2"]?["phase"] == "Cancelled")
        try await h.waitFor("job2's Job deleted") {
            try await !h.jobs().contains { $0[path: "metadata.name"] == "jobflow-example-job2" }
        }
        try await h.waitFor("annotation removed") {
            try await h.flow("jobflow-example")[path: "metadata.annotations"]?["api.practice.com/cancel"] == nil
        }
        #expect(!h.api.successfulCreates().contains { $0.name == "jobflow-example-job3" })
        await running.stop()
        await h.stop()
    }

    @Test("deleting a flow removes its Jobs and pods")
    func deletion() async throws {
        let h = try await Harness.make(speed: 10)
        let running = try h.startOperator()
        try h.apply(example: "jobflow-example.yaml")
        try await h.waitFor("job2 running") {
            entries(try await h.flow("jobflow-example"))["job2"]?["phase"] == "Running"
        }
        _ = try await h.sandbox.client.delete(CustomResources.jobFlows, namespace: "default", name: "jobflow-example",
                                              options: DeleteOptions(propagationPolicy: .background))
        try await h.waitFor("Jobs and pods gone") {
            let jobs = try await h.jobs(selector: "api.practice.com/jobflow=jobflow-example")
            let pods = try await h.pods(selector: "api.practice.com/jobflow=jobflow-example")
            return jobs.isEmpty && pods.isEmpty
        }
        await running.stop()
        await h.stop()
    }

    @Test("an operator restarted mid-flow finishes it without a duplicate Job")
    func restart() async throws {
        let h = try await Harness.make(speed: 40)
        let first = try h.startOperator()
        try h.apply(example: "jobflow-example.yaml")
        try await h.waitFor("job2 created") { h.api.successfulCreates().contains { $0.name == "jobflow-example-job2" } }
        await first.stop()
        let second = try h.startOperator()
        _ = try await h.waitForState(flow: "jobflow-example", "Succeed")
        #expect(h.api.duplicates.isEmpty)
        #expect(h.api.successfulCreates().count == 5)
        await second.stop()
        await h.stop()
    }

    @Test("two operators: one leads, the other stands by and takes over when the first stops")
    func leaderElection() async throws {
        let h = try await Harness.make()
        let a = try h.startOperator(configuration: Harness.fastElection(identity: "op-a"))
        let b = try h.startOperator(configuration: Harness.fastElection(identity: "op-b"))
        try await h.waitFor("a leader") { a.op.status.isLeading || b.op.status.isLeading }
        try h.apply(example: "jobflow-example-template.yaml")
        // Never two leaders while the flow runs.
        var sawBoth = false
        try await h.waitFor("flow done") {
            if a.op.status.isLeading && b.op.status.isLeading { sawBoth = true }
            return try await h.flow("jobflow-example-template")[path: "status.state"] == "Succeed"
        }
        #expect(!sawBoth)
        let (leader, standby) = a.op.status.isLeading ? (a, b) : (b, a)
        #expect(!standby.op.status.isLeading)
        #expect(standby.op.status.holderIdentity == leader.op.configuration.identity)
        await leader.stop()
        let lease = try await h.sandbox.client.get(.leases, namespace: "default", name: "jobflow-operator")
        #expect(lease[path: "spec.holderIdentity"]?.stringValue ?? "" != leader.op.configuration.identity)
        try await h.waitFor("standby takes over") { standby.op.status.isLeading }
        try h.apply(example: "jobflow-failing.yaml")
        _ = try await h.waitForState(flow: "jobflow-failing", "Failed")
        #expect(h.api.duplicates.isEmpty)
        await standby.stop()
        await h.stop()
    }

    @Test("a leader that cannot renew stops its controllers; the standby takes over and finishes the work")
    func leaseLoss() async throws {
        let h = try await Harness.make(speed: 20)
        let partitioned = RecordingAPI(h.sandbox.client)
        let a = try h.startOperator(api: partitioned, configuration: Harness.fastElection(identity: "op-a"))
        try await h.waitFor("a leads") { a.op.status.isLeading }
        let b = try h.startOperator(configuration: Harness.fastElection(identity: "op-b"))
        try h.apply(example: "jobflow-example.yaml")
        try await h.waitFor("job2 created by a") { partitioned.successfulCreates().contains { $0.name == "jobflow-example-job2" } }
        partitioned.failLeaseWrites.withLock { $0 = true }
        try await h.waitFor("a steps down") { !a.op.status.isLeading }
        try await h.waitFor("b leads") { b.op.status.isLeading }
        let createsByA = partitioned.successfulCreates().count
        _ = try await h.waitForState(flow: "jobflow-example", "Succeed")
        #expect(partitioned.successfulCreates().count == createsByA, "a created Jobs after stepping down")
        #expect(!a.op.status.isLeading)
        let all = partitioned.successfulCreates().map(\.name) + h.api.successfulCreates().map(\.name)
        #expect(all.count == 5 && Set(all).count == 5, "duplicate or missing creates: \(all)")
        await b.stop()
        await a.stop()
        await h.stop()
    }

    @Test("over HTTP: KubeClient + CurlTransport against the sandbox's URL runs jobflow-example")
    func overHTTP() async throws {
        let h = try await Harness.make()
        let url = try #require(h.sandbox.url)
        let client = KubeClient(server: url.absoluteString, transport: try CurlTransport(options: TransportOptions(environment: [:])),
                                pacing: nil, logger: Harness.logger("client"))
        let api = RecordingAPI(client)
        let running = try h.startOperator(api: api)
        try h.apply(example: "jobflow-example.yaml")
        _ = try await h.waitForState(flow: "jobflow-example", "Succeed")
        for create in api.successfulCreates() {
            let entry = String(create.name.dropFirst("jobflow-example-".count))
            for dependency in FlowExampleTests.seedDependencies[entry] ?? [] {
                #expect(create.completeBefore.contains("jobflow-example-\(dependency)"))
            }
        }
        #expect(api.successfulCreates().count == 5)
        let latency = running.op.reactionLatency
        print("reaction latency (HTTP): \(latency.count) samples, p50 \(latency.p50 ?? .zero), p99 \(latency.p99 ?? .zero)")
        let jobCreates = h.sandbox.audit.writes.filter { $0.verb == "create" && $0.path.hasPrefix("/apis/batch/v1/namespaces/default/jobs") }
        #expect(jobCreates.filter { $0.code == 201 }.count == 5)
        let statusWrites = h.sandbox.audit.writes.filter { $0.verb == "update" && $0.path.contains("/jobflows/jobflow-example/status") }
        #expect(!statusWrites.isEmpty)
        await running.stop()
        await h.stop()
    }
}
