import Foundation

/// Credentials to attach to one request.
public struct Credentials: Sendable, Hashable {
    /// The whole `Authorization` header value (`Bearer …`, `Basic …`), if any.
    public var authorizationHeader: String?
    /// A client certificate returned by an exec plugin; overrides the configured one for the request.
    public var clientIdentity: ClientIdentity?

    public init(authorizationHeader: String? = nil, clientIdentity: ClientIdentity? = nil) {
        self.authorizationHeader = authorizationHeader
        self.clientIdentity = clientIdentity
    }
}

extension Credentials: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        var parts: [String] = []
        if let header = authorizationHeader {
            let scheme = header.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "?"
            parts.append("authorization: \(scheme) <redacted>")
        }
        if clientIdentity != nil { parts.append("client-certificate: <redacted>") }
        return "Credentials(\(parts.isEmpty ? "none" : parts.joined(separator: ", ")))"
    }
    public var debugDescription: String { description }
}

/// Turns a `CredentialSource` into per-request credentials, caching what is expensive.
///
/// - `tokenFile`: re-read when the file's modification time or size changes, checked at most once
///   a second; a file that becomes unreadable fails the next request.
/// - `serviceAccount`: re-read every 60 s and after `invalidate()`.
/// - `exec`: one plugin run shared by all concurrent callers; the result is cached until 10 s before
///   its `expirationTimestamp` (forever without one) or until `invalidate()`.
///
/// Callers block while a plugin runs (at most `execTimeout`, 60 s by default).
public actor CredentialProvider {
    public nonisolated let source: CredentialSource
    private let clusterInfo: ExecClusterInfo?
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let environment: [String: String]
    private let execTimeout: Duration
    /// Prefixed to every error: where the credentials were configured.
    private let origin: String?
    /// Monotonic time since this provider was made, on `clock`.
    private let elapsed: @Sendable () -> Duration

    static let tokenFileCheckInterval: Duration = .seconds(1)
    static let serviceAccountRefreshInterval: Duration = .seconds(60)
    /// Exec credentials are refreshed this long before they expire.
    static let expiryLeeway: TimeInterval = 10

    private struct FileToken {
        var token: String
        var status: FilePaths.Status
        var checkedAt: Duration
    }
    private var fileToken: FileToken?
    private var execCached: ExecCredential?
    private var execRun: Task<ExecCredential, any Error>?

    /// - Parameters:
    ///   - clusterInfo: what an exec plugin with `provideClusterInfo` is told.
    ///   - clock: measures the token-file and service-account intervals and the plugin timeout.
    ///   - now: wall time, compared with exec credentials' `expirationTimestamp`.
    ///   - environment: the plugin's base environment and the `PATH` its command is looked up on.
    public init(source: CredentialSource, clusterInfo: ExecClusterInfo? = nil,
                clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
                environment: [String: String] = ProcessInfo.processInfo.environment,
                execTimeout: Duration = .seconds(60)) {
        self.init(source: source, clusterInfo: clusterInfo, origin: nil, clock: clock, now: now,
                  environment: environment, execTimeout: execTimeout)
    }

    /// A provider for a loaded configuration's credentials and cluster; its errors name the
    /// configuration, context and user they came from.
    public init(configuration: ClientConfiguration, clock: any Clock<Duration> = ContinuousClock(),
                now: @escaping @Sendable () -> Date = { Date() },
                environment: [String: String] = ProcessInfo.processInfo.environment,
                execTimeout: Duration = .seconds(60)) {
        var origin = configuration.source
        if let context = configuration.contextName { origin += ": context \"\(context)\"" }
        if let user = configuration.userName { origin += ": user \"\(user)\"" }
        self.init(source: configuration.credentials, clusterInfo: ExecClusterInfo(configuration), origin: origin,
                  clock: clock, now: now, environment: environment, execTimeout: execTimeout)
    }

    private init(source: CredentialSource, clusterInfo: ExecClusterInfo?, origin: String?, clock: any Clock<Duration>,
                 now: @escaping @Sendable () -> Date, environment: [String: String], execTimeout: Duration) {
        self.source = source
        self.origin = origin
        self.clusterInfo = clusterInfo
        self.clock = clock
        self.now = now
        self.environment = environment
        self.execTimeout = execTimeout
        self.elapsed = Self.stopwatch(clock)
    }

    private static func stopwatch<C: Clock>(_ clock: C) -> @Sendable () -> Duration where C.Duration == Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }

    /// The credentials for the next request. Throws `KubeError.credentials`.
    public func credentials() async throws(KubeError) -> Credentials {
        do {
            return try await makeCredentials()
        } catch {
            guard let origin, case .credentials(let message) = error else { throw error }
            throw .credentials("\(origin): \(message)")
        }
    }

    private func makeCredentials() async throws(KubeError) -> Credentials {
        switch source {
        case .none:
            return Credentials()
        case .token(let token):
            return Credentials(authorizationHeader: "Bearer \(token.trimmingCharacters(in: .whitespacesAndNewlines))")
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            return Credentials(authorizationHeader: "Basic \(encoded)")
        case .tokenFile(let path):
            let token = try readToken(path, label: "tokenFile \(path)", every: Self.tokenFileCheckInterval, onlyWhenChanged: true)
            return Credentials(authorizationHeader: "Bearer \(token)")
        case .serviceAccount(let path):
            let token = try readToken(path, label: "service account token \(path)",
                                      every: Self.serviceAccountRefreshInterval, onlyWhenChanged: false)
            return Credentials(authorizationHeader: "Bearer \(token)")
        case .exec(let config):
            let credential = try await execCredential(config)
            return Credentials(authorizationHeader: credential.token.map { "Bearer \($0)" },
                               clientIdentity: credential.clientIdentity)
        }
    }

    /// Forgets cached credentials; call after a 401. The next `credentials()` re-reads token files
    /// and re-runs an exec plugin (a run already under way is not reused).
    public func invalidate() {
        fileToken = nil
        execCached = nil
        execRun = nil
    }

    private func readToken(_ path: String, label: String, every interval: Duration,
                           onlyWhenChanged: Bool) throws(KubeError) -> String {
        let time = elapsed()
        if let cached = fileToken, time - cached.checkedAt < interval { return cached.token }
        let status: FilePaths.Status
        switch FilePaths.status(path) {
        case .success(let s): status = s
        case .failure(let e): throw .credentials("\(label): not readable: \(e)")
        }
        if onlyWhenChanged, var cached = fileToken, cached.status == status {
            cached.checkedAt = time
            fileToken = cached
            return cached.token
        }
        let bytes: [UInt8]
        switch FilePaths.read(path) {
        case .success(let b): bytes = b
        case .failure(let e): throw .credentials("\(label): not readable: \(e)")
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .credentials("\(label): the file is empty") }
        fileToken = FileToken(token: token, status: status, checkedAt: time)
        return token
    }

    private func isFresh(_ credential: ExecCredential) -> Bool {
        guard let expiration = credential.expiration else { return true }
        return now() < expiration.addingTimeInterval(-Self.expiryLeeway)
    }

    private func execCredential(_ config: ExecConfig) async throws(KubeError) -> ExecCredential {
        if let cached = execCached, isFresh(cached) { return cached }
        let run: Task<ExecCredential, any Error>
        if let existing = execRun {
            run = existing
        } else {
            let cluster = clusterInfo, environment = environment, timeout = execTimeout, clock = clock
            run = Task {
                try await ExecPlugin.obtain(config, cluster: cluster, environment: environment, timeout: timeout, clock: clock)
            }
            execRun = run
        }
        do {
            let credential = try await run.value
            // Only the first waiter of the current run stores the result; a run from before an
            // `invalidate()` is handed to its waiters but not cached.
            if execRun == run {
                execRun = nil
                execCached = credential
            }
            return credential
        } catch {
            if execRun == run { execRun = nil }
            if let kubeError = error as? KubeError { throw kubeError }
            throw .credentials("exec plugin \(config.command): \(error)")
        }
    }
}
