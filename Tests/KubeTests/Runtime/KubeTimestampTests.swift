import Foundation
import Testing
@testable import Kube

@Suite struct KubeTimestampParsingTests {
    @Test(arguments: [
        ("2026-11-25T03:59:29Z", 1_795_579_169.0),
        ("2026-11-25T04:59:29+01:00", 1_795_579_169.0),
        ("2026-11-25T03:59:29.250000Z", 1_795_579_169.25),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2000-02-29T12:00:00Z", 951_825_600.0),
    ])
    func parsesRFC3339(_ text: String, _ seconds: Double) {
        #expect(KubeTimestamp.parse(text)?.timeIntervalSince1970 == seconds)
    }

    @Test(arguments: ["", "2026-11-25", "2026-13-01T00:00:00Z", "2026-11-25T03:59:29", "2026-11-25T03:59:29Zjunk", "x026-11-25T03:59:29Z"])
    func rejectsEverythingElse(_ text: String) {
        #expect(KubeTimestamp.parse(text) == nil)
    }

    @Test func roundTripsWithTime() {
        let date = Date(timeIntervalSince1970: 1_795_579_169)
        #expect(KubeTimestamp.parse(KubeTimestamp.time(date)) == date)
        #expect(KubeTimestamp.httpDate(date) == "Wed, 25 Nov 2026 03:59:29 GMT")
    }
}
