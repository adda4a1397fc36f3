import ArgumentParser
import JobFlowAPI
import Foundation
import Kube
import Orchestrator

/// `jobflow-tui validate -f FILE|DIR…`: the operator's validation rules, offline.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check JobFlow, JobTemplate and DaemonJob manifests with the operator's rules.",
        discussion: """
            Prints one line per finding, `FILE: Kind/name: path: message` (warnings say `warning:` \
            before the path), and exits 1 when any error was found. A directory is read recursively \
            (.yaml, .yml, .json, in name order). Documents of other kinds are skipped.
            """)

    @Option(name: [.customShort("f"), .customLong("filename")], parsing: .upToNextOption, help: ArgumentHelp("Manifest files or directories (-f a.yaml b.yaml, or -f repeated).", valueName: "path"))
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one manifest with -f FILE or -f DIR") }
    }

    static let kinds = Set(CustomKind.allCases.map(\.rawValue))

    func run() throws {
        var errors = 0, warnings = 0, documents = 0
        var lines: [String] = []
        for path in files {
            for file in try ValidateCommand.manifestFiles(path) {
                let result = ValidateCommand.check(file: file)
                lines += result.lines
                errors += result.errors
                warnings += result.warnings
                documents += result.documents
            }
        }
        for line in lines { print(line) }
        print("\(documents) document(s): \(errors) error(s), \(warnings) warning(s)")
        if errors > 0 { throw ExitCode(1) }
    }

    /// The findings of one file as output lines, with counts.
    static func check(file: String) -> (lines: [String], errors: Int, warnings: Int, documents: Int) {
        guard let data = FileManager.default.contents(atPath: file) else { return (["\(file): cannot read the file"], 1, 0, 0) }
        let text = String(decoding: data, as: UTF8.self)
        let parsed: [JSONValue]
        do {
            parsed = try JSONValue.parseYAMLDocuments(text)
        } catch {
            return (["\(file): \(error.description)"], 1, 0, 0)
        }
        var lines: [String] = []
        var errors = 0, warnings = 0, count = 0
        for document in parsed {
            let items = document["kind"]?.stringValue?.hasSuffix("List") == true ? (document["items"]?.arrayValue ?? []) : [document]
            for item in items {
                let kind = item["kind"]?.stringValue ?? ""
                guard kinds.contains(kind) else { continue }
                count += 1
                let name = item[path: "metadata.name"]?.stringValue ?? "<unnamed>"
                for finding in Validator.validate(document: item) {
                    if finding.isError { errors += 1 } else { warnings += 1 }
                    let severity = finding.isError ? "" : "warning: "
                    lines.append("\(file): \(kind)/\(name): \(severity)\(finding.description)")
                }
            }
        }
        return (lines, errors, warnings, count)
    }

    static func manifestFiles(_ path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("\(path): no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let enumerator = FileManager.default.enumerator(atPath: path)
        var found: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            if [".yaml", ".yml", ".json"].contains(where: { relative.hasSuffix($0) }) {
                found.append((path as NSString).appendingPathComponent(relative))
            }
        }
        return found.sorted()
    }
}
