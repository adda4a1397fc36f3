import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Orchestrator
import Testing

@Suite("Operator end to end: examples beyond the seed", .serialized)
struct FeatureExampleTests {
    @Test("jobflow-failfast: after the failure nothing new starts; the running entry finishes")
    func failFast() async throws {
        let h = try await Harness.make(speed: 20)
        let running = try h.startOperator()
        try h.apply(example: "jobflow-failfast.yaml")
        let flow = try await h.waitForState(flow: "jobflow-failfast", "Failed")
        let all = entries(flow)
        #expect(all["broken"]?["phase"] == "Failed")
        #expect(all["broken"]?["exitCode"] == 3)
        #expect(all["slow"]?["phase"] == "Succeed")
        #expect(all["later"]?["phase"] == "Skipped")
        #expect(all["later"]?["reason"] == "FailFast")
        #expect(!h.api.successfulCreates().contains { $0.name == "jobflow-failfast-later" })
        await running.stop()
        await h.stop()
    }

    @Test("jobflow-shared-volume: the volume and mounts only where shareVolumeMounts names them")
    func sharedVolume() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "jobflow-shared-volume.yaml")
        _ = try await h.waitForState(flow: "jobflow-shared-volume", "Succeed")
        for entry in ["produce", "consume"] {
            let job = try await h.get(.jobs, "jobflow-shared-volume-\(entry)")
            let volumes = job[path: "spec.template.spec.volumes"]?.arrayValue ?? []
            #expect(volumes.contains { $0["name"] == "work" && $0["emptyDir"] != nil })
            let mounts = job[path: "spec.template.spec.containers"]?[0]?["volumeMounts"]?.arrayValue ?? []
            #expect(mounts.contains { $0["name"] == "work" && $0["mountPath"] == "/work" })
        }
        let consume = try await h.get(.jobs, "jobflow-shared-volume-consume")
        #expect(consume[path: "spec.template.spec.containers"]?[0]?["volumeMounts"]?[0]?["readOnly"] == true)
        let unrelated = try await h.get(.jobs, "jobflow-shared-volume-unrelated")
        let volumes = unrelated[path: "spec.template.spec.volumes"]?.arrayValue ?? []
        #expect(volumes.isEmpty)
        await running.stop()
        await h.stop()
    }

    @Test("jobflow-same-node: every Job and pod of the flow runs on the node globalParams names")
    func sameNode() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        try h.apply(example: "jobflow-same-node.yaml")
        let flow = try await h.waitForState(flow: "jobflow-same-node", "Succeed")
        for entry in ["download", "process", "report"] {
            let job = try await h.get(.jobs, "jobflow-same-node-\(entry)")
            #expect(job[path: "spec.template.spec.nodeName"] == "node1")
            #expect(job[path: "spec.template.metadata.labels.app"] == "same-node-demo")
        }
        let pods = try await h.sandbox.client.list(.pods, namespace: "default").items
            .filter { $0[path: "metadata.labels"]?["api.practice.com/jobflow"] == "jobflow-same-node" }
        #expect(pods.count == 3)
        #expect(pods.allSatisfy { $0[path: "spec.nodeName"] == "node1" })
        let nodes = Set((flow[path: "status.jobs"]?.arrayValue ?? []).compactMap { $0["nodeName"]?.stringValue })
        #expect(nodes == ["node1"])
        await running.stop()
        await h.stop()
    }

    @Test("a labelled Job whose JobFlow owner does not exist disturbs nothing")
    func hostileObjects() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        _ = try await h.sandbox.client.create(.jobs, namespace: "default", object: [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": ["name": "stray", "labels": ["api.practice.com/jobflow": "nobody"],
                         "ownerReferences": [["apiVersion": "api.practice.com/v1alpha1", "kind": "JobFlow", "name": "ghost",
                                              "uid": "0000", "controller": true]]],
            "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox", "command": ["sh", "-c", "true"]]]]]],
        ])
        try h.apply(example: "jobflow-example-template.yaml")
        _ = try await h.waitForState(flow: "jobflow-example-template", "Succeed")
        #expect(running.op.status.isLeading)
        await running.stop()
        await h.stop()
    }

    @Test("a foreign Job holding an entry's name is a JobConflict: nothing adopted, no create loop")
    func foreignJobConflict() async throws {
        let h = try await Harness.make()
        _ = try await h.sandbox.client.create(.jobs, namespace: "default", object: [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": ["name": "jobflow-example-template-job1"],
            "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox", "command": ["sh", "-c", "sleep 1000s"]]]]]],
        ])
        let running = try h.startOperator()
        try h.apply(example: "jobflow-example-template.yaml")
        try await h.waitFor("JobConflict reported") {
            entries(try await h.flow("jobflow-example-template"))["job1"]?["reason"] == "JobConflict"
        }
        let flow = try await h.flow("jobflow-example-template")
        #expect(entries(flow)["job2"]?["phase"] == "Waiting")
        // Give a busy loop every chance to show itself, then count the create attempts.
        try await Task.sleep(for: .milliseconds(500))
        let attempts = h.api.creates.withLock { $0 }.filter { $0.name == "jobflow-example-template-job1" }
        #expect(attempts.count <= 2)
        #expect(attempts.allSatisfy { !$0.succeeded })
        let job = try await h.get(.jobs, "jobflow-example-template-job1")
        #expect(job[path: "metadata.ownerReferences"] == nil)
        await running.stop()
        await h.stop()
    }

    @Test("a failed status write stops the plan: no Job is created before a status write succeeded, and the key is retried")
    func stopsAtFirstFailure() async throws {
        let h = try await Harness.make()
        h.api.failStatusWrites.withLock { $0 = 3 }
        let running = try h.startOperator()
        try h.apply(example: "jobflow-example-template.yaml")
        _ = try await h.waitForState(flow: "jobflow-example-template", "Succeed")
        let writes = h.api.writes.withLock { $0 }
        let firstCreate = try #require(writes.firstIndex { $0.hasPrefix("create jobs/") })
        let firstStatus = try #require(writes.firstIndex { $0.hasPrefix("update jobflows/jobflow-example-template/status ok") })
        #expect(firstStatus < firstCreate)
        #expect(writes.prefix(3).allSatisfy { $0.hasSuffix("/status failed") })
        #expect(running.op.status.failures >= 3)
        #expect(h.api.duplicates.isEmpty)
        // Events reached the API server.
        try await h.waitFor("JobCreated events") {
            try await h.sandbox.client.list(.events, namespace: "default").items.contains { $0["reason"] == "JobCreated" }
        }
        await running.stop()
        await h.stop()
    }

    @Test("a missing JobTemplate: the entry waits (TemplateNotFound) and starts when the template appears")
    func templateAppearsLater() async throws {
        let h = try await Harness.make()
        let running = try h.startOperator()
        let text = try String(contentsOfFile: Harness.root + "/examples/jobflow-example-template.yaml", encoding: .utf8)
        let documents = try JSONValue.parseYAMLDocuments(text)
        let flowDocument = try #require(documents.first { $0["kind"] == "JobFlow" })
        try h.sandbox.apply(object: flowDocument)
        try await h.waitFor("TemplateNotFound") {
            entries(try await h.flow("jobflow-example-template"))["job1"]?["reason"] == "TemplateNotFound"
        }
        #expect(h.api.successfulCreates().isEmpty)
        for template in documents where template["kind"] == "JobTemplate" { try h.sandbox.apply(object: template) }
        _ = try await h.waitForState(flow: "jobflow-example-template", "Succeed")
        #expect(h.api.successfulCreates().count == 2)
        await running.stop()
        await h.stop()
    }

    @Test("cluster-wide (namespace nil): flows in two namespaces, templates resolved in each flow's own namespace")
    func clusterWide() async throws {
        let h = try await Harness.make()
        for ns in ["team-a", "team-b"] {
            _ = try await h.sandbox.client.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        var configuration = OperatorConfiguration(namespace: nil, identity: "cluster-wide", leaseNamespace: "default", leaderElection: false)
        configuration.workers = 2
        let running = try h.startOperator(configuration: configuration)
        let text = try String(contentsOfFile: Harness.root + "/examples/jobflow-example-template.yaml", encoding: .utf8)
        for ns in ["team-a", "team-b"] {
            for var document in try JSONValue.parseYAMLDocuments(text) {
                document[path: "metadata.namespace"] = .string(ns)
                try h.sandbox.apply(object: document)
            }
        }
        try await h.waitFor("both flows Succeed") {
            var done = 0
            for ns in ["team-a", "team-b"] {
                let flow = try await h.sandbox.client.get(CustomResources.jobFlows, namespace: ns, name: "jobflow-example-template")
                if flow[path: "status.state"] == "Succeed" { done += 1 }
            }
            return done == 2
        }
        for ns in ["team-a", "team-b"] {
            let jobs = try await h.sandbox.client.list(.jobs, namespace: ns, options: ListOptions()).items
            #expect(jobs.count == 2)
        }
        await running.stop()
        await h.stop()
    }
}
