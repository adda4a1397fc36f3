import JobFlowAPI
import Foundation
import Kube
import KubeSandbox
import Orchestrator
import Synchronization
import Testing

/// deploy/rbac.yaml grants what the operator uses, and nothing it does not: the operator runs
/// cluster-wide with leader election (as the Deployment runs it) through failure + retry, cancel,
/// a JobTemplate, a DaemonJob and a foreign-Job conflict, while every API call is recorded.
@Suite struct RBACTests {
    /// One API call: verb, API group, resource (with `/subresource`), namespace, object name.
    struct Access: Hashable, CustomStringConvertible {
        var verb, group, resource: String
        var namespace, name: String?
        var description: String { "\(verb) \(group.isEmpty ? "core" : group)/\(resource) ns=\(namespace ?? "-") name=\(name ?? "-")" }
    }

    /// One rule of a ClusterRole (namespace nil) or a Role (its namespace).
    struct Rule {
        var groups, resources, verbs, names: [String]
        var namespace: String?

        func grants(_ a: Access) -> Bool {
            groups.contains(a.group) && resources.contains(a.resource) && verbs.contains(a.verb)
                && (names.isEmpty || a.name.map(names.contains) == true)
                && (namespace == nil || namespace == a.namespace)
        }
    }

    /// Granted but not called in these scenarios, each with the reason it is still needed.
    static let allowedUnused: Set<String> = [
        // Not an API call: with the OwnerReferencesPermissionEnforcement admission plugin, setting
        // blockOwnerDeletion on a Job's ownerReference needs update on the owner's finalizers.
        "update api.practice.com/jobflows/finalizers",
        "update api.practice.com/daemonjobs/finalizers",
        // EventRecorder patches an Event (count + lastTimestamp) when the same event repeats
        // within its aggregation window: it happens here in most runs, but nothing guarantees it.
        "patch core/events",
    ]

    static func rules() throws -> [Rule] {
        let text = try String(contentsOfFile: Harness.root + "/deploy/rbac.yaml", encoding: .utf8)
        var rules: [Rule] = []
        for object in try JSONValue.parseYAMLDocuments(text) where ["ClusterRole", "Role"].contains(object["kind"]?.stringValue ?? "") {
            let namespace = object["kind"] == "Role" ? object[path: "metadata.namespace"]?.stringValue : nil
            for r in object["rules"]?.arrayValue ?? [] {
                func strings(_ key: String) -> [String] { r[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
                rules.append(Rule(groups: strings("apiGroups"), resources: strings("resources"), verbs: strings("verbs"),
                                  names: strings("resourceNames"), namespace: namespace))
            }
        }
        return rules
    }

    @Test("every call the operator makes is granted by deploy/rbac.yaml, and every grant is used or explained")
    func rbacMatchesTheCode() async throws {
        let h = try await Harness.make(speed: 10)
        _ = try await h.sandbox.client.create(.namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace",
                                                                                   "metadata": ["name": "jobflow-system"]])
        let recorder = AccessRecordingAPI(h.api)
        // As deployed: every namespace, the Lease in the operator's own namespace.
        var configuration = Harness.fastElection(identity: "rbac")
        configuration.namespace = nil
        configuration.leaderElection?.namespace = "jobflow-system"
        let running = try h.startOperator(api: recorder, configuration: configuration)

        // A failure, then a retry of it (Job delete, annotation patch).
        try h.apply(example: "jobflow-failing.yaml")
        _ = try await h.waitForState(flow: "jobflow-failing", "Failed")
        _ = try await h.sandbox.client.patch(CustomResources.jobFlows, namespace: "default", name: "jobflow-failing",
                                             patch: .merge(["metadata": ["annotations": ["api.practice.com/retry": "job2-error-container"]]]))
        try await h.waitFor("attempt 2") { entries(try await h.flow("jobflow-failing"))["job2-error-container"]?["attempts"] == 2 }
        // A template, and a DaemonJob.
        try h.apply(example: "jobflow-example-template.yaml")
        try h.apply(example: "daemonjob-example.yaml")
        _ = try await h.waitForState(flow: "jobflow-example-template", "Succeed")
        _ = try await h.waitForState(daemonJob: "daemonjob-example", "Succeed")
        // A request on a DaemonJob (nothing failed, so nothing reruns; the annotation is removed).
        _ = try await h.sandbox.client.patch(CustomResources.daemonJobs, namespace: "default", name: "daemonjob-example",
                                             patch: .merge(["metadata": ["annotations": ["api.practice.com/retry": "*"]]]))
        try await h.waitFor("DaemonJob request handled") {
            try await h.daemonJob("daemonjob-example")[path: "metadata.annotations"]?["api.practice.com/retry"] == nil
        }
        // Cancel of a running flow.
        try h.apply(example: "jobflow-example.yaml")
        try await h.waitFor("job1 started") { entries(try await h.flow("jobflow-example"))["job1"]?["phase"] != "Waiting" }
        _ = try await h.sandbox.client.patch(CustomResources.jobFlows, namespace: "default", name: "jobflow-example",
                                             patch: .merge(["metadata": ["annotations": ["api.practice.com/cancel": "*"]]]))
        _ = try await h.waitForState(flow: "jobflow-example", "Cancelled")
        // A Job with an entry's name that someone else owns (the operator GETs it).
        _ = try await h.sandbox.client.create(.jobs, namespace: "default", object: [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "conflict-a"],
            "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox", "command": ["sleep", "1000s"]]]]]],
        ])
        _ = try await h.sandbox.client.create(CustomResources.jobFlows, namespace: "default", object: [
            "apiVersion": "api.practice.com/v1alpha1", "kind": "JobFlow", "metadata": ["name": "conflict"],
            "spec": ["flows": [["name": "a", "jobTemplate": ["template": ["spec": ["restartPolicy": "Never",
                "containers": [["name": "c", "image": "busybox", "command": ["sleep", "1s"]]]]]]]]],
        ])
        try await h.waitFor("JobConflict") { entries(try await h.flow("conflict"))["a"]?["reason"] == "JobConflict" }
        await running.stop()
        await h.stop()

        let accesses = recorder.accesses.withLock { $0 }
        let rules = try RBACTests.rules()
        let denied = accesses.filter { a in !rules.contains { $0.grants(a) } }
        #expect(denied.isEmpty, "calls deploy/rbac.yaml does not grant:\n\(denied.map(\.description).sorted().joined(separator: "\n"))")

        var unused: [String] = []
        for rule in rules {
            for group in rule.groups {
                for resource in rule.resources {
                    for verb in rule.verbs {
                        let used = accesses.contains { rule.grants($0) && $0.group == group && $0.resource == resource && $0.verb == verb }
                        let label = "\(verb) \(group.isEmpty ? "core" : group)/\(resource)"
                        if !used && !RBACTests.allowedUnused.contains(label) { unused.append(label) }
                    }
                }
            }
        }
        #expect(unused.isEmpty, """
            granted but never used (drop them, or explain them in allowedUnused): \(unused)
            calls made:
            \(Set(accesses.map { "\($0.verb) \($0.group)/\($0.resource)" }).sorted().joined(separator: "\n"))
            """)
        // No call touched Secrets, and the Lease was the only coordination object.
        #expect(!accesses.contains { $0.resource.hasPrefix("secrets") })
        #expect(accesses.filter { $0.group == "coordination.k8s.io" }.allSatisfy { $0.namespace == "jobflow-system" })
    }
}

/// A `KubeAPI` wrapper that records every call as an RBAC access.
final class AccessRecordingAPI: KubeAPI, Sendable {
    let base: any KubeAPI
    let accesses = Mutex<[RBACTests.Access]>([])

    init(_ base: any KubeAPI) { self.base = base }

    private func note(_ verb: String, _ resource: Resource, _ namespace: String?, _ name: String?, _ subresource: String? = nil) {
        let access = RBACTests.Access(verb: verb, group: resource.group, resource: resource.plural + (subresource.map { "/" + $0 } ?? ""),
                                      namespace: resource.namespaced ? namespace : nil, name: name)
        accesses.withLock { $0.append(access) }
    }

    func get(_ resource: Resource, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
        note("get", resource, namespace, name, subresource)
        return try await base.get(resource, namespace: namespace, name: name, subresource: subresource)
    }
    func list(_ resource: Resource, namespace: String?, options: ListOptions) async throws -> ObjectList {
        note("list", resource, namespace, nil)
        return try await base.list(resource, namespace: namespace, options: options)
    }
    func watch(_ resource: Resource, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        note("watch", resource, namespace, nil)
        return try await base.watch(resource, namespace: namespace, options: options)
    }
    func create(_ resource: Resource, namespace: String?, object: JSONValue, options: WriteOptions) async throws -> JSONValue {
        note("create", resource, namespace, nil)
        return try await base.create(resource, namespace: namespace, object: object, options: options)
    }
    func update(_ resource: Resource, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        note("update", resource, namespace, object[path: "metadata.name"]?.stringValue, subresource)
        return try await base.update(resource, namespace: namespace, object: object, subresource: subresource, options: options)
    }
    func patch(_ resource: Resource, namespace: String?, name: String, patch: Patch, subresource: String?, options: PatchOptions) async throws -> JSONValue {
        note("patch", resource, namespace, name, subresource)
        return try await base.patch(resource, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options)
    }
    func delete(_ resource: Resource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        note("delete", resource, namespace, name)
        return try await base.delete(resource, namespace: namespace, name: name, options: options)
    }
}
