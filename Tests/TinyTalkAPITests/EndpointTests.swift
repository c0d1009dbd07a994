import Testing
import TinyTalkAPI

private let secret = "tiny_server_sk_example123"

private func endpoint(_ url: String) -> Endpoint {
    Endpoint(url: url, origin: "https://example.com", apiKey: APIKey(secret))
}

@Suite("Endpoint")
struct EndpointTests {
    @Test(arguments: [
        "http://example.com/v1/chat/completions",
        "http://10.0.0.5/v1/chat/completions",
        "http://192.168.1.20:8080/v1/chat/completions",
        "HTTP://API.TINYTALK.AI/v1/chat/completions",
        "http://127.0.0.1.nip.io/v1/chat/completions",
        "http://localhost.example.com/v1/chat/completions",
        "http://127.0.0.1@evil.example/v1/chat/completions",
        "http://[::2]/v1/chat/completions",
        "http://128.0.0.1/v1/chat/completions",
    ])
    func refusesPlainHTTPToANonLoopbackHost(_ url: String) {
        let error = #expect(throws: APIError.self) { try endpoint(url).validate() }
        guard case .insecureEndpoint(let host)? = error else {
            Issue.record("expected .insecureEndpoint for \(url), got \(String(describing: error))")
            return
        }
        let message = error?.message ?? ""
        // The message says what was refused, why, and what to do instead.
        #expect(message.contains(host))
        #expect(message.contains("http://") && message.contains("https://"))
        #expect(message.contains("network"))
        #expect(!message.contains(secret))
    }

    @Test(arguments: [
        "https://api.tinytalk.ai/v1/chat/completions",
        "https://10.0.0.5/v1/chat/completions",
        "https://example.com:8443/v1/chat/completions",
        "http://127.0.0.1/v1/chat/completions",
        "http://127.0.0.1:8080/v1/chat/completions",
        "http://127.1.2.3/v1/chat/completions",
        "http://localhost/v1/chat/completions",
        "http://localhost:3000/v1/chat/completions",
        "http://LOCALHOST:3000/v1/chat/completions",
        "http://[::1]/v1/chat/completions",
        "http://[::1]:8080/v1/chat/completions",
    ])
    func acceptsHTTPSAnywhereAndHTTPToLoopback(_ url: String) throws {
        try endpoint(url).validate()
    }

    @Test(arguments: ["ftp://example.com/x", "not a url", "https://", "", "file:///etc/passwd"])
    func refusesMalformedOrOtherSchemes(_ url: String) {
        let error = #expect(throws: APIError.self) { try endpoint(url).validate() }
        guard case .invalidRequest? = error else {
            Issue.record("expected .invalidRequest for \(url.debugDescription), got \(String(describing: error))")
            return
        }
    }

    @Test func anEmptyKeyOrOriginIsNoneAndIsNotSent() throws {
        let noKey = Endpoint(url: Endpoint.defaultURL, origin: "https://example.com", apiKey: APIKey(""))
        let noOrigin = Endpoint(url: Endpoint.defaultURL, origin: "", apiKey: APIKey(secret))
        #expect(noKey.apiKey == nil && noKey.origin == "https://example.com")
        #expect(noOrigin.origin == nil && noOrigin.apiKey == APIKey(secret))
        for endpoint in [noKey, noOrigin, Endpoint()] {
            try endpoint.validate()  // a public agent needs neither
        }
        let request = ChatRequest(botId: "b", messages: [ChatMessage(role: .user, content: "hi")])
        let names = request.headers(for: Endpoint(), userAgent: "t").map(\.name)
        #expect(names == ["Content-Type", "Accept", "User-Agent"])
        #expect(request.headers(for: noOrigin, userAgent: "t").map(\.name) == ["Api-Key", "Content-Type", "Accept", "User-Agent"])
    }
}

@Suite("APIKey")
struct APIKeyTests {
    @Test func everyTextualFormHidesTheSecret() {
        let key = APIKey(secret)
        var dumped = ""
        dump(key, to: &dumped)
        let forms = [
            "\(key)", String(describing: key), String(reflecting: key), dumped, "\([key])", "\(Optional(key) as Any)",
        ]
        for form in forms {
            #expect(!form.contains(secret), "\(form)")
            #expect(!form.contains("example123"))
        }
        #expect(!dumped.isEmpty)
        #expect(key.secret == secret)
    }

    @Test func anEndpointPrintedOrDumpedHidesTheSecret() {
        let value = endpoint(Endpoint.defaultURL)
        var dumped = ""
        dump(value, to: &dumped)
        for form in ["\(value)", String(describing: value), String(reflecting: value), dumped] {
            #expect(!form.contains(secret), "\(form)")
        }
        // The rest is still there to debug with.
        #expect(dumped.contains("api.tinytalk.ai"))
    }

    @Test func redactRemovesEveryOccurrence() {
        let key = APIKey(secret)
        let text = "POST with Api-Key: \(secret) failed; retry with \(secret)?"
        let redacted = key.redact(text)
        #expect(!redacted.contains(secret))
        #expect(redacted.hasPrefix("POST with Api-Key: ") && redacted.contains("failed; retry with"))
        #expect(key.redact("nothing secret here") == "nothing secret here")
    }

    /// A key followed by a combining mark is one larger character to `String`; it is still
    /// found and removed, byte for byte.
    @Test func redactFindsTheKeyInsideALargerCharacter() {
        let key = APIKey(secret)
        let redacted = key.redact("echoed: \(secret)\u{301} and \u{1F44D}\(secret)\u{1F3FD}")
        #expect(ExactText.contains(redacted, secret) == false, "\(redacted.debugDescription)")
        #expect(redacted == "echoed: <api key redacted>\u{301} and \u{1F44D}<api key redacted>\u{1F3FD}")
    }
}

@Suite struct ExactTextTests {
    @Test func matchesBytesWhereStringSeesOneCharacter() {
        // What String and Foundation miss: the target is part of a larger character.
        #expect(ExactText.contains("e\u{301}", "e"))
        #expect(ExactText.replacing("\t", with: " ", in: "a\t\t\u{73C}b") == "a  \u{73C}b")
        #expect(ExactText.replacing("\"", with: "\"\"", in: "say \"\u{301}hi\"") == "say \"\"\u{301}hi\"\"")
    }

    @Test func replacesEveryOccurrenceLeftToRight() {
        #expect(ExactText.replacing("aa", with: "b", in: "aaaaa") == "bba")
        #expect(ExactText.replacing("x", with: "yy", in: "") == "")
        #expect(ExactText.replacing("", with: "y", in: "abc") == "abc")
        #expect(ExactText.replacing("日本", with: "*", in: "日本語と日本") == "*語と*")
        #expect(!ExactText.contains("ab", "abc"))
    }
}
