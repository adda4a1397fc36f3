import Foundation
import JobFlowAPI
import Kube
import KubeSandbox
import Testing
@testable import Orchestrator

/// Per-object memory never outlives a leadership term (docs/operator.md, "Leadership terms").
@Suite("Leadership terms", .serialized)
struct LeadershipTermTests {
    @Test("a replica that loses the Lease and leads again starts its new term with nothing remembered from the old one")
    func memoryDoesNotCrossTerms() async throws {
        let h = try await Harness.make(speed: 20)
        let partitioned = RecordingAPI(h.sandbox.client)
        let a = try h.startOperator(api: partitioned, configuration: Harness.fastElection(identity: "op-a"))
        try await h.waitFor("a leads") { a.op.status.isLeading }

        // What a term remembers: a held progress write (with an Event sent ahead of it), a finish sample.
        let key = CustomKind.jobFlow.memoryKey("default/ghost")
        let stored: JSONValue = ["status": ["state": "Running", "progress": "0/1"]]
        let held = a.op.batched([.writeStatus(["state": "Running", "progress": "1/1"], resourceVersion: "1"),
                                 .recordEvent(EventRecord(.normal, .jobSucceeded, "Job ghost-a succeeded"))],
                                on: stored, key: key, backlog: 0)
        #expect(held.retryAfter != nil, "the progress write is held")
        a.op.state.withLock { $0.term.finishedAt[key] = .seconds(1) }
        #expect(!a.op.state.withLock { $0.term.isEmpty })

        // a loses the Lease; b leads; b goes away and a leads again.
        let b = try h.startOperator(configuration: Harness.fastElection(identity: "op-b"))
        partitioned.failLeaseWrites.withLock { $0 = true }
        try await h.waitFor("a steps down") { !a.op.status.isLeading }
        try await h.waitFor("b leads") { b.op.status.isLeading }
        await b.stop()
        partitioned.failLeaseWrites.withLock { $0 = false }
        try await h.waitFor("a leads again") { a.op.status.isLeading }

        let (pending, events, finished) = a.op.state.withLock { s in
            (s.term.batcher.pendingSince[key], s.term.batcher.eventsAhead[key], s.term.finishedAt[key])
        }
        #expect(pending == nil && events == nil && finished == nil, "memory of the first term survived into the second")
        await a.stop()
        await h.stop()
    }
}
