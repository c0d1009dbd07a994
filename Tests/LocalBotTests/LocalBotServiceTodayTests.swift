import AsyncHTTPClient
import Foundation
import TestSupport
import LocalBot
import NIOCore
import Testing
import TinyTalkAPI

private func body(bot: String = "echo", model: String? = nil, stream: Bool? = nil) -> String {
    var text = #"{"botId":"\#(bot)","messages":[{"role":"user","content":"hi"}]"#
    if let model { text += #","model":"\#(model)""# }
    if let stream { text += #","stream":\#(stream)"# }
    return text + "}"
}

private func header(_ name: String, in headers: [(String, String)]) -> String? {
    headers.first { $0.0.lowercased() == name.lowercased() }?.1
}

private func events(_ text: String) -> [SSEEvent] {
    var parser = SSEParser()
    return parser.feed(Array(text.utf8))
}

private let docsCitations = #"[{"id":"kb-1","url":"https://tinytalk.ai/docs/api-keys","title":"Managing API keys","type":"url"},{"id":"kb-2","url":"https://tinytalk.ai/docs/private-agents","title":"Private agents","type":"url"}]"#

/// A response body read as it arrives, to see whether the server ends it.
private actor BodyLog {
    var text = ""
    var ended = false
    func append(_ more: String) { text += more }
    func end() { ended = true }
}

// MARK: - Models

/// Serialized, as are the other suites here: dozens of servers at once would only load the machine.
@Suite(.serialized) struct LocalBotModelTests {
    @Test(arguments: ["gpt-4o-mini", "gpt-4.1-mini"])
    func aModelOnThePlanAnswers(_ model: String) async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(model: model, stream: false))
            #expect(response.status == 200)
            let reply = try DeltaDecoder.decodeCompletion(Array(response.body.utf8))
            #expect(reply.text.hasSuffix("Model: \(model)."), "\(reply.text)")
            #expect(response.body.contains(#""model":"\#(model)""#))
        }
    }

    @Test func aStreamNamesTheModelInEveryChunk() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(model: "gpt-4.1-mini"))
            #expect(response.status == 200)
            let chunks = events(response.body).dropLast()
            #expect(!chunks.isEmpty)
            #expect(chunks.allSatisfy { $0.data.contains(#""model":"gpt-4.1-mini""#) })
        }
    }

    @Test func withoutAModelTheReplyNamesNone() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(stream: false))
            let reply = try DeltaDecoder.decodeCompletion(Array(response.body.utf8))
            #expect(!reply.text.contains("Model:"))
            #expect(response.body.contains(#""model":"\#(LocalBotConfiguration.defaultModel)""#))
        }
    }

    @Test func aKnownModelNotOnThePlanIs403NamingIt() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(model: "gpt-4o"))
            #expect(response.status == 403)
            #expect(response.body == #"{"message":"The model gpt-4o is not available on your plan (available: gpt-4o-mini, gpt-4.1-mini)."}"#)
        }
    }

    @Test func thePlanDecidesWhichKnownModelsAnswer() async throws {
        let configuration = LocalBotConfiguration(keys: ["k"], planModels: ["o3"], tokensPerSecond: 0)
        try await withLocalBot(configuration) { server in
            let o3 = try await post(server.chatURL, body: body(model: "o3", stream: false))
            #expect(o3.status == 200)
            #expect(o3.body.contains("Model: o3."))
            let mini = try await post(server.chatURL, body: body(model: "gpt-4o-mini"))
            #expect(mini.status == 403)
            #expect(mini.body.contains("gpt-4o-mini is not available on your plan (available: o3)"))
            // Naming no model still answers, with the bot's own.
            #expect(try await post(server.chatURL, body: body()).status == 200)
        }
        for model in LocalBotConfiguration.knownModels {
            #expect(!model.isEmpty && !model.contains(" "))
        }
    }

    @Test func anUnknownModelIs400() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(model: "gpt-9-ultra"))
            #expect(response.status == 400)
            #expect(response.body == #"{"message":"Unknown model gpt-9-ultra."}"#)
        }
    }

    @Test(arguments: [#""""#, "5", "true", "[]"])
    func aModelThatIsNotANameIs400(_ value: String) async throws {
        try await withLocalBot { server in
            let text = #"{"botId":"echo","messages":[{"role":"user","content":"hi"}],"model":\#(value)}"#
            let response = try await post(server.chatURL, body: text)
            #expect(response.status == 400)
            #expect(response.body.contains("model must be a model name such as gpt-4o-mini"), "\(response.body)")
        }
    }

    @Test func aNullModelIsNone() async throws {
        try await withLocalBot { server in
            let text = #"{"botId":"echo","messages":[{"role":"user","content":"hi"}],"model":null,"stream":false}"#
            let response = try await post(server.chatURL, body: text)
            #expect(response.status == 200)
            #expect(!response.body.contains("Model:"))
        }
    }
}

// MARK: - Rate limit

@Suite(.serialized) struct LocalBotRateLimitTests {
    static let fault = ("X-LocalBot-Fault", "rate-limit=2,rate-window=60")

    @Test func afterTheLimitWithoutAKeyComesA429WithItsHeaders() async throws {
        try await withLocalBot { server in
            var responses: [(status: Int, body: String, headers: [(String, String)])] = []
            for _ in 0..<3 {
                responses.append(try await post(server.chatURL, body: body(), headers: [Self.fault]))
            }
            #expect(responses.map(\.status) == [200, 200, 429])

            let refused = responses[2]
            #expect(refused.body == #"{"message":"Rate limit exceeded: 2 requests per 60 s without an API key. Slow down, or send a key."}"#)
            let retryAfter = try #require(header("Retry-After", in: refused.headers).flatMap { Int($0) })
            #expect((1...60).contains(retryAfter), "\(retryAfter)")
            #expect(header("X-RateLimit-Limit", in: refused.headers) == "2")
            #expect(header("X-RateLimit-Remaining", in: refused.headers) == "0")
            let reset = try #require(header("X-RateLimit-Reset", in: refused.headers).flatMap { Double($0) })
            let now = Date().timeIntervalSince1970
            #expect(reset > now && reset <= now + 61, "\(reset) vs \(now)")

            // The client reads the same window from them.
            let window = try #require(RateLimit { header($0, in: refused.headers) })
            #expect(window.limit == 2 && window.remaining == 0)
        }
    }

    @Test func successfulResponsesCarryTheHeadersToo() async throws {
        try await withLocalBot { server in
            let first = try await post(server.chatURL, body: body(), headers: [Self.fault])
            let second = try await post(server.chatURL, body: body(stream: false), headers: [Self.fault])
            #expect(first.status == 200 && second.status == 200)
            #expect(header("X-RateLimit-Limit", in: first.headers) == "2")
            #expect(header("X-RateLimit-Remaining", in: first.headers) == "1")
            #expect(header("X-RateLimit-Remaining", in: second.headers) == "0")
            #expect(header("X-RateLimit-Reset", in: first.headers) == header("X-RateLimit-Reset", in: second.headers))
            #expect(header("Retry-After", in: first.headers) == nil)
            #expect(first.body.hasSuffix("data: [DONE]\n\n"))
        }
    }

    @Test func aValidKeyIsNeverLimited() async throws {
        try await withLocalBot { server in
            for _ in 0..<3 { _ = try await post(server.chatURL, body: body(), headers: [Self.fault]) }
            var statuses: [Int] = []
            for _ in 0..<5 {
                let response = try await post(server.chatURL, body: body(), headers: [("Api-Key", "k"), Self.fault])
                statuses.append(response.status)
                #expect(header("X-RateLimit-Limit", in: response.headers) == nil)
            }
            #expect(statuses == Array(repeating: 200, count: 5))
            // And still limited without it.
            #expect(try await post(server.chatURL, body: body(), headers: [Self.fault]).status == 429)
        }
    }

    @Test func aPrivateBotsOwnKeyCountsAsValid() async throws {
        let configuration = LocalBotConfiguration(privateBots: ["docs": "own"], tokensPerSecond: 0)
        try await withLocalBot(configuration) { server in
            var statuses: [Int] = []
            for _ in 0..<3 {
                statuses.append(try await post(server.chatURL, body: body(), headers: [("Api-Key", "own"), ("X-LocalBot-Fault", "rate-limit=1")]).status)
            }
            #expect(statuses == [200, 200, 200])
        }
    }

    @Test func aWrongKeyCountsAsNone() async throws {
        try await withLocalBot { server in
            let headers = [("Api-Key", "wrong"), ("X-LocalBot-Fault", "rate-limit=1")]
            let first = try await post(server.chatURL, body: body(), headers: headers)
            let second = try await post(server.chatURL, body: body(), headers: headers)
            #expect(first.status == 200)
            #expect(second.status == 429)
        }
    }

    @Test func theWindowResets() async throws {
        try await withLocalBot { server in
            let headers = [("X-LocalBot-Fault", "rate-limit=1,rate-window=5")]
            #expect(try await post(server.chatURL, body: body(), headers: headers).status == 200)
            let refused = try await post(server.chatURL, body: body(), headers: headers)
            #expect(refused.status == 429)
            // Waiting as long as it asks (at most the 5 s window), and a little more, opens it again.
            let wait = try #require(header("Retry-After", in: refused.headers).flatMap { Int($0) })
            #expect((1...5).contains(wait))
            try await Task.sleep(for: .seconds(Double(min(wait, 5)) + 0.5))
            let again = try await post(server.chatURL, body: body(), headers: headers)
            #expect(again.status == 200)
            #expect(header("X-RateLimit-Remaining", in: again.headers) == "0")
        }
    }

    @Test func theLimitCanBeSetForTheWholeServer() async throws {
        let configuration = LocalBotConfiguration(keys: ["k"], tokensPerSecond: 0, fault: try LocalBotFault(parsing: "rate-limit=1,rate-window=60"))
        try await withLocalBot(configuration) { server in
            #expect(try await post(server.chatURL, body: body(), headers: []).status == 200)
            let refused = try await post(server.chatURL, body: body(), headers: [])
            #expect(refused.status == 429)
            #expect(header("Retry-After", in: refused.headers) != nil)
            #expect(try await post(server.chatURL, body: body()).status == 200)
        }
    }

    @Test(arguments: ["rate-limit", "rate-limit=x", "rate-limit=-1", "rate-window=0", "rate-window=-5", "rate-window=inf", "rate-window=soon"])
    func badRateFaultsAreRefused(_ text: String) {
        #expect(throws: LocalBotFaultError.self) { try LocalBotFault(parsing: text) }
    }
}

// MARK: - Faults of framing

@Suite(.serialized) struct LocalBotFramingFaultTests {
    @Test func faultsParse() throws {
        var expected = LocalBotFault()
        expected.rateLimit = 5
        expected.rateWindow = 10
        expected.jsonLabel = true
        expected.noContentType = true
        expected.payloadAsData = true
        expected.keepOpen = true
        #expect(try LocalBotFault(parsing: "rate-limit=5, rate-window=10,json-label,no-content-type,payload-as-data,keep-open") == expected)
        #expect(try LocalBotFault(parsing: "") == LocalBotFault())
        for name in ["rate-limit=N", "rate-window=S", "json-label", "no-content-type", "payload-as-data", "keep-open"] {
            #expect(LocalBotFault.known.contains(name), "\(name)")
        }
    }

    @Test(arguments: ["explode", "keep-closed", "json", "payload", "jsonlabel", "keep-open,explode"])
    func unknownFaultNamesAreRefused(_ text: String) {
        let error = #expect(throws: LocalBotFaultError.self) { try LocalBotFault(parsing: text) }
        #expect(error?.message.contains("unknown fault") == true, "\(String(describing: error))")
        #expect(error?.message.contains(LocalBotFault.known) == true)
    }

    @Test func anUnknownFaultInTheHeaderIs400() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(), headers: [("X-LocalBot-Fault", "json-label,keep-shut")])
            #expect(response.status == 400)
            #expect(response.body.contains("unknown fault 'keep-shut'"))
        }
    }

    @Test func jsonLabelLabelsAStreamAsJSON() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(), headers: [("X-LocalBot-Fault", "json-label")])
            #expect(response.status == 200)
            #expect(header("Content-Type", in: response.headers) == "application/json")
            #expect(response.body.hasPrefix("data: {"))
            #expect(response.body.hasSuffix("data: [DONE]\n\n"))
        }
    }

    @Test func noContentTypeSendsNoLabel() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(), headers: [("X-LocalBot-Fault", "no-content-type")])
            #expect(response.status == 200)
            #expect(header("Content-Type", in: response.headers) == nil)
            #expect(response.body.hasSuffix("data: [DONE]\n\n"))
        }
    }

    @Test func aStreamIsLabelledAnEventStreamByDefault() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body())
            #expect(header("Content-Type", in: response.headers)?.hasPrefix("text/event-stream") == true)
        }
    }

    @Test func theSourcesFollowDoneAsANamedEvent() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(bot: "docs"))
            let all = events(response.body)
            #expect(all.count >= 2)
            #expect(all.dropLast().last?.data == "[DONE]")
            #expect(all.last == SSEEvent(type: "message_payload", data: #"{"citedResources":\#(docsCitations)}"#))
        }
    }

    @Test func payloadAsDataSendsTheSourcesAsAPlainDataLine() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(bot: "docs"), headers: [("X-LocalBot-Fault", "payload-as-data")])
            #expect(response.status == 200)
            #expect(!response.body.contains("event:"))
            let payload = #"data: {"type":"message_payload","payload":{"citedResources":\#(docsCitations)}}"#
            #expect(response.body.hasSuffix("data: [DONE]\n\n" + payload + "\n\n"))
            #expect(events(response.body).last?.type == "message")
        }
    }

    @Test func payloadAsDataWithoutSourcesSendsNothingAfterDone() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(), headers: [("X-LocalBot-Fault", "payload-as-data")])
            #expect(response.body.hasSuffix("data: [DONE]\n\n"))
        }
    }

    @Test func payloadAsDataInANonStreamedReplyChangesNothing() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body(bot: "docs", stream: false), headers: [("X-LocalBot-Fault", "payload-as-data")])
            let reply = try DeltaDecoder.decodeCompletion(Array(response.body.utf8))
            #expect(reply.citations.map(\.id) == ["kb-1", "kb-2"])
        }
    }

    @Test func keepOpenLeavesTheResponseOpenAfterTheSources() async throws {
        try await withLocalBot { server in
            var request = HTTPClientRequest(url: server.chatURL)
            request.method = .POST
            request.headers.add(name: "X-LocalBot-Fault", value: "keep-open")
            request.body = .bytes(ByteBuffer(string: body(bot: "docs")))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.status == .ok)

            let log = BodyLog()
            let reader = Task {
                for try await buffer in response.body { await log.append(String(buffer: buffer)) }
                await log.end()
            }
            defer { reader.cancel() }
            let payloadEnd = "\"type\":\"url\"}]}\n\n"
            _ = await Polling.until(attempts: 1_000, every: .milliseconds(20)) { await log.text.hasSuffix(payloadEnd) }
            let text = await log.text
            #expect(text.contains("data: [DONE]\n\nevent: message_payload\n"), "\(text.suffix(300))")
            #expect(text.hasSuffix(payloadEnd))
            // The server keeps it for 30 s: a second later it is still open.
            try await Task.sleep(for: .seconds(1))
            #expect(await !log.ended)
        }
    }

    @Test func withoutKeepOpenTheResponseEnds() async throws {
        try await withLocalBot { server in
            // `post` reads to the end of the body: it returns only if the server ended it.
            let response = try await post(server.chatURL, body: body(bot: "docs"))
            #expect(response.body.hasSuffix("\"type\":\"url\"}]}\n\n"))
        }
    }
}
