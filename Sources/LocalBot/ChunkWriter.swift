import Foundation
import TinyTalkAPI

/// Encodes a reply the way the service streams it: OpenAI-style `chat.completion.chunk` events
/// (a role delta first, content deltas, a finish chunk), then `data: [DONE]`.
struct ChunkWriter {
    let id: String
    let created: Int
    let model: String
    let lineEnd: String

    init(crlf: Bool, model: String) {
        id = "chatcmpl-local-" + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        created = Int(Date().timeIntervalSince1970)
        self.model = model
        lineEnd = crlf ? "\r\n" : "\n"
    }

    func event(data: String, name: String? = nil) -> String {
        var text = ""
        if let name { text += "event: \(name)\(lineEnd)" }
        // JSON has no raw line breaks: one line, without splitting it Character by Character
        // (which was most of the time of a stream sent as fast as it goes).
        if !data.utf8.contains(UInt8(ascii: "\n")) { return text + "data: " + data + lineEnd + lineEnd }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\(lineEnd)"
        }
        return text + lineEnd
    }

    private func chunk(delta: String, finishReason: String?) -> String {
        let finish = finishReason.map(JSONText.quoted) ?? "null"
        return event(
            data: "{\"id\":\"\(id)\",\"object\":\"chat.completion.chunk\",\"created\":\(created),\"model\":\"\(model)\",\"choices\":[{\"index\":0,\"delta\":\(delta),\"logprobs\":null,\"finish_reason\":\(finish)}]}"
        )
    }

    func roleChunk() -> String {
        chunk(delta: "{\"role\":\"assistant\",\"content\":\"\"}", finishReason: nil)
    }

    func contentChunk(_ text: String) -> String {
        chunk(delta: "{\"content\":\(JSONText.quoted(text))}", finishReason: nil)
    }

    func finishChunk() -> String {
        chunk(delta: "{}", finishReason: "stop")
    }

    /// The last chunk of a stream: no choices, only the tokens the reply cost.
    func usageChunk(promptTokens: Int, completionTokens: Int) -> String {
        event(
            data: "{\"id\":\"\(id)\",\"object\":\"chat.completion.chunk\",\"created\":\(created),\"model\":\"\(model)\",\"choices\":[],\"usage\":\(Self.usage(promptTokens, completionTokens))}"
        )
    }

    static func usage(_ prompt: Int, _ completion: Int) -> String {
        "{\"prompt_tokens\":\(prompt),\"completion_tokens\":\(completion),\"total_tokens\":\(prompt + completion)}"
    }

    func done() -> String {
        event(data: "[DONE]")
    }

    func errorEvent(_ message: String) -> String {
        event(data: "{\"error\":{\"message\":\(JSONText.quoted(message)),\"type\":\"server_error\"}}", name: "error")
    }

    /// The cited sources after `[DONE]`: a `message_payload` event, or (`named: false`) a plain
    /// data line saying what it is.
    func citations(_ citations: [Citation], named: Bool = true) -> String {
        named
            ? event(data: "{\"citedResources\":\(Self.json(citations))}", name: "message_payload")
            : event(data: "{\"type\":\"message_payload\",\"payload\":{\"citedResources\":\(Self.json(citations))}}")
    }

    /// A whole non-streamed reply.
    func completion(text: String, citations: [Citation], promptTokens: Int) -> String {
        var body = "{\"id\":\"\(id)\",\"object\":\"chat.completion\",\"created\":\(created),\"model\":\"\(model)\","
        body += "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\(JSONText.quoted(text))},\"finish_reason\":\"stop\"}],"
        body += "\"usage\":\(Self.usage(promptTokens, ReplyTokens.split(text).count))"
        if !citations.isEmpty {
            body += ",\"payload\":{\"citedResources\":\(Self.json(citations))}"
        }
        return body + "}"
    }

    static func json(_ citations: [Citation]) -> String {
        let items = citations.map { citation in
            let fields: [(String, String?)] = [("id", citation.id), ("url", citation.url), ("title", citation.title), ("type", citation.type)]
            return "{" + fields.compactMap { key, value in value.map { "\"\(key)\":\(JSONText.quoted($0))" } }.joined(separator: ",") + "}"
        }
        return "[" + items.joined(separator: ",") + "]"
    }
}
