import JobFlowAPI
import Kube

/// Which object a reconciler should requeue when a watched object changes.
public enum Routing {
    /// The owner a Job (or pod) reports to: its controller ownerReference, if that is a JobFlow or
    /// DaemonJob of api.practice.com.
    public static func owner(of object: JSONValue) -> (kind: CustomKind, name: String, uid: String)? {
        guard let refs = object[path: "metadata.ownerReferences"]?.arrayValue,
              let ref = refs.first(where: { $0["controller"]?.boolValue == true }),
              ref["apiVersion"]?.stringValue == Owner.apiVersion,
              let kind = ref["kind"]?.stringValue.flatMap(CustomKind.init(rawValue:)), kind != .jobTemplate,
              let name = ref["name"]?.stringValue, let uid = ref["uid"]?.stringValue else { return nil }
        return (kind, name, uid)
    }

    /// The JobTemplate names a flow refers to: when one of them changes, requeue the flow.
    public static func templateNames(flow: JSONValue) -> Set<String> {
        Set(JobFlowSpec.decode(flow["spec"]).spec.flows.compactMap(\.jobTemplateRef))
    }
}
