import Foundation
import Kube

/// Watch decode: lines of ~4 KB Job events parsed into JSON values.
enum DecodeBench {
    static func run() -> [Result] {
        let count = 20_000
        let lines: [[UInt8]] = (0..<count).map { i in
            (["type": "MODIFIED", "object": Fixtures.job(index: i, resourceVersion: i + 1)] as JSONValue).serialized()
        }
        let averageSize = lines.reduce(0) { $0 + $1.count } / count
        // Warm up, then time a full pass.
        for line in lines.prefix(500) { _ = try? JSONParser.parse(line) }
        let clock = ContinuousClock()
        var parsed = 0
        let elapsed = clock.measure {
            for line in lines where (try? JSONParser.parse(line)) != nil { parsed += 1 }
        }
        let rate = Double(parsed) / elapsed.seconds
        print("decode: \(parsed) events of \(averageSize) B in \(Measure.format(elapsed)) → \(Int(rate))/s")

        // Memory of full trees kept alive.
        let before = Measure.residentBytes()
        var kept: [JSONValue] = []
        kept.reserveCapacity(10_000)
        for line in lines.prefix(10_000) { if let v = try? JSONParser.parse(line) { kept.append(v["object"]!) } }
        let after = Measure.residentBytes()
        let perObject = (after - before) / max(1, kept.count)
        print("memory: full JSONValue trees ≈ \(perObject) B per Job")
        return [Result(name: "watch decode (full parse)", workload: "\(count) MODIFIED events, \(averageSize) B Jobs",
                       value: "\(Int(rate)) events/s", target: "≥ 20,000/s", pass: rate >= 20_000)]
    }
}
