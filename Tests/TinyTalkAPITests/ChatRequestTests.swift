import Foundation
import Testing
import TinyTalkAPI

private let botId = "a3e8f869-0c00-4861-8c24-dc06098520f0"

private func body(_ request: ChatRequest) -> String {
    String(decoding: request.jsonBody(), as: UTF8.self)
}

@Suite("ChatRequest")
struct ChatRequestTests {
    static let conversation = [
        ChatMessage(role: .system, content: "You are a concise assistant."),
        ChatMessage(role: .user, content: "Hi"),
        ChatMessage(role: .assistant, content: "Hello, how can I help you?"),
        ChatMessage(role: .user, content: "What is 2+2?"),
    ]

    // MARK: Encoding

    @Test func goldenMultiTurnBody() {
        let request = ChatRequest(botId: botId, messages: Self.conversation, temperature: 0.2)
        let expected =
            #"{"botId":"a3e8f869-0c00-4861-8c24-dc06098520f0","messages":["#
            + #"{"role":"system","content":"You are a concise assistant."},"#
            + #"{"role":"user","content":"Hi"},"#
            + #"{"role":"assistant","content":"Hello, how can I help you?"},"#
            + #"{"role":"user","content":"What is 2+2?"}"#
            + #"],"temperature":0.2,"stream":true}"#
        #expect(request.jsonBody() == Array(expected.utf8))
    }

    @Test func streamDefaultsToTrue() {
        #expect(ChatRequest(botId: botId, messages: Self.conversation).stream)
    }

    @Test func temperatureIsOmittedWhenNil() {
        let request = ChatRequest(botId: botId, messages: [ChatMessage(role: .user, content: "Hi")])
        #expect(body(request) == #"{"botId":"a3e8f869-0c00-4861-8c24-dc06098520f0","messages":[{"role":"user","content":"Hi"}],"stream":true}"#)
        #expect(!body(request).contains("temperature"))
    }

    @Test func nonStreamingVariant() {
        let request = ChatRequest(botId: botId, messages: [ChatMessage(role: .user, content: "Hi")], temperature: 0.8, stream: false)
        #expect(body(request) == #"{"botId":"a3e8f869-0c00-4861-8c24-dc06098520f0","messages":[{"role":"user","content":"Hi"}],"temperature":0.8,"stream":false}"#)
    }

    @Test(arguments: [(0.0, "0"), (1.0, "1"), (2.0, "2"), (0.7, "0.7"), (1.25, "1.25"), (0.1, "0.1")])
    func temperatureIsWrittenAsAPlainJSONNumber(_ temperature: Double, _ written: String) {
        let request = ChatRequest(botId: "b", messages: [ChatMessage(role: .user, content: "x")], temperature: temperature)
        #expect(body(request).contains(#","temperature":\#(written),"stream":true}"#))
    }

    @Test func contentIsEscaped() throws {
        let content = "Say \"hi\"\nthen\ttab \\ back\rslash bell\u{7} nul\u{0} bs\u{8} ff\u{C} esc\u{1B} us\u{1F} del\u{7F} café 😀 e\u{301} </script> \u{2028}"
        let request = ChatRequest(botId: botId, messages: [ChatMessage(role: .user, content: content)], stream: false)
        let expected =
            #"{"botId":"a3e8f869-0c00-4861-8c24-dc06098520f0","messages":[{"role":"user","content":"#
            + #""Say \"hi\"\nthen\ttab \\ back\rslash bell\u0007 nul\u0000 bs\b ff\f esc\u001b us\u001f del"#
            + "\u{7F} café 😀 e\u{301} </script> \u{2028}\""
            + #"}],"stream":false}"#
        #expect(request.jsonBody() == Array(expected.utf8))

        // And it is valid JSON that gives back exactly the same text.
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(request.jsonBody())) as? [String: Any])
        let messages = try #require(parsed["messages"] as? [[String: Any]])
        let roundTripped = try #require(messages.first?["content"] as? String)
        #expect(Array(roundTripped.utf8) == Array(content.utf8))
    }

    @Test func botIdIsEscapedToo() {
        let request = ChatRequest(botId: "a\"b", messages: [ChatMessage(role: .user, content: "x")])
        #expect(body(request).hasPrefix(#"{"botId":"a\"b","#))
    }

    // MARK: Validation

    @Test(arguments: [2.5, -0.1, Double.nan, Double.infinity, -Double.infinity, 2.000_000_1])
    func validateRefusesTemperatureOutOfRange(_ temperature: Double) {
        let request = ChatRequest(botId: botId, messages: Self.conversation, temperature: temperature)
        let error = #expect(throws: APIError.self) { try request.validate() }
        guard case .invalidRequest(let message)? = error else {
            Issue.record("expected .invalidRequest, got \(String(describing: error))")
            return
        }
        #expect(message.contains("0") && message.contains("2") && message.contains("between 0 and 2"), "\(message)")
    }

    @Test(arguments: [0.0, 2.0, 0.2, 1.0, nil] as [Double?])
    func validateAcceptsTemperatureInRange(_ temperature: Double?) throws {
        try ChatRequest(botId: botId, messages: Self.conversation, temperature: temperature).validate()
    }

    @Test func validateRefusesEmptyBotIdAndEmptyConversation() {
        for request in [
            ChatRequest(botId: "", messages: Self.conversation),
            ChatRequest(botId: botId, messages: []),
        ] {
            let error = #expect(throws: APIError.self) { try request.validate() }
            guard case .invalidRequest(let message)? = error else {
                Issue.record("expected .invalidRequest, got \(String(describing: error))")
                continue
            }
            #expect(!message.isEmpty)
        }
    }
}
