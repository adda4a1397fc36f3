import Foundation
import Kube
import Logging
import Synchronization

/// How a sandbox is set up.
public struct SandboxOptions: Sendable {
    /// Speed factor for the simulated control plane (passed on to it; 1 = real time).
    public var speed: Double
    /// Append the audit log as JSON lines to this file.
    public var auditLogPath: String?
    /// The pod log store shared by the kubelet simulation and the log endpoint.
    public var podLogs: PodLogStore
    /// Storage tuning (history window, watch queue size, bookmark interval, clock).
    public var store: ClusterStore.Options
    /// Request bodies above this size get 413.
    public var maxRequestBodyBytes: Int
    /// Faults injected by the HTTP front (nil = none). The in-process client is never affected.
    public var faults: FaultInjection?
    /// The nodes the simulated control plane registers at start.
    public var nodes: [NodeSpec]
    /// Whether to run the simulated scheduler, kubelet and Job controller (off: a bare API server).
    public var runsControlPlane: Bool
    /// How many requests the in-memory audit log keeps (the oldest are dropped first).
    public var auditCapacity: Int

    public init(speed: Double = 1, auditLogPath: String? = nil, podLogs: PodLogStore = PodLogStore(),
                store: ClusterStore.Options = ClusterStore.Options(), maxRequestBodyBytes: Int = 3 * 1024 * 1024,
                faults: FaultInjection? = nil, nodes: [NodeSpec] = NodeSpec.numbered(3), runsControlPlane: Bool = true,
                auditCapacity: Int = 10_000) {
        self.auditCapacity = auditCapacity
        self.faults = faults
        self.nodes = nodes
        self.runsControlPlane = runsControlPlane
        self.speed = speed
        self.auditLogPath = auditLogPath
        self.podLogs = podLogs
        self.store = store
        self.maxRequestBodyBytes = maxRequestBodyBytes
    }
}

/// Why a sandbox operation failed.
public enum SandboxError: Error, Sendable, CustomStringConvertible {
    case notStarted
    case manifest(path: String, message: String)
    case api(path: String, APIError)
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .notStarted: return "the sandbox has not been started"
        case .manifest(let path, let message): return "\(path): \(message)"
        case .api(let path, let error): return "\(path): \(error)"
        case .io(let path, let message): return "\(path): \(message)"
        }
    }
}

/// The embedded cluster: storage, the in-process client, the HTTP API server, pod logs, the audit
/// log and the simulated control plane (scheduler, kubelet, Job controller), which `start` runs
/// against the in-process client and `stop` cancels.
public final class Sandbox: Sendable {
    public let options: SandboxOptions
    public let store: ClusterStore
    public let client: InProcessClient
    public let podLogs: PodLogStore
    public let audit: AuditLog
    public let server: APIServer
    /// The simulated scheduler, kubelet and Job controller; add or remove nodes through it.
    public let controlPlane: ControlPlane
    let boundURL = Mutex<URL?>(nil)
    let controlPlaneTask = Mutex<Task<Void, Never>?>(nil)

    public init(options: SandboxOptions = SandboxOptions()) {
        self.options = options
        store = ClusterStore(options: options.store)
        client = InProcessClient(store: store)
        podLogs = options.podLogs
        audit = AuditLog(capacity: options.auditCapacity, path: options.auditLogPath)
        server = APIServer(store: store, podLogs: podLogs, audit: audit, maxBodyBytes: options.maxRequestBodyBytes, faults: options.faults)
        controlPlane = ControlPlane(api: client, podLogs: podLogs, nodes: options.nodes, speed: options.speed,
                                    logger: Logger(label: "sandbox.control-plane"))
    }

    /// Starts the HTTP server (port 0 = any free port) and returns its base URL.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> URL {
        let bound = try await server.start(host: host, port: port)
        let url = URL(string: "http://\(host):\(bound)")!
        boundURL.withLock { $0 = url }
        if options.runsControlPlane {
            let controlPlane = self.controlPlane
            controlPlaneTask.withLock { task in
                if task == nil { task = Task { await controlPlane.run() } }
            }
        }
        return url
    }

    /// The base URL once started.
    public var url: URL? { boundURL.withLock { $0 } }

    /// Stops the control plane and the HTTP server.
    public func stop() async {
        let task = controlPlaneTask.withLock { t in defer { t = nil }; return t }
        task?.cancel()
        await task?.value
        await server.stop()
    }

    /// Writes a kubeconfig pointing at this sandbox (a dummy token; context namespace `default`).
    public func writeKubeconfig(to path: String, contextName: String = "jobflow-sandbox") throws {
        guard let url else { throw SandboxError.notStarted }
        let text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(contextName)
          cluster:
            server: \(url.absoluteString)
        users:
        - name: \(contextName)
          user:
            token: sandbox-token
        contexts:
        - name: \(contextName)
          context:
            cluster: \(contextName)
            user: \(contextName)
            namespace: default
        current-context: \(contextName)

        """
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw SandboxError.io(path: path, message: "\(error)")
        }
    }

    /// Creates (or updates) every object in the YAML documents at `path` (a file, or a
    /// directory read recursively for .yaml/.yml/.json files, in name order). CRDs go first.
    public func apply(manifestsAt path: String) throws {
        var documents: [(String, JSONValue)] = []
        for file in try Sandbox.manifestFiles(path) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw SandboxError.io(path: file, message: "unreadable")
            }
            do {
                for doc in try JSONValue.parseYAMLDocuments(text) {
                    if doc["kind"]?.stringValue?.hasSuffix("List") == true, let items = doc["items"]?.arrayValue {
                        documents.append(contentsOf: items.map { (file, $0) })
                    } else {
                        documents.append((file, doc))
                    }
                }
            } catch {
                throw SandboxError.manifest(path: file, message: error.description)
            }
        }
        let crds = documents.filter { $0.1["kind"]?.stringValue == "CustomResourceDefinition" }
        let rest = documents.filter { $0.1["kind"]?.stringValue != "CustomResourceDefinition" }
        for (file, doc) in crds + rest { try applyOne(doc, file: file) }
    }

    /// Creates the object, or replaces the stored one when it exists.
    public func apply(object: JSONValue) throws {
        try applyOne(object, file: "<object>")
    }

    func applyOne(_ doc: JSONValue, file: String) throws {
        guard let apiVersion = doc["apiVersion"]?.stringValue, let kind = doc["kind"]?.stringValue else {
            throw SandboxError.manifest(path: file, message: "a document lacks apiVersion or kind")
        }
        let parts = apiVersion.split(separator: "/")
        let group = parts.count == 2 ? String(parts[0]) : ""
        let version = String(parts.last ?? "")
        guard let info = store.servedResources.first(where: { $0.resource.group == group && $0.resource.version == version && $0.resource.kind == kind }) else {
            throw SandboxError.manifest(path: file, message: "no resource serves \(kind) in \(apiVersion)")
        }
        let namespace = info.resource.namespaced ? (doc["metadata"]?["namespace"]?.stringValue ?? "default") : nil
        let name = doc["metadata"]?["name"]?.stringValue ?? ""
        do throws(APIError) {
            _ = try store.patch(info.resource, namespace: namespace, name: name, patch: .apply(doc),
                                options: PatchOptions(fieldManager: "jobflow-sandbox", force: true))
        } catch {
            throw SandboxError.api(path: file, error)
        }
    }

    static func manifestFiles(_ path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SandboxError.io(path: path, message: "no such file or directory")
        }
        if !isDirectory.boolValue { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        for case let relative as String in enumerator where [".yaml", ".yml", ".json"].contains(where: { relative.hasSuffix($0) }) {
            files.append((path as NSString).appendingPathComponent(relative))
        }
        return files.sorted()
    }
}
