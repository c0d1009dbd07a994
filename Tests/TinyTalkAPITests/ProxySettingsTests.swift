import Testing

@testable import TinyTalkAPI

/// Which proxy the environment names, read as curl reads it, and which hosts go direct.
@Suite struct ProxySettingsTests {
    @Test func theLowercaseVariableComesFirstThenAllProxy() throws {
        let both = ProxySettings(environment: ["HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"])
        #expect(both.server?.host == "lower" && both.server?.port == 2 && both.server?.variable == "https_proxy")
        let all = ProxySettings(environment: ["ALL_PROXY": "proxy.corp:3128", "https_proxy": "  "])
        #expect(all.server == ProxySettings.Server(kind: .http, host: "proxy.corp", port: 3128, variable: "ALL_PROXY"))
        #expect(ProxySettings(environment: ["http_proxy": "http://p:1"]).server == nil)  // an https endpoint's business only
    }

    @Test func anAddressWithoutSchemeOrPortIsCurlsDefault() {
        let server = ProxySettings(environment: ["https_proxy": "proxy.corp"]).server
        #expect(server?.kind == .http && server?.host == "proxy.corp" && server?.port == 1080)
        #expect(ProxySettings(environment: ["https_proxy": "socks5h://[::1]:9050"]).server?.shown == "the proxy socks5://[::1]:9050 from https_proxy")
    }

    @Test func credentialsArePercentDecodedAndNeverShown() {
        let server = ProxySettings(environment: ["HTTPS_PROXY": "http://me%40corp:p%3Ass@proxy:8080"]).server
        #expect(server?.username == "me@corp" && server?.password == "p:ss")
        #expect(server?.shown == "the proxy http://proxy:8080 from HTTPS_PROXY")
    }

    @Test func anUnusableAddressIsAProblemThatHidesItsText() {
        for (value, reason) in [
            ("https://user:hunter2@proxy:443", ": a https:// proxy is not supported (use http:// or socks5://)."),
            ("http://user:hunter2@:8080", " (expected http://HOST:PORT)."),
            ("socks5://user:hunter2@proxy:1080", ": a SOCKS proxy with a user name and password is not supported."),
        ] {
            let settings = ProxySettings(environment: ["https_proxy": value])
            #expect(settings.server == nil)
            #expect(settings.problem == "https_proxy is set but is not a proxy address tinytalk can use" + reason)
            #expect(settings.applies(to: "api.tinytalk.ai"))  // so the request fails with the problem
        }
    }

    @Test func noProxyNamesHostsTheirSubdomainsAndAddresses() {
        let settings = ProxySettings(environment: ["https_proxy": "proxy:3128", "NO_PROXY": " .internal.corp, tinytalk.ai:443,10.1.2.3,[fd00::1]"])
        #expect(!settings.applies(to: "internal.corp"))
        #expect(!settings.applies(to: "bots.internal.corp"))
        #expect(settings.applies(to: "notinternal.corp"))
        #expect(!settings.applies(to: "api.TinyTalk.ai."))
        #expect(!settings.applies(to: "10.1.2.3"))
        #expect(settings.applies(to: "10.1.2.30"))
        #expect(!settings.applies(to: "[fd00::1]"))
        #expect(settings.applies(to: "example.com"))
        #expect(!ProxySettings(environment: ["https_proxy": "proxy:3128", "no_proxy": "*"]).applies(to: "example.com"))
    }

    @Test func loopbackAlwaysGoesDirectAndNoProxyMeansDirect() {
        let settings = ProxySettings(environment: ["https_proxy": "proxy:3128"])
        for host in ["127.0.0.1", "localhost", "[::1]", "127.8.9.10"] { #expect(!settings.applies(to: host)) }
        #expect(!ProxySettings(environment: [:]).applies(to: "api.tinytalk.ai"))
    }
}
