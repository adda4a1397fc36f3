import Foundation
import JobFlowAPI
import Kube
import Testing

/// The CRDs in deploy/crds teach the API (`kubectl explain`), and their descriptions are the same
/// text as the `///` comments of the typed values in Sources/JobFlowAPI/Model: one description in
/// two places, kept equal here. To change one, edit both; the failure names the field that differs.
@Suite struct SchemaDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    // MARK: - The schema

    /// A field of a CRD's schema, as `kind: path` with `[]` for the items of a list
    /// ("jobflows: spec.flows[].name").
    struct Field: Hashable, Comparable, CustomStringConvertible {
        var kind: String
        var path: String
        var description: String { "\(kind): \(path)" }
        static func < (a: Field, b: Field) -> Bool { a.description < b.description }
        func child(_ name: String) -> Field { Field(kind: kind, path: path.isEmpty ? name : "\(path).\(name)") }
    }

    static let kinds = ["jobflows", "daemonjobs", "jobtemplates"]

    /// Kubernetes objects we pass through as written: the field itself is described, its insides
    /// are Kubernetes' own and not walked.
    static let native: Set<String> = [
        "jobflows: spec.globalParams.env", "jobflows: spec.shareVolumes", "jobflows: spec.flows[].jobTemplate",
        "jobflows: spec.flows[].shareVolumeMounts", "daemonjobs: spec.globalParams.env", "daemonjobs: spec.template",
        "jobtemplates: spec.jobTemplate",
    ]

    /// The openAPIV3Schema of one CRD in deploy/crds.
    static func schema(_ kind: String) throws -> JSONValue {
        let text = try String(contentsOf: root.appendingPathComponent("deploy/crds/\(kind).yaml"), encoding: .utf8)
        let crd = try JSONValue.parseYAML(text)
        return try #require(crd[path: "spec.versions"]?[0]?[path: "schema.openAPIV3Schema"], "deploy/crds/\(kind).yaml has no schema")
    }

    /// Every field of ours with its schema node: spec, status and everything under them, except
    /// the insides of native objects and of open objects that declare no properties.
    static func fields() throws -> [(field: Field, node: JSONValue)] {
        var out: [(Field, JSONValue)] = []
        func walk(_ node: JSONValue, _ field: Field) {
            if native.contains(field.description) { return }
            var node = node
            var field = field
            if node["type"] == "array", let items = node["items"] {
                node = items
                field = Field(kind: field.kind, path: field.path + "[]")
            }
            for (name, sub) in (node["properties"]?.objectValue ?? [:]) {
                out.append((field.child(name), sub))
                walk(sub, field.child(name))
            }
        }
        for kind in kinds {
            let root = try schema(kind)
            for name in ["spec", "status"] {
                guard let sub = root["properties"]?[name] else { continue }
                out.append((Field(kind: kind, path: name), sub))
                walk(sub, Field(kind: kind, path: name))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    static func normalised(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func descriptions() throws -> [Field: String] {
        Dictionary(try fields().map { ($0.field, normalised($0.node["description"]?.stringValue ?? "")) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func everyFieldOfOursHasADescription() throws {
        let all = try Self.fields()
        for (field, node) in all where (node["description"]?.stringValue ?? "").allSatisfy(\.isWhitespace) {
            Issue.record("\(field) has no description in deploy/crds/\(field.kind).yaml")
        }
        let paths = Set(all.map(\.field.description))
        let stale = Self.native.subtracting(paths).sorted()
        #expect(stale.isEmpty, "listed as native but not in the schema: \(stale)")
        for kind in Self.kinds {
            #expect(!((try Self.schema(kind))["description"]?.stringValue ?? "").isEmpty, "\(kind): the kind itself has no description")
        }
    }

    // MARK: - The Swift doc comments

    /// Where a Swift type's stored properties live in the schema.
    struct Place {
        var field: Field
        /// Swift property → schema field, where the wire name differs.
        var renamed: [String: String] = [:]
        /// Swift properties this place does not have, each with why.
        var absent: [String: String] = [:]

        init(_ kind: String, _ path: String, renamed: [String: String] = [:], absent: [String: String] = [:]) {
            field = Field(kind: kind, path: path)
            self.renamed = renamed
            self.absent = absent
        }
    }

    struct Mapping {
        var type: String
        var places: [Place]
        /// Swift properties with no schema field anywhere, each with why.
        var exempt: [String: String] = [:]
        /// Schema fields with no Swift property, each with why.
        var schemaOnly: [String: String] = [:]
    }

    static let mappings: [Mapping] = [
        Mapping(type: "JobFlowSpec", places: [Place("jobflows", "spec")]),
        Mapping(type: "GlobalParams", places: [
            Place("jobflows", "spec.globalParams"),
            Place("daemonjobs", "spec.globalParams",
                  absent: ["nodeName": "a DaemonJob pins each Job to its node; DaemonJobSpec.decode does not read nodeName"]),
        ]),
        Mapping(type: "FlowEntry", places: [Place("jobflows", "spec.flows[]")],
                exempt: ["index": "decode bookkeeping: the entry's position in spec.flows, for the field paths of findings",
                         "rawDependencyIndex": "decode bookkeeping: positions in the raw dependencies list, for the field paths of findings"]),
        Mapping(type: "DaemonJobSpec", places: [Place("daemonjobs", "spec")],
                exempt: ["jobSpec": "the JobSpec fields written inline in spec, which the schema leaves open"],
                schemaOnly: ["template": "one of the inline JobSpec fields that DaemonJobSpec.jobSpec holds"]),
        Mapping(type: "JobTemplateSpec", places: [Place("jobtemplates", "spec")]),
        Mapping(type: "JobFlowStatus", places: [Place("jobflows", "status")]),
        Mapping(type: "DaemonJobStatus", places: [Place("daemonjobs", "status")]),
        Mapping(type: "EntryStatus", places: [Place("jobflows", "status.jobs[]"),
                                              Place("daemonjobs", "status.nodes[]", renamed: ["name": "node"])]),
        Mapping(type: "AttemptOutcome", places: [Place("jobflows", "status.jobs[].previous"),
                                                 Place("daemonjobs", "status.nodes[].previous")]),
        Mapping(type: "OrphanedJob", places: [Place("jobflows", "status.orphanedJobs[]", renamed: ["entry": "name"])]),
        Mapping(type: "HandledRequest", places: [Place("jobflows", "status.handledRequests[]"),
                                                 Place("daemonjobs", "status.handledRequests[]")]),
        Mapping(type: "StatusCondition", places: [Place("jobflows", "status.conditions[]"),
                                                  Place("daemonjobs", "status.conditions[]")]),
        Mapping(type: "SkippedNode", places: [Place("daemonjobs", "status.skippedNodes[]")]),
    ]

    /// The public stored properties of `type` in Sources/JobFlowAPI/Model, in order, each with the
    /// `///` comment right above it (lines joined with spaces; nil when there is none).
    static func storedProperties(of type: String) throws -> [(name: String, doc: String?)]? {
        let folder = root.appendingPathComponent("Sources/JobFlowAPI/Model")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".swift") {
            let lines = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("public struct \(type):") || $0.hasPrefix("public struct \(type) ") })
            else { continue }
            var result: [(String, String?)] = []
            var index = start + 1
            while index < lines.count, lines[index] != "}" {
                if let name = storedPropertyName(lines[index]) {
                    var doc: [String] = []
                    var above = index - 1
                    while above > start, lines[above].trimmingCharacters(in: .whitespaces).hasPrefix("///") {
                        doc.insert(String(lines[above].trimmingCharacters(in: .whitespaces).dropFirst(3)), at: 0)
                        above -= 1
                    }
                    result.append((name, doc.isEmpty ? nil : normalised(doc.joined(separator: " "))))
                }
                index += 1
            }
            return result
        }
        return nil
    }

    /// `name` when the line declares a public stored property (`public var name: T` or
    /// `public var name = value`), nil for anything else, computed properties included.
    static func storedPropertyName(_ line: String) -> String? {
        let code = line.trimmingCharacters(in: .whitespaces)
        guard code.hasPrefix("public var ") else { return nil }
        let rest = code.dropFirst("public var ".count)
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        let after = rest.dropFirst(name.count)
        if let brace = after.firstIndex(of: "{"), after.firstIndex(of: "=").map({ brace < $0 }) ?? true { return nil }
        return name.isEmpty ? nil : String(name)
    }

    @Test func docCommentsAreTheSchemaDescriptions() throws {
        let descriptions = try Self.descriptions()
        var problems: [String] = []
        for mapping in Self.mappings {
            guard let properties = try Self.storedProperties(of: mapping.type) else {
                problems.append("\(mapping.type): no `public struct \(mapping.type)` in Sources/JobFlowAPI/Model")
                continue
            }
            let names = Set(properties.map(\.name))
            for stale in Set(mapping.exempt.keys).subtracting(names) {
                problems.append("\(mapping.type).\(stale) is listed as exempt but is not a stored property")
            }
            for place in mapping.places {
                var seen = Set<String>()
                for (name, doc) in properties where mapping.exempt[name] == nil && place.absent[name] == nil {
                    let field = place.field.child(place.renamed[name] ?? name)
                    seen.insert(field.path)
                    guard let description = descriptions[field] else {
                        problems.append("\(mapping.type).\(name) has no field \(field) in deploy/crds (declare it, or list it as exempt with a reason)")
                        continue
                    }
                    if doc != description {
                        problems.append("""
                            \(mapping.type).\(name): its /// comment differs from the description of \(field)
                              swift: \(doc ?? "(no /// comment)")
                              crd:   \(description)
                            """)
                    }
                }
                let children = descriptions.keys.filter { $0.kind == place.field.kind && Self.isChild($0.path, of: place.field.path) }
                for child in children where !seen.contains(child.path) {
                    let leaf = String(child.path.dropFirst(place.field.path.count + 1))
                    if mapping.schemaOnly[leaf] == nil {
                        problems.append("\(child) has no stored property in \(mapping.type) (add one, or list it as schemaOnly with a reason)")
                    }
                }
            }
        }
        for problem in problems { Issue.record("\(problem)") }
    }

    /// `path` is one level below `parent` ("status.jobs[].name" below "status.jobs[]").
    static func isChild(_ path: String, of parent: String) -> Bool {
        guard path.hasPrefix(parent + ".") else { return false }
        let leaf = path.dropFirst(parent.count + 1)
        return !leaf.contains(".") && !leaf.hasSuffix("[]")
    }

    @Test func theExtractorReadsStoredPropertiesOnly() {
        #expect(Self.storedPropertyName("    public var name: String") == "name")
        #expect(Self.storedPropertyName("    public var desired = 0") == "desired")
        #expect(Self.storedPropertyName("    public var rawDependencyIndex: [String: Int] = [:]") == "rawDependencyIndex")
        #expect(Self.storedPropertyName("    public var json: JSONValue {") == nil)
        #expect(Self.storedPropertyName("    public var json: JSONValue { [\"a\": .string(a)] }") == nil)
        #expect(Self.storedPropertyName("    var hidden: Int") == nil)
    }

    // MARK: - Vocabularies

    /// Descriptions that list allowed values name every word this version defines.
    @Test func descriptionsNameEveryWordOfTheirVocabulary() throws {
        let descriptions = try Self.descriptions()
        let policy = [FailurePolicy.continue, FailurePolicy.failFast].map(\.rawValue)
        let vocabularies: [(paths: [String], words: [String])] = [
            (["jobflows: status.state", "daemonjobs: status.state"], FlowState.known.map(\.rawValue)),
            (["jobflows: status.jobs[].phase", "daemonjobs: status.nodes[].phase"], EntryPhase.known.map(\.rawValue)),
            (["jobflows: spec.failurePolicy"], policy),
            (["daemonjobs: status.skippedNodes[].reason"], SkipReason.known.map(\.rawValue)),
            (["jobflows: status.conditions[].type", "daemonjobs: status.conditions[].type"], ConditionType.known.map(\.rawValue)),
            (["jobflows: status.conditions[].status", "daemonjobs: status.conditions[].status"], ConditionStatus.known.map(\.rawValue)),
            (["jobflows: status.handledRequests[].kind", "daemonjobs: status.handledRequests[].kind"], RequestKind.allCases.map(\.rawValue)),
        ]
        for (paths, words) in vocabularies {
            for path in paths {
                let text = try #require(descriptions.first { $0.key.description == path }?.value, "\(path) is not in the schema")
                let said = Set(text.split { !$0.isLetter }.map(String.init))
                let unsaid = words.filter { !said.contains($0) }
                #expect(unsaid.isEmpty, "the description of \(path) does not name \(unsaid)")
            }
        }
        let policyEnum = try Self.schema("jobflows")[path: "properties.spec.properties.failurePolicy.enum"]?.arrayValue?.compactMap(\.stringValue)
        #expect(policyEnum == policy)
    }

    // MARK: - What the operator writes is what the schema declares

    /// Every field the encoders write, with its JSON type, walked along the schema: the insides of
    /// native objects, maps and undeclared fields are not walked.
    static func written(_ value: JSONValue, schema: JSONValue?, _ field: Field, into out: inout [Field: String]) {
        out[field] = value.typeName
        guard var node = schema, !native.contains(field.description) else { return }
        var field = field
        var values = [value]
        if case .array(let items) = value {
            guard let itemSchema = node["items"] else { return }
            node = itemSchema
            field = Field(kind: field.kind, path: field.path + "[]")
            values = items
        }
        guard let properties = node["properties"]?.objectValue else { return }
        for v in values {
            for (key, child) in v.objectValue ?? [:] { written(child, schema: properties[key], field.child(key), into: &out) }
        }
    }

    static func fullEntry(_ name: String) -> EntryStatus {
        var e = EntryStatus(name: name, jobName: "owner-\(name)", phase: .failed, attempts: 2)
        e.reason = .jobFailed
        e.message = "m"
        e.startTime = "2025-01-01T00:00:00Z"
        e.completionTime = "2025-01-01T00:01:00Z"
        e.podName = "pod"
        e.nodeName = "node1"
        e.exitCode = 1
        e.jobUID = "uid"
        e.previous = AttemptOutcome(attempt: 1, phase: .failed, reason: .jobFailed, message: "m", exitCode: 2,
                                    startTime: "2025-01-01T00:00:00Z", completionTime: "2025-01-01T00:00:30Z")
        return e
    }

    static let condition = StatusCondition(type: .valid, status: true, reason: .valid, message: "", lastTransitionTime: "2025-01-01T00:00:00Z",
                                           observedGeneration: 3)

    /// Every optional field set: what the operator may write.
    static func fullValues() -> [Field: JSONValue] {
        let params = GlobalParams(nodeName: "node1", env: [["name": "A", "value": "1"]], labels: ["l": "v"], annotations: ["a": "v"])
        let entry = FlowEntry(name: "b", dependencies: ["a"], jobTemplate: ["template": [:]], jobTemplateRef: "t",
                              shareVolumeMounts: [["name": "v", "mountPath": "/v"]])
        let flowSpec = JobFlowSpec(globalParams: params, shareVolumes: [["name": "v", "emptyDir": [:]]], failurePolicy: .failFast, flows: [entry])
        var daemonParams = params
        daemonParams.nodeName = nil
        let daemonSpec = DaemonJobSpec(globalParams: daemonParams, excludeNodeList: ExcludeNodeList(parsing: "node2"), jobSpec: ["template": [:]])
        var flow = JobFlowStatus()
        flow.observedGeneration = 3
        flow.startTime = "2025-01-01T00:00:00Z"
        flow.completionTime = "2025-01-01T00:02:00Z"
        flow.conditions = [condition]
        flow.jobs = [fullEntry("a")]
        flow.orphanedJobs = [OrphanedJob(jobName: "owner-old", entry: "old", phase: .running)]
        flow.cancelled = true
        flow.handledRequests = [HandledRequest(kind: .retry, value: "a")]
        var daemon = DaemonJobStatus()
        daemon.observedGeneration = 3
        daemon.startTime = "2025-01-01T00:00:00Z"
        daemon.completionTime = "2025-01-01T00:02:00Z"
        daemon.conditions = [condition]
        daemon.nodes = [fullEntry("node1")]
        daemon.skippedNodes = [SkippedNode(node: "node2", reason: .excluded, message: "listed in excludeNodeList")]
        daemon.unknownExcludedNodes = ["node9"]
        daemon.cancelled = true
        daemon.handledRequests = [HandledRequest(kind: .cancel, value: "*")]
        return [Field(kind: "jobflows", path: "spec"): flowSpec.json, Field(kind: "jobflows", path: "status"): flow.json,
                Field(kind: "daemonjobs", path: "spec"): daemonSpec.json, Field(kind: "daemonjobs", path: "status"): daemon.json,
                Field(kind: "jobtemplates", path: "spec"): JobTemplateSpec.decode(["jobTemplate": ["template": [:]]]).spec!.json]
    }

    /// A field the encoders write but the schema does not declare would be pruned by the API server
    /// (or, at the top of status, kept undocumented); a declared field nothing writes is invented.
    @Test func theSchemaDeclaresExactlyTheFieldsTheEncodersWrite() throws {
        var written: [Field: String] = [:]
        for (field, value) in Self.fullValues() {
            Self.written(value, schema: try Self.schema(field.kind)["properties"]?[field.path], field, into: &written)
        }
        let declared = Dictionary(try Self.fields().map { ($0.field, $0.node["type"]?.stringValue ?? "") }, uniquingKeysWith: { a, _ in a })
        let undeclared = Set(written.keys).subtracting(declared.keys).sorted()
        let unwritten = Set(declared.keys).subtracting(written.keys).sorted()
        for field in undeclared { Issue.record("\(field) is written by the encoders but not declared in deploy/crds") }
        for field in unwritten { Issue.record("\(field) is declared in deploy/crds but no encoder writes it") }
        for (field, type) in written.sorted(by: { $0.key < $1.key }) {
            guard let schemaType = declared[field] else { continue }
            #expect(schemaType == type, "\(field) is written as \(type) but declared as \(schemaType)")
        }
    }
}
