import JobFlowAPI
import Kube
import Testing
@testable import Orchestrator

@Suite struct ValidatorTests {
    @Test func seedErrorFlowReportsTheUnknownDependency() throws {
        let doc = try Fixtures.example("jobflow-example-error.yaml")[0]
        let findings = Validator.validate(document: doc).errors
        #expect(findings.map(\.description) == [#"spec.flows[2].dependencies[1]: unknown flow entry "job2""#])
        #expect(findings[0].reason == "UnknownDependency")
    }

    @Test func seedExamplesAreValid() throws {
        for file in ["jobflow-example.yaml", "jobflow-example-template.yaml", "daemonjob-example.yaml"] {
            for doc in try Fixtures.example(file) {
                #expect(Validator.validate(document: doc).errors.isEmpty, "\(file)")
            }
        }
        // The DaemonJob's OnFailure is a warning, not an error.
        let dj = try Fixtures.example("daemonjob-example.yaml")[0]
        #expect(Validator.validate(document: dj).map(\.reason) == ["RestartPolicyOverridden"])
    }

    @Test func cycleIsNamed() {
        let flow = Fixtures.flow([("job1", ["job3"]), ("job2", ["job1"]), ("job3", ["job2"])])
        let findings = Validator.validate(document: flow).errors
        #expect(findings.count == 1)
        #expect(findings[0].reason == "DependencyCycle")
        #expect(findings[0].message == "dependency cycle: job1 → job2 → job3 → job1")
    }

    @Test func everyInvalidCaseIsReportedWithItsPath() {
        var flow = Fixtures.flow([("job1", ["job1"]), ("job1", []), ("Bad_Name", []), ("job4", ["job9", "job1", "job1"])])
        var flows = flow[path: "spec.flows"]!.arrayValue!
        flows[1]["jobTemplateRef"] = "t"                      // both
        flows[2]["jobTemplate"] = nil                          // neither
        flows.append(["name": "job5", "jobTemplate": ["template": ["spec": ["containers": []]]]])  // no containers
        flow[path: "spec.flows"] = .array(flows)
        let findings = Validator.validate(document: flow)
        let lines = findings.map { "\($0.severity.rawValue) \($0.reason) \($0.description)" }
        #expect(lines.contains(#"error DuplicateName spec.flows[1].name: "job1" is already the name of spec.flows[0]"#))
        #expect(lines.contains("error InvalidTemplate spec.flows[1]: sets both jobTemplate and jobTemplateRef; set exactly one"))
        #expect(lines.contains("error InvalidTemplate spec.flows[2]: sets neither jobTemplate nor jobTemplateRef; set exactly one"))
        #expect(lines.contains { $0.hasPrefix(#"error InvalidName spec.flows[2].name: "Bad_Name" is not a DNS-1123 label"#) })
        #expect(lines.contains(#"error SelfDependency spec.flows[0].dependencies[0]: "job1" cannot depend on itself"#))
        #expect(lines.contains(#"error UnknownDependency spec.flows[3].dependencies[0]: unknown flow entry "job9""#))
        #expect(lines.contains(#"warning DuplicateDependency spec.flows[3].dependencies[2]: "job1" is listed more than once"#))
        #expect(lines.contains("error InvalidTemplate spec.flows[4].jobTemplate.template.spec.containers: must list at least one container"))
    }

    @Test func hostileInputNeverCrashes() {
        let docs: [JSONValue] = [
            .null, 1, "x", [],
            ["kind": "JobFlow"],
            ["kind": "JobFlow", "metadata": ["name": 5], "spec": []],
            ["kind": "JobFlow", "metadata": ["name": "f"], "spec": ["flows": "no", "globalParams": ["labels": ["a": 1], "env": [1, ["x": 1]]]]],
            ["kind": "JobFlow", "metadata": ["name": "f"], "spec": ["flows": [1, ["name": 3], ["name": "a", "dependencies": [1, nil, "b"], "jobTemplate": "x"]]]],
            ["kind": "DaemonJob", "metadata": ["name": "d"], "spec": ["template": 4, "excludeNodeList": 5]],
            ["kind": "JobTemplate", "metadata": ["name": "t"], "spec": ["jobTemplate": []]],
            ["kind": "Pod", "metadata": ["name": "p"]],
        ]
        for doc in docs { #expect(!Validator.validate(document: doc).isEmpty) }
        let wrongTypes = Validator.validate(document: docs[6]).map(\.description)
        #expect(wrongTypes.contains("spec.flows: must be a list, not string"))
        #expect(wrongTypes.contains("spec.globalParams.labels[a]: must be a string, not integer"))
    }

    @Test func hugeFlowValidatesQuickly() {
        var entries: [(String, [String])] = [("e0", [])]
        for i in 1..<5_000 { entries.append(("e\(i)", ["e\(i - 1)", "e0"])) }
        #expect(Validator.validate(document: Fixtures.flow(entries)).errors.isEmpty)
    }

    @Test func unknownShareVolumeMountIsReported() {
        var flow = Fixtures.flow([("job1", [])])
        flow[path: "spec.flows"] = [["name": "job1", "jobTemplate": Fixtures.jobSpec(), "shareVolumeMounts": [["name": "nope", "mountPath": "/x"]]]]
        #expect(Validator.validate(document: flow).errors.map(\.reason) == ["UnknownShareVolume"])
    }

    @Test func excludeNodeListIsParsedTolerantly() {
        let list = ExcludeNodeList(parsing: " node1,, node2 ,node1 , ")
        #expect(list.names == ["node1", "node2"])
        #expect(list.notes.count == 3)
        #expect(list.notes.allSatisfy { $0.severity == .warning })
        #expect(ExcludeNodeList(parsing: "").names.isEmpty)
        #expect(ExcludeNodeList(parsing: "  ").notes.isEmpty)
    }
}
