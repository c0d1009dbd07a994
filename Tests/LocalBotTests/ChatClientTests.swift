import Foundation
import LocalBot
import Testing
import TinyTalkAPI

/// The real client against the real local server, over loopback.
@Suite struct ChatClientTests {
    func endpoint(_ server: LocalBotServer, key: String = "k") -> Endpoint {
        Endpoint(url: server.chatURL, origin: "https://tinytalk.local", apiKey: APIKey(key))
    }

    func collect(_ client: ChatClient, _ request: ChatRequest, _ endpoint: Endpoint) async throws -> (String, [Citation]) {
        var text = ""
        var citations: [Citation] = []
        for try await delta in client.stream(request, to: endpoint) {
            switch delta {
            case .text(let piece): text += piece
            case .citations(let found): citations += found
            case .usage: break
            }
        }
        return (text, citations)
    }

    @Test func streamsTheReplyAndTheCitedSources() async throws {
        try await withLocalBot { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let request = ChatRequest(botId: "docs", messages: [ChatMessage(role: .user, content: "keys")])
            let (text, citations) = try await collect(client, request, endpoint(server))
            #expect(text.hasPrefix("From the handbook, on “keys”"))
            #expect(citations.map(\.url) == ["https://tinytalk.ai/docs/api-keys", "https://tinytalk.ai/docs/private-agents"])
        }
    }

    @Test func readsANonStreamedReply() async throws {
        try await withLocalBot { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let request = ChatRequest(botId: "echo", messages: [ChatMessage(role: .user, content: "hi")], stream: false)
            let (text, _) = try await collect(client, request, endpoint(server))
            #expect(text.hasPrefix("You said 1 thing."))
        }
    }

    @Test func wrongKeyIsAnHTTPErrorWithTheServersMessage() async throws {
        try await withLocalBot(LocalBotValidationTests.privateEcho) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let request = ChatRequest(botId: "echo", messages: [ChatMessage(role: .user, content: "hi")])
            await #expect(throws: APIError.http(status: 401, message: "Invalid API key for this agent.", retryAfter: nil)) {
                _ = try await collect(client, request, endpoint(server, key: "wrong"))
            }
        }
    }

    @Test func idleTimeoutEndsAStalledStream() async throws {
        let configuration = LocalBotConfiguration(keys: ["k"], tokensPerSecond: 0, fault: try LocalBotFault(parsing: "stall=30"))
        try await withLocalBot(configuration) { server in
            let client = ChatClient(configuration: .init(idleTimeout: .milliseconds(500)))
            defer { Task { try? await client.shutdown() } }
            let request = ChatRequest(botId: "story", messages: [ChatMessage(role: .user, content: "go")])
            var received = ""
            do {
                for try await delta in client.stream(request, to: endpoint(server)) {
                    if case .text(let text) = delta { received += text }
                }
                Issue.record("a stalled stream must not complete")
            } catch let error as APIError {
                #expect(error == .timedOut(.idle(seconds: 0.5)))
            }
            // What came before the stall is kept (on a busy machine the first pieces may take
            // longer than the timeout to come, so the prefix may be empty).
            let story = BotCatalog.story.answer(BotQuestion(messages: [], temperature: nil, model: nil)).text
            #expect(story.hasPrefix(received))
        }
    }

    @Test func twelveRepliesStreamFromOneHostAtOnce() async throws {
        // Every Tiny Talk bot is on one host; a connection pool of eight made tabs 9 and up wait.
        try await withLocalBot(LocalBotConfiguration(tokensPerSecond: 10)) { server in
            let client = ChatClient(configuration: .init(connectTimeout: .seconds(1)))
            defer { Task { try? await client.shutdown() } }
            let target = endpoint(server)
            let texts = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let request = ChatRequest(botId: "count", messages: [ChatMessage(role: .user, content: "25")])
                        return try await collect(client, request, target).0
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // 25 words at 10 a second: each stream takes ~2.5 s, longer than the connect timeout.
            #expect(texts.count == 12)
            #expect(texts.allSatisfy { $0.hasSuffix("w25") })
        }
    }

    @Test func cancellingTheConsumerStopsTheRequest() async throws {
        try await withLocalBot(LocalBotConfiguration(keys: ["k"], tokensPerSecond: 10)) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let request = ChatRequest(botId: "story", messages: [ChatMessage(role: .user, content: "go")])
            let target = endpoint(server)
            let consumer = Task {
                var pieces = 0
                for try await _ in client.stream(request, to: target) { pieces += 1 }
                return pieces
            }
            try await Task.sleep(for: .milliseconds(300))
            let cancelled = ContinuousClock.now
            consumer.cancel()
            _ = await consumer.result
            // The story takes over a minute at 10 deltas a second; cancellation must not wait for it.
            #expect(ContinuousClock.now - cancelled < .seconds(5))
        }
    }

    @Test func refusesToSendTheKeyInClearToANetworkHost() async throws {
        let client = ChatClient()
        defer { Task { try? await client.shutdown() } }
        let request = ChatRequest(botId: "echo", messages: [ChatMessage(role: .user, content: "hi")])
        let target = Endpoint(url: "http://192.0.2.1/v1/chat/completions", apiKey: APIKey("secret-key"))
        await #expect(throws: APIError.insecureEndpoint(host: "192.0.2.1")) {
            try await client.send(request, to: target) { _ in }
        }
    }
}
