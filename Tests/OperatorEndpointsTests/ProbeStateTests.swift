import OperatorEndpoints
import Testing

@Suite("health and readiness decisions")
struct ProbeStateTests {
    @Test("healthy while the loop runs, whatever the caches")
    func liveness() {
        #expect(ProbeState(running: true, unsyncedInformers: ["jobs[jobflow]"]).liveness == .text(200, "ok"))
        let stopped = ProbeState(running: false, unsyncedInformers: []).liveness
        #expect(stopped.status == 500)
        #expect(stopped.text == "operator loop not running\n")
    }

    @Test("ready only once every informer listed; the reason names the ones still listing")
    func readiness() {
        let waiting = ProbeState(running: true, unsyncedInformers: ["jobs[jobflow]", "nodes"]).readiness
        #expect(waiting.status == 503)
        #expect(waiting.text == "informers not synced: jobs[jobflow], nodes\n")
        #expect(ProbeState(running: true, unsyncedInformers: []).readiness == .text(200, "ok"))
        #expect(ProbeState(running: false, unsyncedInformers: []).readiness.status == 503)
    }
}
