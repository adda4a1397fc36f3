import JobFlowAPI
import Foundation
import Kube
import Logging

/// Informer memory and cold-list time: 10,000 Jobs decoded and put into the informer store.
/// Each variant runs in a fresh process; memory is the live malloc heap after sync.
enum InformerBench {
    /// What an operator keeps of a Job: identity, ownership, and the status it rolls up.
    static let operatorJobProjection = JSONProjection([
        ["metadata", "name"], ["metadata", "namespace"], ["metadata", "uid"], ["metadata", "resourceVersion"],
        ["metadata", "deletionTimestamp"], ["metadata", "labels"],
        ["metadata", "ownerReferences", "uid"], ["metadata", "ownerReferences", "controller"],
        ["spec", "suspend"],
        ["status", "startTime"], ["status", "completionTime"], ["status", "active"], ["status", "ready"],
        ["status", "succeeded"], ["status", "failed"],
        ["status", "conditions", "type"], ["status", "conditions", "status"], ["status", "conditions", "reason"],
        ["status", "conditions", "message"],
    ])

    /// The projection, and only the operator's own labels (`api.practice.com/…`).
    static func operatorTransform(_ job: JSONValue) -> JSONValue {
        onlyOperatorLabels(operatorJobProjection.apply(job))
    }

    /// Drops every label but the operator's own (`api.practice.com/…`).
    static func onlyOperatorLabels(_ job: JSONValue) -> JSONValue {
        var kept = job
        if let labels = kept[path: "metadata.labels"]?.objectValue {
            kept[path: "metadata.labels"] = .object(labels.filter { $0.key.hasPrefix(APIGroup.name + "/") })
        }
        return kept
    }

    static let count = 10_000

    static func run() -> [Result] {
        ["default", "projection", "projection-compact"].map { variant in
            let output = Measure.runIsolated(["_informer", variant])
            let fields = output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            guard fields.count == 2 else {
                return Result(name: "informer (\(variant))", workload: "", value: "failed: \(output)", target: "", pass: false)
            }
            let perJob = Int(fields[0]), elapsed = Duration.seconds(fields[1])
            print("informer (\(variant)): \(perJob) B per Job, ready in \(Measure.format(elapsed))")
            let label = ["default": "default transform (drops managedFields), trees",
                         "projection": "operator projection, trees",
                         "projection-compact": "operator projection, compact encoding"][variant] ?? variant
            return Result(name: "informer memory, \(label)",
                          workload: "\(count) Jobs of ~4 KB decoded into the store",
                          // The operator's cache is the packed projection; the other two are comparisons.
                          value: "\(perJob) B/Job, ready in \(Measure.format(elapsed))",
                          target: variant == "projection-compact" ? "≤ 2 KB/Job, ≤ 1 s" : "— (comparison)",
                          pass: variant != "projection-compact" || (perJob <= 2048 && elapsed <= .seconds(1)))
        }
    }

    /// The child process: a real Informer lists 10,000 Jobs in pages of 500 through an in-memory
    /// API; prints "<bytes per Job> <seconds to synced>".
    static func child(variant: String) async {
        let transform: @Sendable (JSONValue) -> JSONValue
        var configuration = WatcherStateMachine.Configuration()
        if variant == "default" {
            transform = Store.defaultTransform
        } else {
            transform = { onlyOperatorLabels($0) }
            configuration.projection = operatorJobProjection
        }
        let api = PagedJobsAPI(count: count)
        let before = Measure.heapInUse()
        let store = Store(transform: transform, encoding: variant.hasSuffix("compact") ? .compact : .tree)
        let informer = Informer(api: api, resource: .jobs, namespace: nil, store: store, configuration: configuration,
                                logger: Logger(label: "bench"))
        let start = ContinuousClock.now
        let task = Task { await informer.run() }
        _ = await informer.waitForSync()
        let elapsed = ContinuousClock.now - start
        task.cancel()
        await task.value
        let after = Measure.heapInUse()
        precondition(store.snapshot().count == count, "the informer did not cache every Job")
        print("\((after - before) / count) \(elapsed.seconds)")
        withExtendedLifetime(api) {}
    }
}
