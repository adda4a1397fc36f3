import Foundation
import Synchronization
import Testing
@testable import Kube

/// A private temp directory holding a copy of `Fixtures/kubeconfig`, removed when released.
/// Fixtures are found relative to this source file (`#filePath`), which works under `swift test`.
final class FixtureSandbox: Sendable {
    let root: String

    static let fixtures: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/kubeconfig").path
    }()

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        root = FilePaths.normalize(base + "/kubeconfig-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures, toPath: root + "/kubeconfig")
        for script in try FileManager.default.contentsOfDirectory(atPath: path("plugins")) {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path("plugins/" + script))
        }
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A path inside the copied fixtures.
    func path(_ relative: String) -> String { root + "/kubeconfig/" + relative }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: FilePaths.directory(of: full), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    func read(_ relative: String) -> String? {
        (try? String(contentsOfFile: path(relative), encoding: .utf8))
    }

    /// A selection that sees only what the test gives it: no real `~/.kube`, no real service account.
    func selection(kubeconfig: String? = nil, context: String? = nil, namespace: String? = nil,
                   environment: [String: String] = [:]) -> ConfigSelection {
        ConfigSelection(kubeconfigPath: kubeconfig.map(path), context: context, namespace: namespace,
                        environment: environment, homeDirectory: root + "/home",
                        serviceAccountDirectory: root + "/no-service-account")
    }

    /// Loads a context of a fixture file.
    func load(_ file: String, context: String? = nil, namespace: String? = nil) throws -> ClientConfiguration {
        try ConfigLoader.load(selection(kubeconfig: file, context: context, namespace: namespace))
    }

    /// The configuration error's message; records an issue when there is none.
    func configurationError(_ file: String, context: String?, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        configurationError(selection(kubeconfig: file, context: context), sourceLocation: sourceLocation)
    }

    func configurationError(_ selection: ConfigSelection, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            let config = try ConfigLoader.load(selection)
            Issue.record("expected a configuration error, loaded \(config)", sourceLocation: sourceLocation)
        } catch {
            if case .configuration(let message) = error { return message }
            Issue.record("expected KubeError.configuration, got \(error)", sourceLocation: sourceLocation)
        }
        return ""
    }
}

/// A settable wall clock for expiry tests.
final class ManualDate: Sendable {
    private let current: Mutex<Date>
    init(_ date: Date) { current = Mutex(date) }
    var now: Date { current.withLock { $0 } }
    func set(_ date: Date) { current.withLock { $0 = date } }
}

/// The message of a `KubeError.credentials`; records an issue when the call succeeds.
func credentialsError(_ provider: CredentialProvider, sourceLocation: SourceLocation = #_sourceLocation) async -> String {
    do {
        let credentials = try await provider.credentials()
        Issue.record("expected a credentials error, got \(credentials)", sourceLocation: sourceLocation)
    } catch {
        if case .credentials(let message) = error { return message }
        Issue.record("expected KubeError.credentials, got \(error)", sourceLocation: sourceLocation)
    }
    return ""
}
