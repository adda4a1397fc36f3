import Foundation
import Kube
import Testing

/// `jobflow-tui install` / `uninstall`: the real binary, against `jobflow-tui sandbox`.
@Suite(.serialized) struct InstallTests {
    @Test func embeddedManifestsAreUpToDateWithDeploy() throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let result = try run(python ?? "/usr/bin/env", (python == nil ? ["python3"] : []) + [Paths.root + "/scripts/embed-manifests.py", "--check"])
        #expect(result.status == 0, """
            Sources/Orchestrator/Install/EmbeddedManifests.swift is out of date with deploy/. \
            Regenerate it with: python3 scripts/embed-manifests.py  (\(result.out)\(result.err))
            """)
    }

    @Test(.enabled(if: Paths.kubectl() != nil)) func printRendersWhatKustomizeRenders() throws {
        let printed = try run(Paths.binary, ["install", "--print"])
        #expect(printed.status == 0, "\(printed.err)")
        let objects = try JSONValue.parseYAMLDocuments(printed.out).filter { !$0.isNull }
        let kustomized = try DeployManifestTests.kustomized()
        let byKey = Dictionary(kustomized.map { (DeployManifestTests.key($0), $0) }, uniquingKeysWith: { a, _ in a })
        #expect(objects.count == kustomized.count)
        for object in objects {
            #expect(byKey[DeployManifestTests.key(object)] == object, "\(DeployManifestTests.key(object)) differs from kubectl kustomize deploy/")
        }
        // CRDs come first, then the namespace.
        #expect(objects.prefix(3).allSatisfy { $0["kind"] == "CustomResourceDefinition" })
        #expect(objects[3]["kind"] == "Namespace")
    }

    @Test func printWithNamespaceMovesEverything() throws {
        let printed = try run(Paths.binary, ["install", "--print", "--namespace", "foo"])
        #expect(printed.status == 0, "\(printed.err)")
        #expect(!printed.out.contains("jobflow-system"))
        let objects = try JSONValue.parseYAMLDocuments(printed.out).filter { !$0.isNull }
        #expect(objects.contains { $0["kind"] == "Namespace" && $0[path: "metadata.name"] == "foo" })
        for kind in ["ServiceAccount", "Deployment", "Role", "RoleBinding", "Service"] {
            let object = objects.first { $0["kind"]?.stringValue == kind }
            #expect(object?[path: "metadata.namespace"] == "foo", "\(kind)")
        }
        for binding in objects where binding["kind"]?.stringValue?.hasSuffix("Binding") == true {
            #expect(binding["subjects"]?[0]?["namespace"] == "foo")
        }
        let bad = try run(Paths.binary, ["install", "--print", "--namespace", "Not_A_Label"])
        #expect(bad.status != 0 && bad.err.contains("DNS-1123"))
    }

    @Test(.enabled(if: Paths.kubectl() != nil)) func installTwiceThenUninstall() throws {
        // A sandbox without the CRDs (the last --crds wins: an empty directory), like a fresh cluster.
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-crds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let sandbox = try SandboxProcess(arguments: ["--crds", empty.path])
        defer { _ = sandbox.stop() }
        let kubeconfig = ["--kubeconfig", sandbox.kubeconfig]
        let before = try run(Paths.kubectl()!, kubeconfig + ["get", "crd", "-o", "name"])
        #expect(before.status == 0 && before.out.isEmpty, "\(before.out)")
        let expected = [
            "customresourcedefinition.apiextensions.k8s.io/jobflows.api.practice.com serverside-applied",
            "customresourcedefinition.apiextensions.k8s.io/daemonjobs.api.practice.com serverside-applied",
            "customresourcedefinition.apiextensions.k8s.io/jobtemplates.api.practice.com serverside-applied",
            "namespace/jobflow-system serverside-applied",
            "serviceaccount/jobflow-operator serverside-applied",
            "clusterrole.rbac.authorization.k8s.io/jobflow-operator serverside-applied",
            "clusterrolebinding.rbac.authorization.k8s.io/jobflow-operator serverside-applied",
            "role.rbac.authorization.k8s.io/jobflow-operator-leader-election serverside-applied",
            "rolebinding.rbac.authorization.k8s.io/jobflow-operator-leader-election serverside-applied",
            "deployment.apps/jobflow-operator serverside-applied",
            "service/jobflow-operator-metrics serverside-applied",
        ]
        // Twice: the second run applies the same intent and changes nothing (kubectl prints the same).
        var resourceVersions: [String] = []
        for _ in 0..<2 {
            let installed = try run(Paths.binary, ["install"] + kubeconfig)
            #expect(installed.status == 0, "\(installed.err)")
            #expect(installed.out.split(separator: "\n").map(String.init) == expected)
            let rv = try run(Paths.kubectl()!, kubeconfig + ["get", "deploy", "jobflow-operator", "-n", "jobflow-system",
                                                              "-o", "jsonpath={.metadata.resourceVersion}"])
            resourceVersions.append(rv.out)
        }
        #expect(resourceVersions[0] == resourceVersions[1], "a repeated install rewrote the Deployment")

        let kubectl = Paths.kubectl()!
        let listed = try run(kubectl, kubeconfig + ["get", "crd,deploy", "-n", "jobflow-system", "-o", "name"])
        #expect(listed.status == 0, "\(listed.err)")
        for name in ["customresourcedefinition.apiextensions.k8s.io/jobflows.api.practice.com", "deployment.apps/jobflow-operator"] {
            #expect(listed.out.contains(name), "\(listed.out)")
        }
        // The new kinds are served: a JobFlow can be created right after install.
        let applied = try run(kubectl, kubeconfig + ["apply", "-f", Paths.root + "/examples/jobflow-example.yaml"])
        #expect(applied.status == 0, "\(applied.err)")
        let managed = try run(kubectl, kubeconfig + ["get", "clusterrole", "jobflow-operator", "-o", "jsonpath={.metadata.managedFields[*].manager}"])
        #expect(managed.out.contains("jobflow-tui-install"), "\(managed.out) \(managed.err)")

        let removed = try run(Paths.binary, ["uninstall"] + kubeconfig)
        #expect(removed.status == 0, "\(removed.err)")
        #expect(removed.out.split(separator: "\n").first == "service \"jobflow-operator-metrics\" deleted")
        #expect(removed.out.split(separator: "\n").last == "namespace \"jobflow-system\" deleted")
        #expect(!removed.out.contains("customresourcedefinition"))
        let gone = try run(kubectl, kubeconfig + ["get", "deploy", "jobflow-operator", "-n", "jobflow-system"])
        #expect(gone.status != 0 && gone.err.contains("NotFound"), "\(gone.out) \(gone.err)")
        let crds = try run(kubectl, kubeconfig + ["get", "crd", "jobflows.api.practice.com", "-o", "name"])
        #expect(crds.status == 0, "uninstall without --crds must keep the CRDs")

        // Again: everything is already gone, which is fine; --crds removes the CRDs too.
        let again = try run(Paths.binary, ["uninstall", "--crds"] + kubeconfig)
        #expect(again.status == 0, "\(again.err)")
        #expect(again.out.contains("deployment.apps \"jobflow-operator\" not found"))
        #expect(again.out.contains("customresourcedefinition.apiextensions.k8s.io \"jobflows.api.practice.com\" deleted"))
        let noCRD = try run(kubectl, kubeconfig + ["get", "crd", "jobflows.api.practice.com"])
        #expect(noCRD.status != 0)
    }
}
