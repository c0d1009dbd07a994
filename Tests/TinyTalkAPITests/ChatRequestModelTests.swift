import Foundation
import Testing
import TinyTalkAPI

private let hi = [ChatMessage(role: .user, content: "Hi")]

private func body(_ request: ChatRequest) -> String {
    String(decoding: request.jsonBody(), as: UTF8.self)
}

/// The `model` a request may name, overriding the bot's own.
@Suite("ChatRequest model")
struct ChatRequestModelTests {
    @Test func modelGoesBetweenMessagesAndTemperature() {
        let request = ChatRequest(botId: "b", messages: hi, temperature: 0.2, model: "gpt-4o-mini")
        #expect(body(request) == #"{"botId":"b","messages":[{"role":"user","content":"Hi"}],"model":"gpt-4o-mini","temperature":0.2,"stream":true}"#)
    }

    @Test func modelWithoutTemperatureAndNotStreamed() {
        let request = ChatRequest(botId: "b", messages: hi, model: "gpt-4.1-mini", stream: false)
        #expect(body(request) == #"{"botId":"b","messages":[{"role":"user","content":"Hi"}],"model":"gpt-4.1-mini","stream":false}"#)
    }

    @Test func streamIsAlwaysWritten() {
        let request = ChatRequest(botId: "b", messages: hi)
        #expect(body(request) == #"{"botId":"b","messages":[{"role":"user","content":"Hi"}],"stream":true}"#)
    }

    @Test func anEmptyModelIsNone() throws {
        let request = ChatRequest(botId: "b", messages: hi, model: "")
        #expect(request.model == nil)
        #expect(!body(request).contains("model"))
        try request.validate()
    }

    @Test func theBodyIsJSONThatGivesTheModelBack() throws {
        let request = ChatRequest(botId: "b", messages: hi, model: "o3")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(request.jsonBody())) as? [String: Any])
        #expect(parsed["model"] as? String == "o3")
        #expect(parsed["stream"] as? Bool == true)
    }

    @Test(arguments: ["gpt-4o-mini", "gpt-4.1", "o3", "ft:gpt-4o-mini:acme::abc123", "claude_3.5"])
    func validModelNamesPass(_ model: String) throws {
        try ChatRequest.validate(model: model)
        try ChatRequest(botId: "b", messages: hi, model: model).validate()
    }

    @Test(arguments: [
        "gpt 4o", " gpt-4o", "gpt-4o ", "gpt-4o\n", "gpt\t4o", "gpt\u{0}", "gpt\u{7}", "gpt\u{1B}[2J", "gpt\u{7F}",
        "gpt\u{A0}4o", "gpt\u{2003}4o", "gpt\u{85}4o", "gpt\u{9B}2J", "gpt\u{80}", String(repeating: "x", count: 101),
    ])
    func unusableModelNamesAreRefused(_ model: String) {
        let error = #expect(throws: APIError.self) { try ChatRequest.validate(model: model) }
        guard case .invalidRequest(let message)? = error else {
            Issue.record("expected .invalidRequest for \(model.debugDescription), got \(String(describing: error))")
            return
        }
        #expect(message.contains("must be one word, such as gpt-4o-mini"), "\(message)")
    }

    @Test func validateRefusesABadModelBeforeSending() {
        let request = ChatRequest(botId: "b", messages: hi, model: "gpt 4o")
        #expect(throws: APIError.invalidRequest("The model name \"gpt 4o\" is not usable: it must be one word, such as gpt-4o-mini.")) {
            try request.validate()
        }
    }
}
