import Testing
@testable import KubeSandbox

@Suite struct PodLogStoreTests {
    @Test func followGetsBacklogThenNewLinesAndEndsOnTermination() async {
        let store = PodLogStore()
        store.append(namespace: "ns", pod: "p", container: "c", line: "one")
        let (backlog, stream) = store.follow(namespace: "ns", pod: "p", container: "c")
        #expect(backlog.map(\.text) == ["one"])
        store.append(namespace: "ns", pod: "p", container: "c", line: "two")
        store.markTerminated(namespace: "ns", pod: "p", container: "c")
        var seen: [String] = []
        for await line in stream { seen.append(line.text) }
        #expect(seen == ["two"])
    }

    @Test func retentionIsBounded() {
        let store = PodLogStore(maxLinesPerContainer: 3)
        for i in 0..<10 { store.append(namespace: "ns", pod: "p", container: "c", line: "\(i)") }
        #expect(store.lines(namespace: "ns", pod: "p", container: "c").map(\.text) == ["7", "8", "9"])
    }
}
