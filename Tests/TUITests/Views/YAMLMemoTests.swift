import JobFlowAPI
import Kube
import Testing
@testable import TUI

@Suite struct YAMLMemoTests {
    @Test func anUnchangedObjectIsSerialisedOnceAndAChangedOneAgain() {
        var s = Fixtures.state()
        let ref = ResourceRef(kind: .jobFlow, namespace: "default", name: "jobflow-example")
        let first = DetailsView.yamlLines(s, ref, entry: nil)
        s = run(s, [.tick(now: s.now + 1), .tick(now: s.now + 2)]).0
        let again = DetailsView.yamlLines(s, ref, entry: nil)
        #expect(s.yamlMemo.computed.load(ordering: .relaxed) == 1)
        #expect(first.map(\.0) == again.map(\.0))

        // A new write of the object (new resourceVersion, new content) is rendered anew.
        var snap = s.snapshot
        snap.jobFlows[0][path: "metadata.resourceVersion"] = "99"
        snap.jobFlows[0][path: "status.message"] = "changed"
        s = run(s, [.snapshotChanged(snap)]).0
        let changed = DetailsView.yamlLines(s, ref, entry: nil)
        #expect(s.yamlMemo.computed.load(ordering: .relaxed) == 2)
        #expect(changed.contains { $0.0.contains("message: changed") })
    }
}

@Suite struct StatusHintTests {
    @Test func theDemoKubeconfigStaysOnTheStatusLineUntilSomethingElseIsSaid() {
        var s = Fixtures.state()
        s.hint = "kubectl --kubeconfig /tmp/jobflow-demo-1.kubeconfig get jf,dj,jobs,pods"
        let line = { (s: AppState) in ScreenView.render(s, theme: .unicode).text().split(separator: "\n", omittingEmptySubsequences: false)[s.height - 2] }
        #expect(line(s).hasPrefix("kubectl --kubeconfig /tmp/jobflow-demo-1.kubeconfig"))
        s = run(s, [.effectFailed("cannot write the request")]).0   // a message takes the line…
        #expect(!line(s).hasPrefix("kubectl"))
        s = run(s, [.key(.down)]).0   // …and the hint comes back once it is gone
        #expect(line(s).hasPrefix("kubectl --kubeconfig"))
    }
}
