/// One named `clusters[]`, `users[]` or `contexts[]` entry and the file that defined it.
struct KubeconfigEntry: Sendable {
    var name: String
    var fields: [String: JSONValue]
    /// The kubeconfig that defined the entry: errors name it, relative paths resolve against its directory.
    var file: String
    var directory: String { FilePaths.directory(of: file) }
}

/// One parsed kubeconfig file. Only the parts this client uses are kept.
struct KubeconfigFile: Sendable {
    var path: String
    var currentContext: String?
    var clusters: [KubeconfigEntry] = []
    var users: [KubeconfigEntry] = []
    var contexts: [KubeconfigEntry] = []

    /// Reads and parses `path` (absolute). Parse errors carry the YAML line and column.
    static func load(path: String) throws(KubeError) -> KubeconfigFile {
        let bytes: [UInt8]
        switch FilePaths.read(path) {
        case .success(let b): bytes = b
        case .failure(let e): throw .configuration("kubeconfig \(path): not readable: \(e)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .configuration("kubeconfig \(path): not valid UTF-8 text")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parseYAML(text)
        } catch {
            throw .configuration("kubeconfig \(path): not valid YAML: \(error)")
        }
        return try parse(document, path: path)
    }

    static func parse(_ document: JSONValue, path: String) throws(KubeError) -> KubeconfigFile {
        var file = KubeconfigFile(path: path)
        if document.isNull { return file }
        guard let top = document.objectValue else {
            throw .configuration("kubeconfig \(path): expected a mapping at the top level, found \(document.typeName)")
        }
        if let current = top["current-context"], !current.isNull {
            guard let name = current.stringValue else {
                throw .configuration("kubeconfig \(path): current-context: expected a string, found \(current.typeName)")
            }
            if !name.isEmpty { file.currentContext = name }
        }
        file.clusters = try entries(top, list: "clusters", body: "cluster", path: path)
        file.users = try entries(top, list: "users", body: "user", path: path)
        file.contexts = try entries(top, list: "contexts", body: "context", path: path)
        return file
    }

    private static func entries(_ top: [String: JSONValue], list: String, body: String,
                                path: String) throws(KubeError) -> [KubeconfigEntry] {
        guard let value = top[list], !value.isNull else { return [] }
        guard let items = value.arrayValue else {
            throw .configuration("kubeconfig \(path): \(list): expected a list, found \(value.typeName)")
        }
        var result: [KubeconfigEntry] = []
        for (index, item) in items.enumerated() {
            guard let object = item.objectValue else {
                throw .configuration("kubeconfig \(path): \(list)[\(index)]: expected a mapping, found \(item.typeName)")
            }
            guard let name = object["name"]?.stringValue, !name.isEmpty else {
                throw .configuration("kubeconfig \(path): \(list)[\(index)]: name: missing or not a string")
            }
            let fields: [String: JSONValue]
            switch object[body] {
            case .none, .some(.null): fields = [:]
            case .some(.object(let members)): fields = members
            case .some(let other):
                throw .configuration("kubeconfig \(path): \(list)[\(index)] \"\(name)\": \(body): expected a mapping, found \(other.typeName)")
            }
            result.append(KubeconfigEntry(name: name, fields: fields, file: path))
        }
        return result
    }
}

/// Several kubeconfig files merged the kubectl way: the first file to define a named cluster, user
/// or context wins (the whole entry, never field by field); `current-context` comes from the first
/// file that sets it.
struct MergedKubeconfig: Sendable {
    var files: [String] = []
    var currentContext: String?
    var clusters: [String: KubeconfigEntry] = [:]
    var users: [String: KubeconfigEntry] = [:]
    var contexts: [String: KubeconfigEntry] = [:]

    init(_ files: [KubeconfigFile]) {
        for file in files {
            self.files.append(file.path)
            if currentContext == nil { currentContext = file.currentContext }
            for entry in file.clusters where clusters[entry.name] == nil { clusters[entry.name] = entry }
            for entry in file.users where users[entry.name] == nil { users[entry.name] = entry }
            for entry in file.contexts where contexts[entry.name] == nil { contexts[entry.name] = entry }
        }
    }

    /// Nothing usable: no contexts, clusters or users and no current context.
    var isEmpty: Bool { clusters.isEmpty && users.isEmpty && contexts.isEmpty && currentContext == nil }
}
