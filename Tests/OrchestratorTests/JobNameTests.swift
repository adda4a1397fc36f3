import JobFlowAPI
import Testing
@testable import Orchestrator

@Suite struct JobNameTests {
    @Test func shortNamesPassThrough() {
        #expect(JobName.make(owner: "jobflow-example", suffix: "job1") == "jobflow-example-job1")
    }

    @Test func longNamesAreCutHashedStableAndValid() {
        let owner = String(repeating: "a", count: 60)
        let name = JobName.make(owner: owner, suffix: "job1")
        #expect(name.count <= 63)
        #expect(DNSName.isLabel(name))
        #expect(name == JobName.make(owner: owner, suffix: "job1"))
        #expect(name != JobName.make(owner: owner, suffix: "job2"))
        #expect(name.hasPrefix(String(repeating: "a", count: 54)))
    }

    @Test func nodeNamesWithDotsAndCapitalsBecomeValidLabels() {
        let a = JobName.make(owner: "dj", suffix: "ip-10-0-0-1.ec2.internal")
        let b = JobName.make(owner: "dj", suffix: "ip-10-0-0-1-ec2-internal")
        #expect(DNSName.isLabel(a))
        #expect(a != b)  // sanitising never merges two different inputs
        #expect(DNSName.isLabel(JobName.make(owner: "DJ", suffix: "Node_A")))
        #expect(DNSName.isLabel(JobName.make(owner: "...", suffix: "---")))
    }

    @Test func hashIsFNV1aBase32() {
        #expect(JobName.hashString("") == JobName.hashString(""))
        #expect(JobName.hashString("a").count == 8)
        #expect(JobName.hashString("a") != JobName.hashString("b"))
    }

    @Test func labelValuesStayValid() {
        #expect(JobName.safeLabelValue("node-a.example.com") == "node-a.example.com")
        let long = String(repeating: "n", count: 100)
        #expect(JobName.safeLabelValue(long).count <= 63)
    }
}
