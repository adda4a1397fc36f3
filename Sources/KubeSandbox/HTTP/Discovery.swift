import Foundation
import Kube

/// `/version`, `/api`, `/apis`, `/apis/{g}`, `/api/v1`, `/apis/{g}/{v}` in both the aggregated
/// (apidiscovery.k8s.io/v2) and the legacy forms, chosen by the Accept header.
enum Discovery {
    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-jobflow-sandbox", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc", "platform": "linux/amd64",
    ]

    /// nil when the path is not a discovery path (a resource path).
    static func respond(segments: [String], request: HTTPRequest, store: ClusterStore) -> HTTPResponse? {
        guard request.method == "GET" else { return nil }
        lazy var resources = store.servedResources
        let aggregated = request.accept.contains("as=APIGroupDiscoveryList") && request.accept.contains("v=v2;")
            || request.accept.contains("v=v2,") || request.accept.hasSuffix("v=v2")
        let wantsAggregated = request.accept.contains("as=APIGroupDiscoveryList") && aggregated
        switch (segments.first, segments.count) {
        case ("api", 1):
            if wantsAggregated {
                return .json(aggregatedList(resources.filter { $0.resource.group.isEmpty }, core: true), contentType: aggregatedContentType)
            }
            return .json(["kind": "APIVersions", "versions": ["v1"],
                          "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(request.header("host") ?? "127.0.0.1")]]])
        case ("apis", 1):
            if wantsAggregated {
                return .json(aggregatedList(resources.filter { !$0.resource.group.isEmpty }, core: false), contentType: aggregatedContentType)
            }
            return .json(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups(resources).map(groupJSON))])
        case ("apis", 2):
            guard let g = groups(resources).first(where: { $0.name == segments[1] }) else { return nil }
            var j = groupJSON(g)
            j["kind"] = "APIGroup"
            j["apiVersion"] = "v1"
            return .json(j)
        case ("api", 2):
            return resourceList(resources.filter { $0.resource.group.isEmpty && $0.resource.version == segments[1] }, groupVersion: segments[1])
        case ("apis", 3):
            let gv = "\(segments[1])/\(segments[2])"
            let rs = resources.filter { $0.resource.group == segments[1] && $0.resource.version == segments[2] }
            if rs.isEmpty { return nil }
            return resourceList(rs, groupVersion: gv)
        default:
            return nil
        }
    }

    struct Group { var name: String; var versions: [String] }

    static func groups(_ resources: [ResourceInfo]) -> [Group] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for r in resources where !r.resource.group.isEmpty {
            if versions[r.resource.group] == nil { order.append(r.resource.group) }
            if !(versions[r.resource.group]?.contains(r.resource.version) ?? false) { versions[r.resource.group, default: []].append(r.resource.version) }
        }
        return order.map { Group(name: $0, versions: versions[$0]!.sorted(by: versionPriority)) }
    }

    /// Kubernetes version ordering: GA > beta > alpha, higher numbers first.
    static func versionPriority(_ a: String, _ b: String) -> Bool {
        func key(_ v: String) -> (Int, Int, Int) {
            let scanner = v.dropFirst()
            let major = Int(scanner.prefix { $0.isNumber }) ?? 0
            let rest = scanner.drop { $0.isNumber }
            if rest.isEmpty { return (3, major, 0) }
            let minor = Int(rest.drop { !$0.isNumber }) ?? 0
            return (rest.hasPrefix("beta") ? 2 : 1, major, minor)
        }
        return key(a) > key(b)
    }

    static func groupJSON(_ g: Group) -> JSONValue {
        let versions: [JSONValue] = g.versions.map { ["groupVersion": .string("\(g.name)/\($0)"), "version": .string($0)] }
        return ["name": .string(g.name), "versions": .array(versions), "preferredVersion": versions[0]]
    }

    static func resourceList(_ resources: [ResourceInfo], groupVersion: String) -> HTTPResponse {
        var items: [JSONValue] = []
        for r in resources.sorted(by: { $0.resource.plural < $1.resource.plural }) {
            var j: JSONValue = ["name": .string(r.resource.plural), "singularName": .string(r.singular), "namespaced": .bool(r.resource.namespaced),
                                "kind": .string(r.resource.kind), "verbs": .array(r.verbs.map(JSONValue.string))]
            if !r.shortNames.isEmpty { j["shortNames"] = .array(r.shortNames.map(JSONValue.string)) }
            if !r.categories.isEmpty { j["categories"] = .array(r.categories.map(JSONValue.string)) }
            items.append(j)
            for sub in r.subresources {
                items.append(["name": .string("\(r.resource.plural)/\(sub)"), "singularName": "", "namespaced": .bool(r.resource.namespaced),
                              "kind": .string(r.resource.kind), "verbs": sub == "log" ? ["get"] : ["get", "patch", "update"]])
            }
        }
        return .json(["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(items)])
    }

    static func aggregatedList(_ resources: [ResourceInfo], core: Bool) -> JSONValue {
        var items: [JSONValue] = []
        let grouped: [(String, [String])] = core ? [("", ["v1"])] : groups(resources).map { ($0.name, $0.versions) }
        for (group, versions) in grouped {
            var versionItems: [JSONValue] = []
            for v in versions {
                let rs = resources.filter { $0.resource.group == group && $0.resource.version == v }.sorted { $0.resource.plural < $1.resource.plural }
                let resourceItems: [JSONValue] = rs.map { r in
                    let kind: JSONValue = ["group": .string(group), "version": .string(v), "kind": .string(r.resource.kind)]
                    var j: JSONValue = ["resource": .string(r.resource.plural), "responseKind": kind,
                                        "scope": r.resource.namespaced ? "Namespaced" : "Cluster", "singularResource": .string(r.singular),
                                        "verbs": .array(r.verbs.map(JSONValue.string))]
                    if !r.shortNames.isEmpty { j["shortNames"] = .array(r.shortNames.map(JSONValue.string)) }
                    if !r.categories.isEmpty { j["categories"] = .array(r.categories.map(JSONValue.string)) }
                    if !r.subresources.isEmpty {
                        j["subresources"] = .array(r.subresources.map { sub in
                            ["subresource": .string(sub), "responseKind": sub == "log" ? ["group": "", "version": "", "kind": "string"] : kind,
                             "verbs": sub == "log" ? ["get"] : ["get", "patch", "update"]]
                        })
                    }
                    return j
                }
                versionItems.append(["version": .string(v), "freshness": "Current", "resources": .array(resourceItems)])
            }
            items.append(["metadata": ["name": .string(group), "creationTimestamp": .null], "versions": .array(versionItems)])
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": .emptyObject, "items": .array(items)]
    }
}
