/// A `users[].user.exec` stanza: how to run a credential plugin.
public struct ExecConfig: Sendable, Hashable {
    /// `interactiveMode`: whether the plugin may use the terminal.
    public enum InteractiveMode: String, Sendable, Hashable {
        case never = "Never", ifAvailable = "IfAvailable", always = "Always"
    }

    /// One `env` entry passed to the plugin on top of the process environment.
    public struct EnvVar: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public static let v1 = "client.authentication.k8s.io/v1"
    public static let v1beta1 = "client.authentication.k8s.io/v1beta1"

    /// `client.authentication.k8s.io/v1` or `v1beta1`.
    public var apiVersion: String
    /// As written; a relative command containing `/` resolves against `configDirectory`, one
    /// without `/` is looked up on `PATH`.
    public var command: String
    public var args: [String]
    public var env: [EnvVar]
    public var installHint: String?
    /// Whether `KUBERNETES_EXEC_INFO` carries the cluster (server, CA, TLS settings).
    public var provideClusterInfo: Bool
    public var interactiveMode: InteractiveMode
    /// The directory of the kubeconfig file that defined this stanza.
    public var configDirectory: String?

    public init(apiVersion: String = ExecConfig.v1, command: String, args: [String] = [], env: [EnvVar] = [],
                installHint: String? = nil, provideClusterInfo: Bool = false,
                interactiveMode: InteractiveMode = .ifAvailable, configDirectory: String? = nil) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
        self.configDirectory = configDirectory
    }

    /// The command as a path to look for: absolute when it contains `/`, else the bare name.
    public var resolvedCommand: String {
        guard command.contains("/"), !command.hasPrefix("/"), let configDirectory else { return command }
        return FilePaths.resolve(command, against: configDirectory)
    }
}

extension ExecConfig: CustomStringConvertible, CustomDebugStringConvertible {
    /// Command and env names only: arguments and env values may carry secrets.
    public var description: String {
        var parts = ["apiVersion: \(apiVersion)", "command: \(command)", "args: \(args.count)"]
        if !env.isEmpty { parts.append("env: [\(env.map { "\($0.name)=<redacted>" }.joined(separator: ", "))]") }
        parts.append("interactiveMode: \(interactiveMode.rawValue)")
        if provideClusterInfo { parts.append("provideClusterInfo") }
        return parts.joined(separator: ", ")
    }
    public var debugDescription: String { description }
}
