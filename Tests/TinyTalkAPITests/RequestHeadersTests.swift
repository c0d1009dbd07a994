import Testing
import TinyTalkAPI

@Suite struct RequestHeadersTests {
    @Test func headersAreExactlyTheDocumentedOnes() {
        let request = ChatRequest(botId: "b", messages: [ChatMessage(role: .user, content: "hi")], temperature: 0.2)
        let endpoint = Endpoint(origin: "https://dashboard.tinytalk.ai", apiKey: APIKey("tiny_server_sk_example123"))
        let headers = request.headers(for: endpoint, userAgent: "tinytalk/\(TinyTalkVersion.current)")
        #expect(headers.map { "\($0.name): \($0.value)" } == [
            "Api-Key: tiny_server_sk_example123",
            "Origin: https://dashboard.tinytalk.ai",
            "Content-Type: application/json",
            "Accept: text/event-stream",
            "User-Agent: tinytalk/\(TinyTalkVersion.current)",
        ])
        var single = request
        single.stream = false
        #expect(single.headers(for: endpoint, userAgent: "x").first { $0.name == "Accept" }?.value == "application/json")
    }
}
