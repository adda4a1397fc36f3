import Kube

/// `Codable` for the spec and status values, through their wire form (`json` / `init(json:)`):
/// one encoding, the one the operator writes, whatever encoder is used. Decoding is as tolerant
/// as `init(json:)` (unknown words are kept, unreadable fields are absent); a spec decodes with
/// `decode(_:)`'s findings dropped: call `decode` directly to see them.
public protocol WireCodable: Codable {
    /// The value as the API stores it.
    var json: JSONValue { get }
    /// The value read from its stored form.
    init(wire: JSONValue) throws
}

/// A stored value that does not have the shape of the type asked for.
public struct WireDecodingError: Error, CustomStringConvertible, Sendable {
    public var type: String
    public var description: String { "not a valid \(type)" }
}

extension WireCodable {
    public init(from decoder: any Decoder) throws { try self.init(wire: try JSONValue(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

extension JobFlowStatus: WireCodable {
    public init(wire: JSONValue) { self.init(json: wire) }
}

extension DaemonJobStatus: WireCodable {
    public init(wire: JSONValue) { self.init(json: wire) }
}

extension EntryStatus: WireCodable {
    public init(wire: JSONValue) throws {
        guard let s = EntryStatus(json: wire) ?? EntryStatus(json: wire, key: "node") else { throw WireDecodingError(type: "EntryStatus") }
        self = s
    }
}

extension StatusCondition: WireCodable {
    public init(wire: JSONValue) throws {
        guard let c = StatusCondition(json: wire) else { throw WireDecodingError(type: "StatusCondition") }
        self = c
    }
}

extension JobFlowSpec: WireCodable {
    public init(wire: JSONValue) { self = JobFlowSpec.decode(wire).spec }
}

extension DaemonJobSpec: WireCodable {
    public init(wire: JSONValue) throws {
        guard let spec = DaemonJobSpec.decode(wire).spec else { throw WireDecodingError(type: "DaemonJobSpec") }
        self = spec
    }
}

extension JobTemplateSpec: WireCodable {
    public init(wire: JSONValue) throws {
        guard let spec = JobTemplateSpec.decode(wire).spec else { throw WireDecodingError(type: "JobTemplateSpec") }
        self = spec
    }
}
