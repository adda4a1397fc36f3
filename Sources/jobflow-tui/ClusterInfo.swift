import ArgumentParser
import Foundation
import JobFlowAPI
import Kube

/// `jobflow-tui cluster-info`: where the configuration points, the server's version, and whether
/// this product's custom resources are installed there.
struct ClusterInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-info",
        abstract: "Show the API server, its version, and whether the JobFlow CRDs are installed.")

    @OptionGroup var cluster: ClusterOptions

    static let group = APIGroup.name
    static let version = APIGroup.version
    static let kinds = [CustomKind.jobFlow, .daemonJob, .jobTemplate].map { ($0.resource.plural, $0.rawValue) }

    func run() async throws {
        CLILogging.bootstrap()
        let config: ClientConfiguration
        do {
            config = try ConfigLoader.load(cluster.selection)
        } catch {
            throw CLIError(error)
        }
        let client = try KubeClient.make(configuration: config)
        let where_ = config.contextName.map { "context \"\($0)\" from \(config.source)" } ?? config.source
        print("API server:  \(config.server)  (\(where_))")

        let version: JSONValue
        do {
            version = try await client.serverVersion()
        } catch let error as KubeError {
            throw CLIError(Self.explain(error, config: config), cause: error)
        }
        print("Version:     \(version["gitVersion"]?.stringValue ?? "unknown")  (\(version["platform"]?.stringValue ?? "unknown platform"))")

        // Discovery of our group-version: 404 means none of the CRDs is installed.
        var served: Set<String> = []
        do {
            let response = try await client.perform(verb: "get", method: "GET", path: "/apis/\(Self.group)/\(Self.version)")
            let list = try JSONParser.parse(response.body)
            for resource in list["resources"]?.arrayValue ?? [] {
                if let name = resource["name"]?.stringValue { served.insert(name) }
            }
        } catch let error as KubeError where error.apiError?.isNotFound == true {
            served = []
        } catch let error as KubeError {
            throw CLIError(Self.explain(error, config: config), cause: error)
        }
        print("Custom resources (\(Self.group)/\(Self.version)):")
        for (plural, kind) in Self.kinds {
            let state = served.contains(plural) ? "installed" : "not installed"
            print("  \(kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(plural).\(Self.group)  \(state)")
        }
        if served.count < Self.kinds.count {
            print("Install them with: kubectl apply -f deploy/crds/")
        }
    }

    /// A one-paragraph explanation of why the server could not be used.
    static func explain(_ error: KubeError, config: ClientConfiguration) -> String {
        let context = config.contextName.map { " (context \"\($0)\")" } ?? ""
        switch error {
        case .transport(let t):
            return "cannot reach the API server at \(config.server)\(context): \(t.message)"
        case .api(let api) where api.isUnauthorized:
            return "the API server at \(config.server) rejected the credentials of user \"\(config.userName ?? "?")\"\(context): \(api.message.isEmpty ? "Unauthorized" : api.message)"
        case .api(let api) where api.isForbidden:
            return "user \"\(config.userName ?? "?")\"\(context) may not read \(config.server): \(api.message)"
        default:
            return "\(error)"
        }
    }
}
