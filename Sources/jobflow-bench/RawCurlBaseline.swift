import CCurl
import Foundation

/// The ceiling for the client benchmarks: one libcurl easy handle on one dedicated thread doing
/// `curl_easy_perform` in a loop against the same URL (keep-alive, HTTP/1.1, the body collected
/// into a reused buffer). No multi handle, no Swift concurrency, no thread hop.
enum RawCurlBaseline {
    /// What the write callback fills; reused across requests.
    final class Sink {
        var body: [UInt8] = []
    }

    /// Runs `warmup` then `count` sequential GETs of `url` on a new thread; rate, p50, p99.
    static func measure(url: String, expectedBytes: Int, count: Int, warmup: Int) async -> (Double, Duration, Duration) {
        await withCheckedContinuation { (continuation: CheckedContinuation<(Double, Duration, Duration), Never>) in
            let thread = Thread {
                continuation.resume(returning: run(url: url, expectedBytes: expectedBytes, count: count, warmup: warmup))
            }
            thread.name = "bench-raw-curl"
            thread.start()
        }
    }

    private static func run(url: String, expectedBytes: Int, count: Int, warmup: Int) -> (Double, Duration, Duration) {
        _ = curl_global_init(jf_global_all())
        guard let h = curl_easy_init() else { fatalError("curl_easy_init failed") }
        defer { curl_easy_cleanup(h) }
        let sink = Sink()
        sink.body.reserveCapacity(expectedBytes)
        var headers = curl_slist_append(nil, "Accept: application/json")
        headers = curl_slist_append(headers, "Expect:")
        defer { curl_slist_free_all(headers) }
        _ = jf_easy_setopt_str(h, CURLOPT_URL, url)
        _ = jf_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = jf_easy_setopt_long(h, CURLOPT_HTTP_VERSION, jf_http_version_1_1())
        _ = jf_easy_setopt_slist(h, CURLOPT_HTTPHEADER, headers)
        _ = jf_easy_setopt_str(h, CURLOPT_USERAGENT, "jobflow-tui")
        _ = jf_easy_setopt_ptr(h, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        _ = jf_easy_setopt_data_cb(h, CURLOPT_WRITEFUNCTION) { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
            sink.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: size * count))
            return size * count
        }
        func once() {
            sink.body.removeAll(keepingCapacity: true)
            let code = curl_easy_perform(h)
            precondition(code == CURLE_OK && sink.body.count == expectedBytes, "raw GET failed: \(code)")
        }
        for _ in 0..<warmup { once() }
        var samples: [Duration] = []
        samples.reserveCapacity(count)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<count {
            let t0 = clock.now
            once()
            samples.append(clock.now - t0)
        }
        let total = clock.now - start
        samples.sort()
        return (Double(count) / total.seconds, Measure.percentile(samples, 50), Measure.percentile(samples, 99))
    }
}
