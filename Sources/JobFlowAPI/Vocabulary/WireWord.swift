/// A word of the API's vocabulary (a phase, a state, a reason, a condition type) that another
/// version of the operator may extend.
///
/// Each vocabulary is an enum of the words this version knows plus `unknown(String)`: a status
/// written by a newer (or older) operator, or a Kubernetes reason passed through from a Job or
/// pod (`BackoffLimitExceeded`), still decodes and still displays, never traps and never turns
/// silently into a default. `init(rawValue:)` always gives the canonical case: a known spelling
/// never becomes `.unknown` of itself, so `==` compares words.
///
/// The spelling of every known word is written once, in the enum's `rawValue`.
public protocol WireWord: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral where RawValue == String {
    /// Every word this version defines, in documentation order.
    static var known: [Self] { get }
    /// A word this version does not define, kept as written.
    static func unknown(_ word: String) -> Self
}

extension WireWord {
    /// The canonical value of `rawValue`: the known word it spells, else `.unknown(rawValue)`.
    /// A linear scan: the vocabularies hold tens of words and decoding is not on a hot path that
    /// this would show in (`make bench`, operator rows).
    public init(rawValue: String) { self = Self.word(rawValue) }

    /// The canonical value of `rawValue` (what `init(rawValue:)` gives, without its optional).
    public static func word(_ rawValue: String) -> Self {
        known.first { $0.rawValue == rawValue } ?? unknown(rawValue)
    }

    public init(stringLiteral value: String) { self = Self.word(value) }

    /// True for a word this version defines.
    public var isKnown: Bool { Self.known.contains(self) }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self = Self.word(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
