import JobFlowAPI
import Foundation
import Testing
@testable import TUI

/// Compares text with Tests/TUITests/Golden/<name>.txt; `UPDATE_GOLDEN=1` rewrites the files.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent(name + ".txt")
        let content = text + "\n"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            do { try content.write(to: url, atomically: true, encoding: .utf8) } catch {
                Issue.record("cannot write \(url.path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden \(name).txt (run with UPDATE_GOLDEN=1)", sourceLocation: sourceLocation)
            return
        }
        if expected != content {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let b = content.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            Issue.record("golden \(name) differs at line \(line + 1):\nexpected: \(line < a.count ? String(a[line]) : "<eof>")\nactual:   \(line < b.count ? String(b[line]) : "<eof>")",
                         sourceLocation: sourceLocation)
        }
    }
}
