import Foundation
import Kube

// `make bench` runs every benchmark; `jobflow-bench NAME…` runs some. Results are printed as a
// Markdown table row each, ready for BENCHMARKS.md.

struct Result {
    var name: String
    var workload: String
    var value: String
    var target: String
    var pass: Bool
}

if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "_operator" {
    await OperatorBench.child(arguments: Array(CommandLine.arguments.dropFirst(2)))
}
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "_informer" {
    await InformerBench.child(variant: CommandLine.arguments[2])
    exit(0)
}

if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "_idle" {
    await LiveBench.idleChild(kubeconfig: CommandLine.arguments[2], seconds: Int(CommandLine.arguments[3]) ?? 20,
                              flows: Int(CommandLine.arguments[4]) ?? 100)
    exit(0)
}

var results: [Result] = []
let selected = Set(CommandLine.arguments.dropFirst())
func wanted(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }

if wanted("decode") { results.append(contentsOf: DecodeBench.run()) }
if wanted("informer") { results.append(contentsOf: InformerBench.run()) }
if wanted("clientonly") { results.append(contentsOf: try await ClientOnlyBench.run()) }
if wanted("get") { results.append(contentsOf: try await HTTPBench.getLatency()) }
if wanted("writes") { results.append(contentsOf: try await HTTPBench.writeThroughput()) }
if wanted("frames") { results.append(contentsOf: FrameBench.run()) }
if wanted("firstframe") { results.append(contentsOf: try await LiveBench.firstFrame()) }
if wanted("idle") { results.append(contentsOf: try await LiveBench.idleCPU()) }
if wanted("operator") { results.append(contentsOf: try await OperatorBench.run()) }
if wanted("fanout") { results.append(contentsOf: try await HTTPBench.watchFanOut()) }

print("\n| benchmark | workload | result | target | ok |\n|---|---|---|---|---|")
for r in results { print("| \(r.name) | \(r.workload) | \(r.value) | \(r.target) | \(r.pass ? "yes" : "NO") |") }
