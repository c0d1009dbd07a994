import Foundation
import GRDB

extension Store {
    /// A new conversation with the same bot and settings, holding copies of `source`'s shown
    /// messages up to message `at` (through it, or only those before it when `including` is
    /// false), marked as forked from `source`. The source is not touched.
    public func forkConversation(_ source: Int64, at message: Int64, including: Bool, now: Date = Date()) throws -> Conversation {
        try database.write { db in
            guard
                let original = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM conversation WHERE id = ?"), arguments: [source])
                    .flatMap(Self.conversation)
            else { throw StoreError.noSuchConversation(source) }
            let bound = including ? "<=" : "<"
            let copied = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM message WHERE conversationId = ? AND id \(bound) ? AND hidden = 0"),
                arguments: [source, message]) ?? 0
            // With nothing copied, the first message sent titles the fork, as in any new conversation.
            let title = copied > 0 ? original.title : ""
            try db.cachedStatement(
                sql: """
                    INSERT INTO conversation (botId, botName, title, systemPrompt, temperature, model, createdAt, updatedAt, forkedFrom)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    original.botId, original.botName, title, original.systemPrompt, original.temperature, original.model,
                    now.timeIntervalSince1970, now.timeIntervalSince1970, source,
                ])
            let fork = db.lastInsertedRowID
            // A reply still streaming in the source is copied as it stands, interrupted.
            try db.cachedStatement(
                sql: """
                    INSERT INTO message (conversationId, role, content, state, error, citations, promptTokens, completionTokens,
                                         totalTokens, createdAt)
                    SELECT ?, role, content, CASE state WHEN 'streaming' THEN 'interrupted' ELSE state END, error, citations,
                           promptTokens, completionTokens, totalTokens, createdAt
                    FROM message WHERE conversationId = ? AND id \(bound) ? AND hidden = 0 ORDER BY id
                    """
            ).execute(
                arguments: [fork, source, message])
            return Conversation(
                id: fork, botId: original.botId, botName: original.botName, title: title, systemPrompt: original.systemPrompt,
                temperature: original.temperature, model: original.model, createdAt: now, updatedAt: now, forkedFrom: source)
        }
    }

    /// Keeps reply `id` as a variant that is not shown (it is being asked again), answering
    /// user message `answers`.
    public func hideReply(id: Int64, answers: Int64) throws {
        try database.write { db in
            try db.cachedStatement(sql: "UPDATE message SET hidden = 1, answers = ? WHERE id = ?").execute(arguments: [answers, id])
        }
    }

    /// Makes reply `id` the shown variant among the replies to its user message.
    public func chooseVariant(id: Int64, answers: Int64) throws {
        try database.write { db in
            try db.cachedStatement(sql: "UPDATE message SET hidden = (id != ?) WHERE answers = ?").execute(arguments: [id, answers])
        }
    }
}

/// A store operation that names something that is not there.
public enum StoreError: Error, CustomStringConvertible {
    case noSuchConversation(Int64)

    public var description: String {
        switch self {
        case .noSuchConversation(let id): "there is no conversation \(id)"
        }
    }
}
