import Foundation
import GRDB
import TinyTalkAPI

extension Store {
    /// Where a page of conversations ended: the next page starts after it.
    public struct ConversationCursor: Sendable, Equatable {
        let updatedAt: Double
        let id: Int64

        public init(after summary: ConversationSummary) {
            updatedAt = summary.conversation.updatedAt.timeIntervalSince1970
            id = summary.conversation.id
        }
    }

    /// Conversations, most recently active first, `limit` of them after `cursor` (keyset
    /// paging: a page costs the same at the start and at the 100,000th conversation). With a
    /// `filter`, only conversations whose title has a word starting with each word of it, or
    /// with a message that has (so typing "zep" already finds "zeppelin").
    public func conversationPage(after cursor: ConversationCursor? = nil, limit: Int = 100, filter: String = "") throws
        -> [ConversationSummary]
    {
        var conditions: [String] = []
        var arguments: StatementArguments = [:]
        if let cursor {
            conditions.append("(c.updatedAt < :updatedAt OR (c.updatedAt = :updatedAt AND c.id < :id))")
            arguments += ["updatedAt": cursor.updatedAt, "id": cursor.id]
        }
        if let query = Self.prefixQuery(filter) {
            // Both sides through their full-text indexes: a page costs the matches, never a
            // scan of every title.
            conditions.append(
                """
                (c.id IN (SELECT rowid FROM conversation_fts WHERE conversation_fts MATCH :query) OR c.id IN (
                    SELECT m.conversationId FROM message_fts JOIN message m ON m.id = message_fts.rowid WHERE message_fts MATCH :query))
                """)
            arguments += ["query": query]
        }
        arguments += ["limit": limit]
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT c.*, (SELECT COUNT(*) FROM message m WHERE m.conversationId = c.id AND m.hidden = 0) AS messageCount
                        FROM conversation c \(whereClause) ORDER BY c.updatedAt DESC, c.id DESC LIMIT :limit
                        """),
                arguments: arguments
            ).compactMap { row in
                Self.conversation(row).map { ConversationSummary(conversation: $0, messageCount: row.decoded("messageCount") ?? 0) }
            }
        }
    }

    /// Every word of `text`, taken literally, as the start of a word: an FTS5 query.
    static func prefixQuery(_ text: String) -> String? {
        let terms = text.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.contains("\0") }).map {
            "\"" + ExactText.replacing("\"", with: "\"\"", in: String($0)) + "\"*"
        }
        return terms.isEmpty ? nil : terms.joined(separator: " ")
    }

    /// Gives a conversation another title (`/title`, `r` in the browser, `history rename`).
    public func renameConversation(id: Int64, title: String) throws {
        try database.write { db in
            try db.cachedStatement(sql: "UPDATE conversation SET title = ? WHERE id = ?").execute(arguments: [Self.storable(title), id])
        }
    }
}
