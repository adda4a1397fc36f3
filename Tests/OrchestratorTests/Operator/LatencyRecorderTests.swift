import JobFlowAPI
import Orchestrator
import Testing

@Suite("LatencyRecorder")
struct LatencyRecorderTests {
    @Test("percentiles by nearest rank; none without samples")
    func percentiles() {
        let recorder = LatencyRecorder(capacity: 100)
        #expect(recorder.p50 == nil)
        for ms in 1...100 { recorder.record(.milliseconds(ms)) }
        #expect(recorder.p50 == .milliseconds(50))
        #expect(recorder.p99 == .milliseconds(99))
        #expect(recorder.percentile(100) == .milliseconds(100))
        #expect(recorder.maximum == .milliseconds(100))
    }

    @Test("bounded: the oldest samples are overwritten, the count keeps growing")
    func bounded() {
        let recorder = LatencyRecorder(capacity: 10)
        for ms in 1...25 { recorder.record(.milliseconds(ms)) }
        #expect(recorder.samples.count == 10)
        #expect(recorder.count == 25)
        #expect(recorder.samples.min() == .milliseconds(16))
    }
}
