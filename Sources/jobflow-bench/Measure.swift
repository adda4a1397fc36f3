import CHeapStats
import Foundation

/// Timing and memory helpers for the benchmarks.
enum Measure {
    /// Resident set size of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Runs this benchmark binary again with `arguments` and returns its standard output, so a
    /// measurement of memory starts in a fresh process (RSS is not skewed by earlier frees).
    static func runIsolated(_ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Bytes live on the malloc heap now (not skewed by memory freed and kept by the allocator).
    static func heapInUse() -> Int { Int(jf_heap_in_use()) }

    /// Percentile (0…100) of sorted samples.
    static func percentile(_ sorted: [Duration], _ p: Double) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * p / 100).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    static func format(_ d: Duration) -> String {
        let us = d.seconds * 1e6
        if us < 1000 { return String(format: "%.1f µs", us) }
        return String(format: "%.2f ms", us / 1000)
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
