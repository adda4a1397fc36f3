/// How requests authenticate. Secrets never appear in `description` or `debugDescription`.
public enum CredentialSource: Sendable, Hashable {
    case none
    /// A bearer token written in the kubeconfig.
    case token(String)
    /// A bearer token read from a file, re-read when the file's modification time or size changes.
    case tokenFile(path: String)
    case basic(username: String, password: String)
    /// A client-go credential plugin.
    case exec(ExecConfig)
    /// The in-cluster service-account token; re-read every minute and after a 401.
    case serviceAccount(tokenPath: String)
}

extension CredentialSource: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        switch self {
        case .none: return "none"
        case .token: return "token: <redacted>"
        case .tokenFile(let path): return "tokenFile: \(path)"
        case .basic(let username, _): return "basic(username: \(username), password: <redacted>)"
        case .exec(let config): return "exec(\(config))"
        case .serviceAccount(let path): return "serviceAccount(tokenPath: \(path))"
        }
    }
    public var debugDescription: String { description }
}
