import JobFlowAPI
import Kube
import Testing
@testable import TUI

@Suite struct ClusterFeedTests {
    @Test func aTransportFailureIsShownWithoutItsRequestURL() {
        let url = "https://10.255.255.1:6443/apis/api.practice.com/v1alpha1/jobflows?allowWatchBookmarks=true&resourceVersion=12&watch=true"
        let error = KubeError.transport(TransportError(kind: .connectionFailed, message: "connection timed out", url: url))
        #expect(ClusterFeed.shortDescription(error) == "connection timed out")
        #expect(ClusterFeed.shortDescription(TransportError(kind: .tls, message: "certificate unknown", url: url)) == "certificate unknown")
        // Other errors keep their own description (an API error names its reason and code).
        let denied = KubeError.configuration("context \"dev\" not found")
        #expect(ClusterFeed.shortDescription(denied) == "context \"dev\" not found")
    }
}
