import Foundation

/// A conversation with one bot.
public struct Conversation: Sendable, Equatable, Identifiable {
    public var id: Int64
    /// The id sent on the wire.
    public var botId: String
    /// The name the user knows the bot by (a configured name, or the id).
    public var botName: String
    /// The first words of the first message, for lists.
    public var title: String
    public var systemPrompt: String?
    public var temperature: Double?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, botId: String, botName: String, title: String = "", systemPrompt: String? = nil,
        temperature: Double? = nil, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.botId = botId
        self.botName = botName
        self.title = title
        self.systemPrompt = systemPrompt
        self.temperature = temperature
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A title from the start of a message: one line, at most `limit` characters.
    public static func title(from text: String, limit: Int = 60) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.count <= limit ? trimmed : String(trimmed.prefix(limit - 1)) + "…"
    }
}

/// A conversation as listed by `tinytalk history`.
public struct ConversationSummary: Sendable, Equatable {
    public var conversation: Conversation
    public var messageCount: Int
}

/// One message found by a full-text search.
public struct SearchHit: Sendable, Equatable {
    public var messageId: Int64
    public var conversationId: Int64
    public var botName: String
    public var title: String
    public var role: String
    public var createdAt: Date
    /// The matching text around the hit, with the matched words in `[` `]`.
    public var snippet: String
}
