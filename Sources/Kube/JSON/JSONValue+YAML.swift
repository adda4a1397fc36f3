import Yams

/// Why a YAML document could not be read, and where. The message never quotes the document's
/// text, because the document may be a kubeconfig holding tokens and keys.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int?
    public var column: Int?

    public var description: String {
        if let line, let column { return "line \(line), column \(column): \(message)" }
        return message
    }

    init(_ error: any Error) {
        switch error {
        case YamlError.scanner(_, let problem, let mark, _),
             YamlError.parser(_, let problem, let mark, _),
             YamlError.composer(_, let problem, let mark, _):
            self.message = problem
            self.line = mark.line
            self.column = mark.column
        case YamlError.reader(let problem, _, _, _):
            self.message = problem
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            self.message = "duplicate keys \(duplicates.sorted())"
            self.line = context.mark.line
            self.column = context.mark.column
        default:
            self.message = "not valid YAML"
        }
    }

    init(message: String) { self.message = message }
}

extension JSONValue {
    /// Every document in a YAML stream (`---`-separated), as JSON values. Empty documents are skipped.
    public static func parseYAMLDocuments(_ text: String) throws(YAMLError) -> [JSONValue] {
        var documents: [JSONValue] = []
        do {
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() {
                let value = try JSONValue(yamlNode: node)
                if !value.isNull { documents.append(value) }
            }
            if let error = sequence.error { throw error }
        } catch let error as YAMLError {
            throw error
        } catch {
            throw YAMLError(error)
        }
        return documents
    }

    /// One YAML document (JSON is YAML too); an empty document is `null`.
    public static func parseYAML(_ text: String) throws(YAMLError) -> JSONValue {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .null }
            return try JSONValue(yamlNode: node)
        } catch let error as YAMLError {
            throw error
        } catch {
            throw YAMLError(error)
        }
    }

    init(yamlNode node: Yams.Node) throws(YAMLError) {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: self = .null
            case .bool: self = node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int:
                if let i = node.int { self = .int(Int64(i)) } else { self = .string(scalar.string) }
            case .float: self = node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw YAMLError(message: "mapping keys must be scalars (line \(key.mark?.line ?? 0))")
                }
                if Tag.Name(rawValue: key.tag.rawValue) == .merge, case .mapping(let merged) = value {
                    for (mk, mv) in merged where members[mk.string ?? ""] == nil {
                        members[mk.string ?? ""] = try JSONValue(yamlNode: mv)
                    }
                    continue
                }
                members[keyScalar.string] = try JSONValue(yamlNode: value)
            }
            self = .object(members)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence { elements.append(try JSONValue(yamlNode: element)) }
            self = .array(elements)
        case .alias:
            throw YAMLError(message: "YAML aliases are not supported")
        }
    }

    /// Block-style YAML with sorted keys, as `kubectl get -o yaml` prints it. Strings that would read
    /// back as another type (`"true"`, `"1"`, `""`) are quoted.
    public func yamlString() -> String {
        do {
            return try Yams.serialize(node: yamlNode(), indent: 2, width: -1, allowUnicode: true, sortKeys: true)
        } catch {
            return serializedString(sortedKeys: true) + "\n"  // JSON is valid YAML
        }
    }

    func yamlNode() -> Yams.Node {
        switch self {
        case .null: return Yams.Node("null", Tag(.null))
        case .bool(let b): return Yams.Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Yams.Node(String(i), Tag(.int))
        case .double(let d): return Yams.Node(d.isFinite ? "\(d)" : ".nan", Tag(.float))
        case .string(let s):
            let needsQuotes = s.isEmpty || Resolver.default.resolveTag(of: Yams.Node(s)) != .str
                || s.first == " " || s.last == " "
            return Yams.Node(s, Tag(.str), needsQuotes ? .doubleQuoted : .any)
        case .array(let elements):
            return Yams.Node(elements.map { $0.yamlNode() }, Tag(.seq), .block)
        case .object(let members):
            let pairs = members.keys.sorted().map { (Yams.Node($0, Tag(.str)), members[$0]!.yamlNode()) }
            return Yams.Node(pairs, Tag(.map), .block)
        }
    }
}
