import Foundation
import TinyTalkAPI

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
    /// The model asked for instead of the bot's own; nil: the bot's.
    public var model: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The conversation this one was forked from (an earlier message edited, or `/fork`).
    public var forkedFrom: Int64?

    public init(
        id: Int64, botId: String, botName: String, title: String = "", systemPrompt: String? = nil,
        temperature: Double? = nil, model: String? = nil, createdAt: Date = Date(), updatedAt: Date = Date(), forkedFrom: Int64? = nil
    ) {
        self.forkedFrom = forkedFrom
        self.id = id
        self.botId = botId
        self.botName = botName
        self.title = title
        self.systemPrompt = systemPrompt
        self.temperature = temperature
        self.model = model
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A title from the start of a message: one line, at most `limit` characters.
    public static func title(from text: String, limit: Int = 60) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingSpaces()
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
    /// The matching text around the hit, the matched words between ``matchStart`` and ``matchEnd``.
    public var markedSnippet: String

    /// Marks around each matched word in ``markedSnippet`` (private-use characters, so they
    /// survive cleaning and never come from a message).
    public static let matchStart: Character = "\u{E000}"
    public static let matchEnd: Character = "\u{E001}"

    public init(
        messageId: Int64, conversationId: Int64, botName: String, title: String, role: String, createdAt: Date, markedSnippet: String
    ) {
        self.messageId = messageId
        self.conversationId = conversationId
        self.botName = botName
        self.title = title
        self.role = role
        self.createdAt = createdAt
        self.markedSnippet = markedSnippet
    }

    /// The text around the hit, without marks.
    public var snippet: String {
        markedSnippet.filter { $0 != Self.matchStart && $0 != Self.matchEnd }
    }

    /// The snippet, single-line and cut to `limit` characters, as pieces: matched words and the text between.
    public func snippetPieces(limit: Int = 160) -> [(text: String, matched: Bool)] {
        var pieces: [(text: String, matched: Bool)] = []
        var current = ""
        var matched = false
        for character in TextExcerpt.clean(markedSnippet, limit: limit) {
            guard character == Self.matchStart || character == Self.matchEnd else {
                current.append(character)
                continue
            }
            if !current.isEmpty { pieces.append((current, matched)) }
            current = ""
            matched = character == Self.matchStart
        }
        if !current.isEmpty { pieces.append((current, matched)) }
        return pieces
    }
}
