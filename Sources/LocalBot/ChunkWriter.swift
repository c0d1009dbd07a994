import Foundation
import TinyTalkAPI

/// Encodes a reply the way the service streams it: OpenAI-style `chat.completion.chunk` events
/// (a role delta first, content deltas, a finish chunk), then `data: [DONE]`.
struct ChunkWriter {
    let id: String
    let created: Int
    let model = "localbot-1"
    let lineEnd: String

    init(crlf: Bool) {
        id = "chatcmpl-local-" + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        created = Int(Date().timeIntervalSince1970)
        lineEnd = crlf ? "\r\n" : "\n"
    }

    func event(data: String, name: String? = nil) -> String {
        var text = ""
        if let name { text += "event: \(name)\(lineEnd)" }
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

    func done() -> String {
        event(data: "[DONE]")
    }

    func errorEvent(_ message: String) -> String {
        event(data: "{\"error\":{\"message\":\(JSONText.quoted(message)),\"type\":\"server_error\"}}", name: "error")
    }

    func citations(_ citations: [Citation]) -> String {
        event(data: "{\"citedResources\":\(Self.json(citations))}", name: "message_payload")
    }

    /// A whole non-streamed reply.
    func completion(text: String, citations: [Citation], promptCharacters: Int) -> String {
        var body = "{\"id\":\"\(id)\",\"object\":\"chat.completion\",\"created\":\(created),\"model\":\"\(model)\","
        body += "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\(JSONText.quoted(text))},\"finish_reason\":\"stop\"}],"
        body += "\"usage\":{\"prompt_tokens\":\(promptCharacters / 4),\"completion_tokens\":\(text.count / 4),\"total_tokens\":\((promptCharacters + text.count) / 4)}"
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
