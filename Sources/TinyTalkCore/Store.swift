import Foundation
import GRDB
import TinyTalkAPI

/// Conversations, messages and open tabs in SQLite (WAL mode), with full-text search.
///
/// Every write is its own transaction, committed before the call returns: a user's message is
/// on disk before its request leaves, and a crash loses at most the last unflushed piece of a
/// streaming reply.
public final class Store: Sendable {
    private let database: any DatabaseWriter

    /// Opens (creating if needed) the database at `path`, brings its schema up to date, and
    /// marks replies left streaming by a previous run as interrupted.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // In WAL mode NORMAL survives any crash of the process (the case that matters for a
            // chat client); only a power cut can lose the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
        try recoverInterruptedReplies()
    }

    /// A database in memory, for `--no-save` and tests.
    public init() throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        database = try DatabaseQueue(configuration: configuration)
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: conversations, messages, search, tabs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE conversation (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        botId TEXT NOT NULL,
                        botName TEXT NOT NULL,
                        title TEXT NOT NULL DEFAULT '',
                        systemPrompt TEXT,
                        temperature REAL,
                        createdAt REAL NOT NULL,
                        updatedAt REAL NOT NULL
                    );
                    CREATE INDEX conversation_by_bot ON conversation(botName, updatedAt);
                    CREATE INDEX conversation_by_activity ON conversation(updatedAt);

                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        conversationId INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
                        role TEXT NOT NULL,
                        content TEXT NOT NULL,
                        state TEXT NOT NULL,
                        error TEXT,
                        citations TEXT,
                        createdAt REAL NOT NULL
                    );
                    CREATE INDEX message_by_conversation ON message(conversationId, id);
                    CREATE INDEX message_streaming ON message(state) WHERE state = 'streaming';

                    CREATE VIRTUAL TABLE message_fts USING fts5(
                        content, content='message', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
                    );
                    CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
                        INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
                    END;
                    CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
                        INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
                    END;
                    CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
                        INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
                        INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
                    END;

                    CREATE TABLE openTab (
                        position INTEGER PRIMARY KEY,
                        conversationId INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
                        selected INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
        migrator.registerMigration("v2: model per conversation, token usage per message") { db in
            try db.execute(
                sql: """
                    ALTER TABLE conversation ADD COLUMN model TEXT;
                    ALTER TABLE message ADD COLUMN promptTokens INTEGER;
                    ALTER TABLE message ADD COLUMN completionTokens INTEGER;
                    ALTER TABLE message ADD COLUMN totalTokens INTEGER;
                    """)
        }
        return migrator
    }

    /// The migrations this build knows, in order.
    public static var migrationIdentifiers: [String] { migrator.migrations }

    /// The migrations applied to the open database.
    public func appliedMigrations() throws -> [String] {
        try database.read { try Self.migrator.appliedMigrations($0) }
    }

    private func recoverInterruptedReplies() throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE message SET state = 'interrupted', error = COALESCE(error, ?) WHERE state = 'streaming'",
                arguments: ["tinytalk stopped before the reply finished"])
        }
    }

    // MARK: - Conversations

    /// Creates a conversation with the bot.
    public func createConversation(
        botId: String, botName: String, systemPrompt: String? = nil, temperature: Double? = nil, model: String? = nil,
        now: Date = Date()
    ) throws -> Conversation {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversation (botId, botName, systemPrompt, temperature, model, createdAt, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [botId, botName, systemPrompt, temperature, model, now.timeIntervalSince1970, now.timeIntervalSince1970])
            return Conversation(
                id: db.lastInsertedRowID, botId: botId, botName: botName, systemPrompt: systemPrompt, temperature: temperature,
                model: model, createdAt: now, updatedAt: now)
        }
    }

    public func conversation(id: Int64) throws -> Conversation? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM conversation WHERE id = ?", arguments: [id]).map(Self.conversation)
        }
    }

    /// The most recently active conversation with a bot (by configured name or id).
    public func latestConversation(bot: String) throws -> Conversation? {
        try database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM conversation WHERE botName = ? OR botId = ? ORDER BY updatedAt DESC, id DESC LIMIT 1",
                arguments: [bot, bot]
            ).map(Self.conversation)
        }
    }

    /// Conversations, most recent first, optionally only one bot's.
    public func conversations(bot: String? = nil, limit: Int = 100) throws -> [ConversationSummary] {
        try database.read { db in
            let filter = bot == nil ? "" : "WHERE c.botName = :bot OR c.botId = :bot"
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, (SELECT COUNT(*) FROM message m WHERE m.conversationId = c.id) AS messageCount
                    FROM conversation c \(filter) ORDER BY c.updatedAt DESC, c.id DESC LIMIT :limit
                    """,
                arguments: ["bot": bot, "limit": limit])
            return rows.map { ConversationSummary(conversation: Self.conversation($0), messageCount: $0["messageCount"]) }
        }
    }

    /// Changes a conversation's system prompt, temperature and model.
    public func updateSettings(conversationId: Int64, systemPrompt: String?, temperature: Double?, model: String?) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE conversation SET systemPrompt = ?, temperature = ?, model = ? WHERE id = ?",
                arguments: [systemPrompt, temperature, model, conversationId])
        }
    }

    public func deleteConversation(id: Int64) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM conversation WHERE id = ?", arguments: [id])
        }
    }

    // MARK: - Messages

    /// Appends a message and commits it. The conversation's activity time moves on, and its
    /// first user message gives it a title.
    public func appendMessage(
        conversationId: Int64, role: Role, content: String, state: Message.State = .complete, now: Date = Date()
    ) throws -> Message {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO message (conversationId, role, content, state, createdAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [conversationId, role.rawValue, content, state.rawValue, now.timeIntervalSince1970])
            let id = db.lastInsertedRowID
            try db.execute(
                sql: "UPDATE conversation SET updatedAt = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, conversationId])
            if role == .user {
                try db.execute(
                    sql: "UPDATE conversation SET title = ? WHERE id = ? AND title = ''",
                    arguments: [Conversation.title(from: content), conversationId])
            }
            return Message(id: id, conversationId: conversationId, role: role, content: content, state: state, createdAt: now)
        }
    }

    /// Saves a message's text and state (a reply as it streams, and when it ends), with its
    /// cited sources and the tokens it cost.
    public func updateMessage(
        id: Int64, content: String, state: Message.State, error: String? = nil, citations: [Citation] = [], usage: Usage? = nil
    ) throws {
        let citationsJSON = citations.isEmpty ? nil : String(decoding: try JSONEncoder().encode(citations), as: UTF8.self)
        try database.write { db in
            try db.execute(
                sql: """
                    UPDATE message SET content = ?, state = ?, error = ?, citations = ?,
                        promptTokens = ?, completionTokens = ?, totalTokens = ?
                    WHERE id = ?
                    """,
                arguments: [
                    content, state.rawValue, error, citationsJSON, usage?.promptTokens, usage?.completionTokens, usage?.totalTokens, id,
                ])
        }
    }

    public func deleteMessage(id: Int64) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM message WHERE id = ?", arguments: [id])
        }
    }

    /// A conversation's messages in order: all of them, or the newest `limit` (optionally
    /// those before message `before`, for paging back).
    public func messages(conversationId: Int64, limit: Int? = nil, before: Int64? = nil) throws -> [Message] {
        try database.read { db in
            var sql = "SELECT * FROM message WHERE conversationId = :conversation"
            if before != nil { sql += " AND id < :before" }
            sql += " ORDER BY id DESC"
            if limit != nil { sql += " LIMIT :limit" }
            let rows = try Row.fetchAll(
                db, sql: sql, arguments: ["conversation": conversationId, "before": before, "limit": limit])
            return rows.reversed().map(Self.message)
        }
    }

    public func messageCount() throws -> Int {
        try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM message") ?? 0 }
    }

    // MARK: - Search

    /// Messages containing every word of `text`, newest first.
    public func search(_ text: String, limit: Int = 50) throws -> [SearchHit] {
        let terms = text.split(whereSeparator: \.isWhitespace).map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        guard !terms.isEmpty else { return [] }
        return try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.id, m.conversationId, m.role, m.createdAt, c.botName, c.title,
                           snippet(message_fts, 0, char(57344), char(57345), '…', 12) AS snippet
                    FROM message_fts
                    JOIN message m ON m.id = message_fts.rowid
                    JOIN conversation c ON c.id = m.conversationId
                    WHERE message_fts MATCH ?
                    ORDER BY message_fts.rowid DESC
                    LIMIT ?
                    """,
                arguments: [terms.joined(separator: " "), limit]
            ).map { row in
                SearchHit(
                    messageId: row["id"], conversationId: row["conversationId"], botName: row["botName"], title: row["title"],
                    role: row["role"], createdAt: Date(timeIntervalSince1970: row["createdAt"]), markedSnippet: row["snippet"])
            }
        }
    }

    // MARK: - Tabs

    /// The conversations open as tabs, in tab order, and which one was selected.
    public func openTabs() throws -> (conversationIds: [Int64], selected: Int) {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT conversationId, selected FROM openTab ORDER BY position")
            let ids: [Int64] = rows.map { $0["conversationId"] }
            let selected = rows.firstIndex { ($0["selected"] as Int) != 0 } ?? 0
            return (ids, selected)
        }
    }

    public func saveOpenTabs(_ conversationIds: [Int64], selected: Int) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM openTab")
            for (position, id) in conversationIds.enumerated() {
                try db.execute(
                    sql: "INSERT INTO openTab (position, conversationId, selected) VALUES (?, ?, ?)",
                    arguments: [position, id, position == selected ? 1 : 0])
            }
        }
    }

    // MARK: - Rows

    private static func conversation(_ row: Row) -> Conversation {
        Conversation(
            id: row["id"], botId: row["botId"], botName: row["botName"], title: row["title"], systemPrompt: row["systemPrompt"],
            temperature: row["temperature"], model: row["model"], createdAt: Date(timeIntervalSince1970: row["createdAt"]),
            updatedAt: Date(timeIntervalSince1970: row["updatedAt"]))
    }

    private static func message(_ row: Row) -> Message {
        var citations: [Citation] = []
        if let json: String = row["citations"] {
            citations = (try? JSONDecoder().decode([Citation].self, from: Data(json.utf8))) ?? []
        }
        let usage = Usage(promptTokens: row["promptTokens"], completionTokens: row["completionTokens"], totalTokens: row["totalTokens"])
        return Message(
            id: row["id"], conversationId: row["conversationId"], role: Role(rawValue: row["role"]) ?? .assistant,
            content: row["content"], state: Message.State(rawValue: row["state"]) ?? .interrupted, error: row["error"],
            citations: citations, usage: usage.isEmpty ? nil : usage, createdAt: Date(timeIntervalSince1970: row["createdAt"]))
    }
}
