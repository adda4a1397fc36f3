import Foundation
import Kube

extension ControlPlane {
    /// Errors of the node management methods.
    public enum NodeError: Error, Sendable, CustomStringConvertible {
        case unknownNode(String)
        case alreadyExists(String)

        public var description: String {
            switch self {
            case .unknownNode(let n): return "node \"\(n)\" is not simulated by this control plane"
            case .alreadyExists(let n): return "node \"\(n)\" already exists"
            }
        }
    }

    /// The simulated nodes as they are configured now.
    public var nodeSpecs: [NodeSpec] {
        nodes.withLock { $0.values.sorted { $0.index < $1.index }.map(\.spec) }
    }

    /// Registers a new node and creates its Node object. Pending pods are retried on it.
    public func addNode(_ spec: NodeSpec) async throws {
        let index: Int = try nodes.withLock { n in
            if n[spec.name] != nil { throw NodeError.alreadyExists(spec.name) }
            let i = (n.values.map(\.index).max() ?? -1) + 1
            n[spec.name] = (spec, i, time.now())
            return i
        }
        try await writeNode(spec, index: index, readySince: time.now())
    }

    /// Deletes a node: its running pods are lost (Failed, `NodeLost`).
    public func removeNode(_ name: String) async throws {
        guard nodes.withLock({ $0.removeValue(forKey: name) }) != nil else { throw NodeError.unknownNode(name) }
        do {
            _ = try await api.delete(.nodes, namespace: nil, name: name)
        } catch where isNotFound(error) {}
        if let node = nodeCache.get(namespace: nil, name: name) { nodeCache.remove(node) }
        wakeAll()
    }

    /// Marks a node Ready or NotReady (condition, `node.kubernetes.io/not-ready` taints).
    public func setReady(_ name: String, _ ready: Bool) async throws {
        try await changeNode(name) { entry in
            if entry.spec.ready != ready { entry.readySince = time.now() }
            entry.spec.ready = ready
        }
    }

    /// Cordons (`true`) or uncordons a node: `spec.unschedulable` and its taint.
    public func cordon(_ name: String, _ unschedulable: Bool) async throws {
        try await changeNode(name) { $0.spec.unschedulable = unschedulable }
    }

    /// Replaces a node's own taints (the not-ready and unschedulable ones stay managed). An
    /// untolerated `NoExecute` taint evicts the pods running there.
    public func setTaints(_ name: String, _ taints: [Taint]) async throws {
        try await changeNode(name) { $0.spec.taints = taints }
    }

    private func changeNode(_ name: String, _ change: (inout (spec: NodeSpec, index: Int, readySince: Date)) -> Void) async throws {
        let entry = try nodes.withLock { n -> (spec: NodeSpec, index: Int, readySince: Date) in
            guard var e = n[name] else { throw NodeError.unknownNode(name) }
            change(&e)
            n[name] = e
            return e
        }
        try await writeNode(entry.spec, index: entry.index, readySince: entry.readySince)
    }

    /// Creates the Node object, or brings an existing one to the spec (labels, spec, status).
    func writeNode(_ spec: NodeSpec, index: Int, readySince: Date) async throws {
        let now = time.now()
        var object = spec.object(index: index, now: now)
        object[path: "status"] = spec.statusJSON(index: index, now: now, readySince: readySince)
        var stored: JSONValue
        do {
            stored = try await api.create(.nodes, namespace: nil, object: object)
        } catch where isAlreadyExists(error) {
            let patch: JSONValue = ["metadata": ["labels": object[path: "metadata.labels"] ?? .emptyObject],
                                    "spec": ["taints": object[path: "spec.taints"] ?? .null,
                                             "unschedulable": object[path: "spec.unschedulable"] ?? .null]]
            stored = try await api.patch(.nodes, namespace: nil, name: spec.name, patch: .merge(patch),
                                         subresource: nil, options: PatchOptions())
        }
        // The status subresource: a create may have dropped it.
        if let status = object["status"] {
            stored = try await api.patch(.nodes, namespace: nil, name: spec.name, patch: .merge(["status": status]),
                                         subresource: "status", options: PatchOptions())
        }
        nodeCache.upsert(stored)
        wakeAll()
    }

    /// Creates every configured node, retrying each until it is stored.
    func registerNodes() async {
        let entries = nodes.withLock { $0.values.sorted { $0.index < $1.index } }
        for entry in entries {
            var backoff: Duration = .milliseconds(200)
            while !Task.isCancelled {
                do {
                    try await writeNode(entry.spec, index: entry.index, readySince: entry.readySince)
                    break
                } catch {
                    logger.warning("could not register node; retrying", metadata: ["node.name": "\(entry.spec.name)", "error": "\(error)"])
                    do { try await time.sleep(for: backoff) } catch { return }
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
    }
}
