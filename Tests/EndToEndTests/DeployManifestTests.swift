import Foundation
import Kube
import Testing

/// deploy/ through `kubectl kustomize`, and the Helm chart through ChartRenderer compared with it.
@Suite struct DeployManifestTests {
    static let chart = Paths.root + "/charts/jobflow-operator"

    /// `kubectl kustomize deploy/`, parsed.
    static func kustomized() throws -> [JSONValue] {
        guard let kubectl = Paths.kubectl() else { throw CommandError("kubectl is not installed") }
        let result = try run(kubectl, ["kustomize", Paths.root + "/deploy"])
        guard result.status == 0 else { throw CommandError("kubectl kustomize failed: \(result.err)") }
        return try JSONValue.parseYAMLDocuments(result.out).filter { !$0.isNull }
    }

    static func key(_ o: JSONValue) -> String {
        "\(o["kind"]?.stringValue ?? "?")/\(o[path: "metadata.namespace"]?.stringValue ?? "-")/\(o[path: "metadata.name"]?.stringValue ?? "?")"
    }

    @Test(.enabled(if: Paths.kubectl() != nil)) func kustomizeRendersTheExpectedObjects() throws {
        let objects = try DeployManifestTests.kustomized()
        #expect(Set(objects.map(DeployManifestTests.key)) == [
            "CustomResourceDefinition/-/jobflows.api.practice.com", "CustomResourceDefinition/-/daemonjobs.api.practice.com",
            "CustomResourceDefinition/-/jobtemplates.api.practice.com", "Namespace/-/jobflow-system",
            "ServiceAccount/jobflow-system/jobflow-operator", "ClusterRole/-/jobflow-operator",
            "ClusterRoleBinding/-/jobflow-operator", "Role/jobflow-system/jobflow-operator-leader-election",
            "RoleBinding/jobflow-system/jobflow-operator-leader-election", "Deployment/jobflow-system/jobflow-operator",
            "Service/jobflow-system/jobflow-operator-metrics",
        ])
        #expect(objects.count == 11)
        // Nothing anywhere grants Secrets, and no wildcard.
        for o in objects where o["rules"] != nil {
            for rule in o["rules"]?.arrayValue ?? [] {
                let resources = rule["resources"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let verbs = rule["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(!resources.contains("secrets") && !resources.contains("*") && !verbs.contains("*"), "\(rule)")
            }
        }
        for binding in objects where binding["kind"]?.stringValue?.hasSuffix("Binding") == true {
            #expect(binding["subjects"]?[0]?["name"] == "jobflow-operator")
            #expect(binding["subjects"]?[0]?["namespace"] == "jobflow-system")
        }
        let deployment = try #require(objects.first { $0["kind"] == "Deployment" })
        let pod = try #require(deployment[path: "spec.template.spec"])
        #expect(deployment[path: "spec.replicas"] == 1)
        #expect(pod["serviceAccountName"] == "jobflow-operator")
        #expect(pod["automountServiceAccountToken"] == true)
        #expect(pod[path: "securityContext.runAsNonRoot"] == true)
        #expect(pod[path: "securityContext.runAsUser"] == 65532)
        #expect(pod[path: "securityContext.seccompProfile.type"] == "RuntimeDefault")
        let container = try #require(pod["containers"]?[0])
        #expect(container["image"] == "ghcr.io/practice/jobflow-tui:0.1.0")
        #expect(container["args"] == ["operator", "--headless", "--log-format=json", "--log-level=info",
                                      "--metrics-bind-address=:8080", "--health-probe-bind-address=:8081"])
        #expect(container[path: "securityContext.allowPrivilegeEscalation"] == false)
        #expect(container[path: "securityContext.readOnlyRootFilesystem"] == true)
        #expect(container[path: "securityContext.capabilities.drop"] == ["ALL"])
        #expect(container["ports"] == [["name": "metrics", "containerPort": 8080, "protocol": "TCP"],
                                       ["name": "health", "containerPort": 8081, "protocol": "TCP"]])
        #expect(container[path: "livenessProbe.httpGet"] == ["path": "/healthz", "port": "health"])
        #expect(container[path: "readinessProbe.httpGet"] == ["path": "/readyz", "port": "health"])
        #expect(container[path: "resources.requests.memory"] != nil && container[path: "resources.limits.memory"] != nil)
        #expect(container["volumeMounts"] == [["name": "tmp", "mountPath": "/tmp"]])
        // The version in the image tag is the binary's (`jobflow-tui --version`, the User-Agent).
        #expect(container["image"]?.stringValue?.hasSuffix(":" + UserAgent.version) == true)
    }

    // MARK: - The chart

    static func values() throws -> JSONValue {
        try JSONValue.parseYAML(String(contentsOfFile: chart + "/values.yaml", encoding: .utf8))
    }

    static func templates() throws -> [(name: String, text: String)] {
        let dir = chart + "/templates"
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { ($0, try String(contentsOfFile: dir + "/" + $0, encoding: .utf8)) }
    }

    /// The chart's objects as `helm template -n NAMESPACE` would give them (crds/ included).
    static func rendered(overrides: JSONValue = [:], namespace: String = "jobflow-system") throws -> [JSONValue] {
        let chartFile = try JSONValue.parseYAML(String(contentsOfFile: chart + "/Chart.yaml", encoding: .utf8))
        let renderer = ChartRenderer(values: deepMerged(try values(), overrides), releaseNamespace: namespace,
                                     chart: ["AppVersion": chartFile["appVersion"] ?? .null])
        var objects: [JSONValue] = []
        for crd in try FileManager.default.contentsOfDirectory(atPath: chart + "/crds").sorted() {
            objects += try JSONValue.parseYAMLDocuments(String(contentsOfFile: chart + "/crds/" + crd, encoding: .utf8))
        }
        for template in try templates() {
            do {
                objects += try JSONValue.parseYAMLDocuments(try renderer.render(template.text))
            } catch {
                Issue.record("\(template.name): \(error)")
                throw error
            }
        }
        return objects.filter { !$0.isNull }
    }

    @Test func theBinaryNeedsOnlyWhatTheRuntimeImageProvides() throws {
        // The image's runtime stage (Dockerfile) has libcurl4, libncursesw6 and ca-certificates on
        // debian:bookworm-slim. The static-stdlib release binary is checked by `make image-check`
        // (a slow build); here the same script checks the test build, its Swift runtime aside:
        // every other library it links must come from those packages, and it must start.
        let script = "cd '\(Paths.root)' && sh scripts/image-check.sh --swift-dynamic '\(Paths.binary)'"
        let result = try run("/bin/sh", ["-c", script], timeout: 120)
        #expect(result.status == 0, "\(result.out)\n\(result.err)")
        #expect(result.out.contains("image-check: ok"))
        #expect(result.out.contains("libcurl.so.4") && result.out.contains("libncursesw.so.6"))
    }

    @Test func everyValueATemplateUsesIsDefined() throws {
        let values = try DeployManifestTests.values()
        var used = Set<String>()
        for template in try DeployManifestTests.templates() { used.formUnion(ChartRenderer.valuePaths(in: template.text)) }
        #expect(used.contains("image.repository") && used.contains("watchNamespace"))
        for path in used.sorted() {
            #expect(values[path: path] != nil, "templates use .Values.\(path), which values.yaml does not define")
        }
    }

    /// Default values render exactly the objects of deploy/, except the Namespace: a chart leaves
    /// that to `helm install --create-namespace` (docs/deploy.md).
    @Test(.enabled(if: Paths.kubectl() != nil)) func defaultValuesRenderTheSameObjectsAsKustomize() throws {
        let fromKustomize = try DeployManifestTests.kustomized().filter { $0["kind"] != "Namespace" }
        let fromChart = try DeployManifestTests.rendered()
        let chart = Dictionary(fromChart.map { (DeployManifestTests.key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let kustomize = Dictionary(fromKustomize.map { (DeployManifestTests.key($0), $0) }, uniquingKeysWith: { a, _ in a })
        #expect(fromChart.count == chart.count, "the chart renders two objects with the same kind/namespace/name")
        #expect(Set(chart.keys) == Set(kustomize.keys))
        for (key, object) in kustomize.sorted(by: { $0.key < $1.key }) {
            #expect(chart[key] == object, "\(key) differs:\nchart:\n\(chart[key]?.yamlString() ?? "-")\nkustomize:\n\(object.yamlString())")
        }
    }

    @Test func chartCRDsAreDeploysCRDs() throws {
        for name in ["jobflows.yaml", "daemonjobs.yaml", "jobtemplates.yaml"] {
            let a = try String(contentsOfFile: DeployManifestTests.chart + "/crds/" + name, encoding: .utf8)
            let b = try String(contentsOfFile: Paths.root + "/deploy/crds/" + name, encoding: .utf8)
            #expect(a == b, "charts/jobflow-operator/crds/\(name) differs from deploy/crds/\(name); copy it over")
        }
    }

    @Test func watchNamespaceNarrowsTheRBACAndTheOperator() throws {
        let objects = try DeployManifestTests.rendered(overrides: ["watchNamespace": "team-a", "replicas": 2,
                                                                    "serviceAccount": ["create": false, "name": "ops"],
                                                                    "nodeSelector": ["pool": "system"],
                                                                    "podAnnotations": ["a.example/x": "1"]],
                                                       namespace: "ops-ns")
        let keys = Set(objects.map(DeployManifestTests.key))
        #expect(keys.contains("Role/team-a/jobflow-operator") && keys.contains("RoleBinding/team-a/jobflow-operator"))
        #expect(keys.contains("ClusterRole/-/jobflow-operator-nodes") && keys.contains("ClusterRoleBinding/-/jobflow-operator-nodes"))
        #expect(!keys.contains("ClusterRole/-/jobflow-operator"))
        #expect(!keys.contains { $0.hasPrefix("ServiceAccount/") })
        let role = try #require(objects.first { DeployManifestTests.key($0) == "Role/team-a/jobflow-operator" })
        #expect(!(role["rules"]?.arrayValue ?? []).contains { $0["resources"]?.arrayValue?.contains("nodes") == true })
        for binding in objects where binding["kind"]?.stringValue?.hasSuffix("Binding") == true {
            #expect(binding["subjects"]?[0]?["name"] == "ops" && binding["subjects"]?[0]?["namespace"] == "ops-ns")
        }
        let deployment = try #require(objects.first { $0["kind"] == "Deployment" })
        #expect(deployment[path: "metadata.namespace"] == "ops-ns")
        #expect(deployment[path: "spec.replicas"] == 2)
        #expect(deployment[path: "spec.template.spec.nodeSelector"] == ["pool": "system"])
        #expect(deployment[path: "spec.template.metadata.annotations"] == ["a.example/x": "1"])
        #expect(deployment[path: "spec.template.spec.serviceAccountName"] == "ops")
        let args = deployment[path: "spec.template.spec.containers"]?[0]?["args"]?.arrayValue ?? []
        #expect(args.contains("--namespace=team-a") && args.contains("--lease-namespace=ops-ns"))
    }

    @Test func rendererRejectsSyntaxOutsideItsSubset() throws {
        let renderer = ChartRenderer(values: ["a": ["b": "x"]], releaseNamespace: "ns")
        #expect(try renderer.render("v: {{ .Values.a.b | quote }}") == "v: \"x\"")
        #expect(try renderer.render("{{- if .Values.a }}\nyes\n{{- else }}\nno\n{{- end }}") == "\nyes")
        #expect(throws: ChartRenderer.RenderError.self) { try renderer.render("{{ .Values.missing }}") }
        #expect(throws: ChartRenderer.RenderError.self) { try renderer.render("{{ range .Values.a }}{{ end }}") }
        #expect(throws: ChartRenderer.RenderError.self) { try renderer.render("{{ .Values.a.b | default \"y\" }}") }
        #expect(throws: ChartRenderer.RenderError.self) { try renderer.render("{{ if .Values.a }}") }
    }
}
