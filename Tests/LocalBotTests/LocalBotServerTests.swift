import AsyncHTTPClient
import Foundation
import LocalBot
import NIOCore
import Testing
import TinyTalkAPI

/// A local server for one test, stopped when the body returns.
func withLocalBot<T>(
    _ configuration: LocalBotConfiguration = LocalBotConfiguration(keys: ["k"], tokensPerSecond: 0),
    _ body: (LocalBotServer) async throws -> T
) async throws -> T {
    let server = try await LocalBotServer.bind(configuration)
    let serving = Task { await server.run() }
    defer {
        server.stop()
        serving.cancel()
    }
    return try await body(server)
}

/// A raw POST, for requests `ChatClient` would refuse to send.
func post(
    _ url: String, body: String, headers: [(String, String)] = [("Api-Key", "k")]
) async throws -> (status: Int, body: String, headers: [(String, String)]) {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = .bytes(ByteBuffer(string: body))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
    return (Int(response.status.code), String(buffer: bytes), response.headers.map { ($0.name, $0.value) })
}

let echoBody = #"{"botId":"echo","messages":[{"role":"user","content":"hi"}]}"#

@Suite struct LocalBotValidationTests {
    static let privateEcho = LocalBotConfiguration(keys: ["k"], privateBots: ["echo": nil], tokensPerSecond: 0)

    @Test func aPublicBotAnswersWithoutAnyKey() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: echoBody, headers: [])
            #expect(response.status == 200)
            #expect(response.body.hasSuffix("data: [DONE]\n\n"))
        }
    }

    @Test func aPrivateBotWithoutAKeyIs401() async throws {
        try await withLocalBot(Self.privateEcho) { server in
            let response = try await post(server.chatURL, body: echoBody, headers: [])
            #expect(response.status == 401)
            #expect(response.body == #"{"message":"This agent is private: send an API key in the Api-Key header."}"#)
        }
    }

    @Test func aPrivateBotWithItsOwnKeyTakesThatKeyAlone() async throws {
        let configuration = LocalBotConfiguration(keys: ["shared"], privateBots: ["echo": "own", "docs": nil], tokensPerSecond: 0)
        try await withLocalBot(configuration) { server in
            let docs = #"{"botId":"docs","messages":[{"role":"user","content":"hi"}]}"#
            var statuses: [Int] = []
            for (body, key) in [(echoBody, "own"), (echoBody, "shared"), (docs, "shared"), (docs, "own")] {
                statuses.append(try await post(server.chatURL, body: body, headers: [("Api-Key", key)]).status)
            }
            #expect(statuses == [200, 401, 200, 401])
        }
    }

    @Test func wrongKeyIs401AndHeaderNamesAreCaseInsensitive() async throws {
        try await withLocalBot(Self.privateEcho) { server in
            let wrong = try await post(server.chatURL, body: echoBody, headers: [("api-key", "nope")])
            let right = try await post(server.chatURL, body: echoBody, headers: [("api-key", "k")])
            #expect(wrong.status == 401)
            #expect(right.status == 200)
        }
    }

    @Test func originNotAllowedIs403() async throws {
        try await withLocalBot(LocalBotConfiguration(allowedOrigins: ["https://ok.example"], tokensPerSecond: 0)) { server in
            let refused = try await post(server.chatURL, body: echoBody, headers: [("Origin", "https://evil.example")])
            #expect(refused.status == 403)
            #expect(refused.body.contains("Origin https://evil.example is not allowed"))
            let allowed = try await post(server.chatURL, body: echoBody, headers: [("Origin", "https://ok.example")])
            #expect(allowed.status == 200)
        }
    }

    @Test(arguments: [
        ("{not json", "not a JSON object"),
        (#"{"messages":[{"role":"user","content":"hi"}]}"#, "Missing botId"),
        (#"{"botId":"echo"}"#, "Missing messages"),
        (#"{"botId":"echo","messages":[]}"#, "Missing messages"),
        (#"{"botId":"echo","messages":[{"role":"robot","content":"hi"}]}"#, "must be system, user or assistant"),
        (#"{"botId":"echo","messages":[{"role":"user"}]}"#, "needs a string role and a string content"),
        (#"{"botId":"echo","messages":[{"role":"user","content":"hi"}],"temperature":2.5}"#, "temperature must be a number from 0 to 2"),
        (#"{"botId":"echo","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}"#, "temperature must be a number"),
    ])
    func malformedRequestsAre400(body: String, message: String) async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: body)
            #expect(response.status == 400)
            #expect(response.body.contains(message), "\(response.body)")
        }
    }

    @Test func unknownBotAndUnknownPathAre404() async throws {
        try await withLocalBot { server in
            let bot = try await post(server.chatURL, body: #"{"botId":"ghost","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(bot.status == 404)
            #expect(bot.body == #"{"message":"Bot ghost not found."}"#)
            let path = try await post(server.chatURL.replacingOccurrences(of: "/v1/chat/completions", with: "/v2/other"), body: echoBody)
            #expect(path.status == 404)
            #expect(path.body.hasPrefix(#"{"message":"#))
        }
    }

    @Test func unknownFaultIsExplained() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: echoBody, headers: [("Api-Key", "k"), ("X-LocalBot-Fault", "explode")])
            #expect(response.status == 400)
            #expect(response.body.contains("unknown fault 'explode'"))
        }
    }

    @Test func botsAreAddressableByUUIDToo() async throws {
        try await withLocalBot { server in
            let body = #"{"botId":"00000000-0000-4000-8000-000000000001","messages":[{"role":"user","content":"hi"}]}"#
            let response = try await post(server.chatURL, body: body)
            #expect(response.status == 200)
        }
    }

    @Test func refusesNonLoopbackAddresses() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await LocalBotServer.bind(LocalBotConfiguration(host: "0.0.0.0"))
        }
    }
}

@Suite struct LocalBotStreamTests {
    @Test func streamsOpenAIStyleChunksEndingInDone() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: echoBody)
            #expect(response.status == 200)
            #expect(response.headers.contains { $0.0.lowercased() == "content-type" && $0.1.hasPrefix("text/event-stream") })
            var parser = SSEParser()
            let events = parser.feed(Array(response.body.utf8))
            #expect(events.count > 4)
            #expect(events.first?.data.contains(#""delta":{"role":"assistant","content":""}"#) == true)
            #expect(events.first?.data.contains(#""object":"chat.completion.chunk""#) == true)
            #expect(events[events.count - 3].data.contains(#""finish_reason":"stop""#))
            // The last chunk carries only the tokens the reply cost.
            #expect(events[events.count - 2].data.contains(#""choices":[],"usage":{"prompt_tokens":"#))
            #expect(events.last?.data == "[DONE]")
        }
    }

    @Test func nonStreamingRequestGetsOneCompletionObject() async throws {
        try await withLocalBot { server in
            let body = #"{"botId":"docs","messages":[{"role":"user","content":"keys"}],"stream":false}"#
            let response = try await post(server.chatURL, body: body)
            #expect(response.status == 200)
            let reply = try DeltaDecoder.decodeCompletion(Array(response.body.utf8))
            #expect(reply.text.hasPrefix("From the handbook, on “keys”"))
            #expect(reply.citations.map(\.title) == ["Managing API keys", "Private agents"])
            #expect(reply.usage?.completionTokens ?? 0 > 5)
            #expect(reply.usage?.total == (reply.usage?.promptTokens ?? 0) + (reply.usage?.completionTokens ?? 0))
        }
    }

    @Test func crlfFaultUsesCRLFLineEnds() async throws {
        try await withLocalBot { server in
            let response = try await post(server.chatURL, body: echoBody, headers: [("Api-Key", "k"), ("X-LocalBot-Fault", "crlf")])
            #expect(response.body.contains("\r\n\r\n"))
            #expect(!response.body.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        }
    }

    @Test func statusFaultCarriesRetryAfter() async throws {
        try await withLocalBot { server in
            let response = try await post(
                server.chatURL, body: echoBody, headers: [("Api-Key", "k"), ("X-LocalBot-Fault", "status=429,retry-after=3")])
            #expect(response.status == 429)
            #expect(response.headers.contains { $0.0.lowercased() == "retry-after" && $0.1 == "3" })
        }
    }

    @Test func pacedStreamTakesAtLeastItsTokenTime() async throws {
        try await withLocalBot(LocalBotConfiguration(keys: ["k"], tokensPerSecond: 100)) { server in
            let started = ContinuousClock.now
            let response = try await post(server.chatURL, body: echoBody)
            #expect(response.status == 200)
            // The echo reply is about 20 deltas: at 100 a second that is at least 0.15 s.
            #expect(ContinuousClock.now - started >= .milliseconds(150))
        }
    }
}
