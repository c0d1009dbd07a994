import Foundation
import TinyTalkAPI

/// A conversation written out for people (Markdown) or programs (JSON).
public enum ConversationExport {
    public enum Format: String, Sendable, CaseIterable {
        case markdown = "md"
        case json
    }

    /// Either format holds the messages shown: of a reply asked again, the variant chosen.
    public static func render(_ conversation: Conversation, messages: [Message], as format: Format) -> String {
        switch format {
        case .markdown: return markdown(conversation, messages: messages)
        case .json: return json(conversation, messages: messages)
        }
    }

    /// The conversation as a Markdown document: a heading, a line of facts, then each message
    /// under its author, with cited sources and any interruption noted.
    public static func markdown(_ conversation: Conversation, messages: [Message]) -> String {
        let messages = messages.filter { !$0.isHidden }
        var out = "# \(conversation.title.isEmpty ? "Conversation \(conversation.id)" : conversation.title)\n\n"
        var facts = ["Bot: \(conversation.botName)", "Started: \(timestamp(conversation.createdAt))"]
        if let temperature = conversation.temperature { facts.append("Temperature: \(JSONText.number(temperature))") }
        if let model = conversation.model { facts.append("Model: \(model)") }
        out += facts.joined(separator: " · ") + "\n\n"
        if let system = conversation.systemPrompt, !system.isEmpty {
            out += "## System\n\n\(system)\n\n"
        }
        for message in messages {
            let author: String
            switch message.role {
            case .user: author = "You"
            case .assistant: author = conversation.botName
            case .system: author = "System"
            }
            out += "## \(author) · \(timestamp(message.createdAt))\n\n"
            if !message.content.isEmpty { out += message.content + "\n\n" }
            if let usage = message.usage {
                out += "*\(usage.summary)*\n\n"
            }
            if message.state == .interrupted || message.state == .failed {
                out += "> *\(message.state == .failed ? "Failed" : "Interrupted")\(message.error.map { ": \($0)" } ?? "")*\n\n"
            }
            if !message.citations.isEmpty {
                out += "Sources:\n\n"
                for (index, citation) in message.citations.enumerated() {
                    let title = citation.title ?? citation.url ?? "source"
                    out += citation.url.map { "\(index + 1). [\(title)](\($0))\n" } ?? "\(index + 1). \(title)\n"
                }
                out += "\n"
            }
        }
        return out
    }

    /// The conversation as JSON: the API's `messages` array exactly as the next request would
    /// carry it (system prompt first), plus metadata. `tinytalk ask --messages FILE` reads it back.
    public static func json(_ conversation: Conversation, messages: [Message]) -> String {
        let messages = messages.filter { !$0.isHidden }
        var out = JSONText()
        out.raw("{\n  \"id\": \(conversation.id),\n  \"bot\": ")
        out.string(conversation.botName)
        out.raw(",\n  \"botId\": ")
        out.string(conversation.botId)
        out.raw(",\n  \"title\": ")
        out.string(conversation.title)
        out.raw(",\n  \"createdAt\": ")
        out.string(timestamp(conversation.createdAt))
        out.raw(",\n  \"updatedAt\": ")
        out.string(timestamp(conversation.updatedAt))
        if let temperature = conversation.temperature {
            out.raw(",\n  \"temperature\": \(JSONText.number(temperature))")
        }
        if let model = conversation.model {
            out.raw(",\n  \"model\": ")
            out.string(model)
        }
        out.raw(",\n  \"messages\": [")
        var wire: [ChatMessage] = []
        if let system = conversation.systemPrompt, !system.isEmpty { wire.append(ChatMessage(role: .system, content: system)) }
        wire += messages.filter(\.isContext).map { ChatMessage(role: $0.role, content: $0.content) }
        for (index, message) in wire.enumerated() {
            out.raw(index == 0 ? "\n    {\"role\": " : ",\n    {\"role\": ")
            out.string(message.role.rawValue)
            out.raw(", \"content\": ")
            out.string(message.content)
            out.raw("}")
        }
        out.raw(wire.isEmpty ? "]" : "\n  ]")
        let cited = messages.enumerated().filter { !$0.element.citations.isEmpty }
        if !cited.isEmpty {
            out.raw(",\n  \"citations\": [")
            for (position, (_, message)) in cited.enumerated() {
                out.raw(position == 0 ? "\n    " : ",\n    ")
                out.raw("{\"messageId\": \(message.id), \"sources\": [")
                for (index, citation) in message.citations.enumerated() {
                    if index > 0 { out.raw(", ") }
                    out.raw("{")
                    var first = true
                    for (key, value) in [("id", citation.id), ("url", citation.url), ("title", citation.title), ("type", citation.type)] {
                        guard let value else { continue }
                        out.raw(first ? "\"\(key)\": " : ", \"\(key)\": ")
                        out.string(value)
                        first = false
                    }
                    out.raw("}")
                }
                out.raw("]}")
            }
            out.raw("\n  ]")
        }
        let costed = messages.filter { $0.usage != nil }
        if !costed.isEmpty {
            // The API's own names, so a script reads them as it reads the service's replies.
            out.raw(",\n  \"usage\": [")
            for (position, message) in costed.enumerated() {
                out.raw(position == 0 ? "\n    " : ",\n    ")
                out.raw("{\"messageId\": \(message.id)")
                let usage = message.usage!
                for (key, value) in [("prompt_tokens", usage.promptTokens), ("completion_tokens", usage.completionTokens), ("total_tokens", usage.totalTokens)] {
                    if let value { out.raw(", \"\(key)\": \(value)") }
                }
                out.raw("}")
            }
            out.raw("\n  ]")
        }
        out.raw("\n}\n")
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// ISO 8601 with time zone, as exports and JSON listings write times.
    public static func timestamp(_ date: Date) -> String { UTCTime.string(date) }
}
