import LocalBot
import Testing
import TinyTalkAPI
import TinyTalkCore

/// The seam sessions talk through: the real client must work behind it.
@Suite struct ChatTransportTests {
    @Test func chatClientServesAsTheTransport() async throws {
        let server = try await LocalBotServer.bind(LocalBotConfiguration(tokensPerSecond: 0))
        let serving = Task { await server.run() }
        defer {
            server.stop()
            serving.cancel()
        }
        let client = ChatClient()
        let transport: any ChatTransport = client
        let request = ChatRequest(
            botId: "echo",
            messages: [
                ChatMessage(role: .system, content: "terse"), ChatMessage(role: .user, content: "one"),
                ChatMessage(role: .assistant, content: "ok"), ChatMessage(role: .user, content: "two"),
            ])
        var reply = ""
        for try await delta in transport.stream(request, to: Endpoint(url: server.chatURL, apiKey: APIKey("any-key"))) {
            if case .text(let text) = delta { reply += text }
        }
        try await client.shutdown()
        #expect(reply == "You said 2 things and I answered 1 time. Last: “two”. Before that: “one”. System prompt: “terse”. Temperature: the bot's default.")
    }
}
