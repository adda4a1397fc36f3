/// The product's version and the User-Agent its requests carry, in kubectl's shape
/// (`kubectl/v1.32.0 (linux/amd64) kubernetes/…`), so API server audit logs and priority-and-fairness
/// rules can tell jobflow-tui and its version apart.
public enum UserAgent {
    /// The jobflow-tui version (also `jobflow-tui --version`).
    public static let version = "0.1.0"

    /// `jobflow-tui/v0.1.0 (linux/amd64)`.
    public static let `default`: String = {
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "darwin"
        #else
        let os = "unknown"
        #endif
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return "jobflow-tui/v\(version) (\(os)/\(arch))"
    }()
}
