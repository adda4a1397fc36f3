import Kube

/// A taint as in `Node.spec.taints`.
public struct Taint: Sendable, Hashable {
    public var key: String
    public var value: String
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    public var effect: String
    public init(key: String, value: String = "", effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    var json: JSONValue { ["key": .string(key), "value": .string(value), "effect": .string(effect)] }

    init?(json: JSONValue) {
        guard let key = json["key"]?.stringValue, let effect = json["effect"]?.stringValue else { return nil }
        self.init(key: key, value: json["value"]?.stringValue ?? "", effect: effect)
    }

    static let notReady = "node.kubernetes.io/not-ready"
    static let unschedulable = "node.kubernetes.io/unschedulable"
}
