import JobFlowAPI
import Foundation
import Kube
import Logging
import Synchronization
import Testing
@testable import TUI

/// A transport that records request URLs and refuses every request.
final class RecordingTransport: HTTPTransport {
    let urls = Mutex<[String]>([])

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        urls.withLock { $0.append(request.url) }
        throw TransportError(kind: .connectionFailed, message: "test transport", url: request.url)
    }

    func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
        urls.withLock { $0.append(request.url) }
        throw TransportError(kind: .connectionFailed, message: "test transport", url: request.url)
    }
}

@Suite struct LiveSessionLogsTests {
    @Test func logsAreRequestedForTheChosenContainer() async throws {
        let transport = RecordingTransport()
        let client = KubeClient(server: "http://127.0.0.1:1", transport: transport, pacing: nil)
        let feed = ClusterFeed.Configuration(context: "t", namespace: nil,
                                             jobFlows: Resource(group: "api.practice.com", version: "v1alpha1", plural: "jobflows", kind: "JobFlow", namespaced: true),
                                             daemonJobs: Resource(group: "api.practice.com", version: "v1alpha1", plural: "daemonjobs", kind: "DaemonJob", namespaced: true),
                                             leaseNamespace: "default")
        let session = LiveSession(client: client, feed: feed, mode: .watch, theme: .ascii, logger: Logger(label: "test")) { _ in }
        let runner = TUIRunner(initialState: AppState(mode: .watch), theme: .ascii, clock: TUIRunner.systemClock) { _ in }
        session.handle(.openLogs(namespace: "default", pod: "p-1", container: "sidecar"), runner: runner)
        // Liveness deadline only: the request is made on a task.
        let deadline = Date().addingTimeInterval(20)
        while transport.urls.withLock({ $0.isEmpty }) && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        session.handle(.closeLogs, runner: runner)
        let url = try #require(transport.urls.withLock { $0.first })
        #expect(url.contains("/api/v1/namespaces/default/pods/p-1/log?"), "\(url)")
        #expect(url.contains("container=sidecar") && url.contains("follow=true") && url.contains("timestamps=true"), "\(url)")
    }
}
