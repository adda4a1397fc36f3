import Foundation
import Logging
@testable import jobflow_tui
import Testing

@Suite("log lines (JSON and text) and redaction")
struct LogLineEncoderTests {
    @Test("a JSON line: ts, level, logger, msg, v first; metadata flattened at the top level, sorted")
    func jsonShape() throws {
        let line = LogLineEncoder.json(time: "2026-11-25T04:25:27.412Z", level: .info, label: "jobflow.operator", message: "job created",
                                       metadata: ["flow.name": "default/a", "controller": "jobflow", "lease": ["name": "x", "namespace": "y"],
                                                  "msg": "collides", "nodes": ["n1", "n2"]])
        #expect(line == #"{"ts":"2026-11-25T04:25:27.412Z","level":"info","logger":"jobflow.operator","msg":"job created","v":0,"controller":"jobflow","flow.name":"default/a","lease.name":"x","lease.namespace":"y","metadata.msg":"collides","nodes":["n1","n2"]}"#)
        #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
    }

    @Test("levels map to zap's names; v only on info and debug lines", arguments: [
        (Logger.Level.trace, "\"level\":\"debug\",", String?("\"v\":2")), (.debug, "\"level\":\"debug\",", "\"v\":1"),
        (.notice, "\"level\":\"info\",", "\"v\":0"), (.warning, "\"level\":\"warn\",", nil),
        (.error, "\"level\":\"error\",", nil), (.critical, "\"level\":\"error\",", nil),
    ])
    func levels(level: Logger.Level, name: String, verbosity: String?) {
        let line = LogLineEncoder.json(time: "t", level: level, label: "l", message: "m", metadata: [:])
        #expect(line.contains(name))
        if let verbosity { #expect(line.contains(verbosity)) } else { #expect(!line.contains("\"v\":")) }
    }

    @Test("control characters and quotes are escaped")
    func escaping() throws {
        let line = LogLineEncoder.json(time: "t", level: .info, label: "l", message: "a \"b\"\n\u{1}\\", metadata: [:])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "a \"b\"\n\u{1}\\")
        #expect(!line.contains("\n"))
    }

    @Test("credentials never reach a line: bearer/basic values, JWTs, secret-named keys")
    func redaction() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl"
        let line = LogLineEncoder.json(time: "t", level: .error, label: "l", message: "request failed: Authorization: Bearer abc.def-123",
                                       metadata: ["error": "\(jwt) rejected", "user.token": "s3cret", "auth": "Basic dXNlcjpwYXNz"])
        #expect(!line.contains("abc.def-123") && !line.contains(jwt) && !line.contains("s3cret") && !line.contains("dXNlcjpwYXNz"), "\(line)")
        #expect(line.contains("Bearer [redacted]") && line.contains("\"user.token\":\"[redacted]\""), "\(line)")
        let text = LogLineEncoder.text(time: "t", level: .info, label: "l", message: "m", metadata: ["token": "s3cret"])
        #expect(text == "t info l: m token=[redacted]")
        #expect(SecretRedactor.redact("nothing to see") == "nothing to see")
    }

    @Test("timestamps are RFC 3339 UTC with milliseconds")
    func timestamp() {
        #expect(LogLineEncoder.timestamp(0) == "1970-01-01T00:00:00.000Z")
        #expect(LogLineEncoder.timestamp(1_795_580_727.412_6) == "2026-11-25T04:25:27.412Z")
    }
}
