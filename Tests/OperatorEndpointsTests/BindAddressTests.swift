import OperatorEndpoints
import Testing

@Suite("bind addresses (--metrics-bind-address, --health-probe-bind-address)")
struct BindAddressTests {
    @Test("controller-runtime's spellings parse", arguments: [
        ("0", BindAddress.disabled),
        (":8080", .listen(host: "0.0.0.0", port: 8080)),
        ("127.0.0.1:8080", .listen(host: "127.0.0.1", port: 8080)),
        ("0.0.0.0:9000", .listen(host: "0.0.0.0", port: 9000)),
        ("localhost:8081", .listen(host: "localhost", port: 8081)),
        ("[::1]:8080", .listen(host: "::1", port: 8080)),
        ("[::]:8443", .listen(host: "::", port: 8443)),
        (":0", .listen(host: "0.0.0.0", port: 0)),
        ("127.0.0.1:65535", .listen(host: "127.0.0.1", port: 65535)),
    ])
    func valid(text: String, expected: BindAddress) throws {
        #expect(try BindAddress.parse(text) == expected)
    }

    @Test("malformed values are rejected with a reason", arguments: [
        "", "8080", ":", "127.0.0.1:", ":65536", ":99999", ":80a", ":-1", "::1:8080", "[::1:8080", "[]:80",
        "host name:80", "-bad:80", "a..b:80", "[zz]:80", "0.0", ":+80",
    ])
    func invalid(text: String) {
        #expect(throws: BindAddressError.self) { try BindAddress.parse(text) }
    }

    @Test("the description is the canonical flag value")
    func description() throws {
        #expect(BindAddress.disabled.description == "0")
        #expect(try BindAddress.parse(":8080").description == "0.0.0.0:8080")
        #expect(try BindAddress.parse("[::1]:9").description == "[::1]:9")
    }
}
