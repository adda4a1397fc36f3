import Testing
@testable import Kube

@Suite struct CurlProxySelectorTests {
    func proxy(_ url: String, explicit: String? = nil, _ env: [String: String]) -> String? {
        ProxySelector(explicitProxy: explicit, environment: env).proxy(for: RequestURL(url)!)
    }

    @Test func explicitProxyWinsEvenForLoopbackAndNoProxy() {
        let env = ["HTTPS_PROXY": "http://env:1", "NO_PROXY": "*"]
        #expect(proxy("https://10.0.0.1/api", explicit: "http://p:3128", env) == "http://p:3128")
        #expect(proxy("https://127.0.0.1/api", explicit: "http://p:3128", env) == "http://p:3128")
        #expect(proxy("https://k/api", explicit: "socks5://s:1080", [:]) == "socks5h://s:1080")
    }

    @Test func schemeSelectsVariableAndUpperCaseWins() {
        let env = ["HTTPS_PROXY": "http://secure:1", "https_proxy": "http://lower:1", "http_proxy": "http://plain:1"]
        #expect(proxy("https://k.example/api", env) == "http://secure:1")
        #expect(proxy("http://k.example/api", env) == "http://plain:1")
        #expect(proxy("https://k.example/api", ["https_proxy": "http://lower:1"]) == "http://lower:1")
        #expect(proxy("https://k.example/api", ["HTTPS_PROXY": "", "https_proxy": "http://lower:1"]) == "http://lower:1")
        // https never falls back to HTTP_PROXY (Go's behaviour).
        #expect(proxy("https://k.example/api", ["HTTP_PROXY": "http://plain:1"]) == nil)
        #expect(proxy("https://k.example/api", ["HTTPS_PROXY": "proxy.corp:8080"]) == "http://proxy.corp:8080")
    }

    @Test func loopbackIsNeverProxiedFromTheEnvironment() {
        let env = ["HTTPS_PROXY": "http://p:1", "HTTP_PROXY": "http://p:1"]
        #expect(proxy("https://localhost:6443/", env) == nil)
        #expect(proxy("https://LOCALHOST:6443/", env) == nil)
        #expect(proxy("http://127.0.0.1:8080/", env) == nil)
        #expect(proxy("http://127.4.5.6/", env) == nil)
        #expect(proxy("https://[::1]:6443/", env) == nil)
        #expect(proxy("https://128.0.0.1/", env) == "http://p:1")
    }

    @Test func noProxyDomainRules() {
        func env(_ noProxy: String) -> [String: String] { ["HTTPS_PROXY": "http://p:1", "no_proxy": noProxy] }
        #expect(proxy("https://api.example.com/", env("example.com")) == nil)
        #expect(proxy("https://example.com/", env("example.com")) == nil)
        #expect(proxy("https://notexample.com/", env("example.com")) == "http://p:1")
        #expect(proxy("https://api.example.com/", env(".example.com")) == nil)
        #expect(proxy("https://example.com/", env(".example.com")) == "http://p:1")
        #expect(proxy("https://api.example.com/", env("*.example.com")) == nil)
        #expect(proxy("https://API.Example.COM/", env(" other.org , EXAMPLE.com ")) == nil)
        #expect(proxy("https://anything/", env("*")) == nil)
        #expect(proxy("https://anything/", env("")) == "http://p:1")
    }

    @Test func noProxyPortsIPsAndCIDRs() {
        func env(_ noProxy: String) -> [String: String] { ["HTTPS_PROXY": "http://p:1", "NO_PROXY": noProxy] }
        #expect(proxy("https://k.example:6443/", env("k.example:6443")) == nil)
        #expect(proxy("https://k.example/", env("k.example:6443")) == "http://p:1")
        #expect(proxy("https://k.example/", env("k.example:443")) == nil) // default port counts
        #expect(proxy("https://10.1.2.3/", env("10.1.2.3")) == nil)
        #expect(proxy("https://10.1.2.4/", env("10.1.2.3")) == "http://p:1")
        #expect(proxy("https://10.1.2.3:6443/", env("10.1.2.3:6443")) == nil)
        #expect(proxy("https://10.1.2.3:443/", env("10.1.2.3:6443")) == "http://p:1")
        #expect(proxy("https://10.200.0.9/", env("10.0.0.0/8")) == nil)
        #expect(proxy("https://11.0.0.1/", env("10.0.0.0/8")) == "http://p:1")
        #expect(proxy("https://192.168.1.77/", env("192.168.1.64/26")) == nil)
        #expect(proxy("https://192.168.1.128/", env("192.168.1.64/26")) == "http://p:1")
        #expect(proxy("https://[fd00::5]/", env("fd00::/8")) == nil)
        #expect(proxy("https://[fe80::5]/", env("fd00::/8")) == "http://p:1")
        #expect(proxy("https://[2001:db8::1]/", env("2001:db8::1")) == nil)
        // A name is not matched against an IP rule, and vice versa.
        #expect(proxy("https://k.example/", env("10.0.0.0/8")) == "http://p:1")
    }

    @Test func urlParsing() throws {
        let u = try #require(RequestURL("HTTPS://user:pw@[::1]:6443/api/v1?watch=1"))
        #expect(u.scheme == "https" && u.host == "::1" && u.port == 6443 && u.userInfo == "user:pw")
        #expect(u.rest == "/api/v1?watch=1")
        #expect(u.hostHeaderValue == "[::1]:6443")
        #expect(u.replacingHost(with: "api.test") == "https://user:pw@api.test:6443/api/v1?watch=1")
        let plain = try #require(RequestURL("http://k8s.local"))
        #expect(plain.effectivePort == 80 && plain.rest == "" && plain.hostHeaderValue == "k8s.local")
        #expect(RequestURL("ftp://x/") == nil)
        #expect(RequestURL("https://x:99999/") == nil)
        #expect(RequestURL("/relative") == nil)
    }

    @Test func millisecondsNeverRoundToZero() {
        #expect(CurlTransfer.milliseconds(.seconds(10)) == 10_000)
        #expect(CurlTransfer.milliseconds(.microseconds(10)) == 1)
        #expect(CurlTransfer.milliseconds(.zero) == 1)
        #expect(CurlTransfer.milliseconds(.milliseconds(1500)) == 1500)
    }
}
