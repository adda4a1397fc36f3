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
        let stalled = ProbeState(running: true, unsyncedInformers: [], sinceHeartbeat: .seconds(45)).liveness
        #expect(stalled.status == 500 && stalled.text == "async tasks have not run for 45 s\n")
        #expect(ProbeState(running: true, unsyncedInformers: [], sinceHeartbeat: .seconds(29)).liveness.status == 200)
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
