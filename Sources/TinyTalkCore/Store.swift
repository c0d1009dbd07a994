import Foundation
import GRDB
import TinyTalkAPI

/// Conversations, messages and open tabs in SQLite (WAL mode), with full-text search.
///
/// Every write is its own transaction, committed before the call returns: a user's message is
/// on disk before its request leaves, and a crash loses at most the last unflushed piece of a
/// streaming reply.
///
/// The statements of the calls go through each connection's statement cache, so SQLite parses
/// and plans each once per connection rather than at every call (each flush of a streaming
/// reply, each change of the browser's filter). A store in memory gains little from it: GRDB
/// sets `PRAGMA query_only` around each of its reads, which has SQLite prepare every statement
/// again.
public final class Store: Sendable {
    /// Internal, not private: tests and the fuzz targets write damaged rows through it.
    let database: any DatabaseWriter
    /// Where the locks of this store's processes and open conversations are (nil in memory).
    let locksDirectory: String?
    /// This process's mark on the replies it is writing, and the lock that says it is alive.
    let owner: String
    private let ownerLock: ProcessLock?
    /// False when opened read-only (for listings).
    private let writable: Bool

    /// Why the store refused to open.
    public struct OpenError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Opens (creating if needed) the database at `path`, brings its schema up to date, and
    /// marks replies that a process no longer running left streaming as interrupted (a reply
    /// another running tinytalk is writing is left alone).
    ///
    /// - Parameter readOnly: for listings (`history`, `search`, `export`): nothing is written,
    ///   not even a recovered reply, and a database others may not write to still opens.
    public init(path: String, readOnly: Bool = false) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        locksDirectory = directory.appendingPathComponent("locks").path
        owner = UUID().uuidString
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        if readOnly {
            configuration.readonly = true
            ownerLock = nil
            writable = false
            database = try DatabaseQueue(path: path, configuration: configuration)
            let applied = try database.read { try Self.migrator.appliedMigrations($0) }
            guard Set(applied) == Set(Self.migrator.migrations) else {
                throw OpenError(description: "the history at \(path) was written by an older tinytalk: run tinytalk once (with write access) to bring it up to date")
            }
            return
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        configuration.prepareDatabase { db in
            // In WAL mode NORMAL survives any crash of the process (the case that matters for a
            // chat client); only a power cut can lose the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        ownerLock = ProcessLock.acquire("\(locksDirectory!)/process-\(owner).lock")
        writable = true
        try Self.migrator.migrate(database)
        try recoverInterruptedReplies()
    }

    /// A database in memory, for `--no-save` and tests.
    public init() throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        database = try DatabaseQueue(configuration: configuration)
        locksDirectory = nil
        owner = UUID().uuidString
        ownerLock = nil
        writable = true
        try Self.migrator.migrate(database)
    }

    /// Text as SQLite keeps it: GRDB hands strings over NUL-terminated, so a NUL would end the
    /// stored text there. It is kept as the visible symbol for NUL instead.
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? ExactText.replacing("\u{0}", with: "\u{2400}", in: text) : text
    }

    static func storable(_ text: String?) -> String? {
        text.map(storable)
    }

    /// Makes writes fail once the database file holds `pages` pages, as a full disk would (tests).
    func limitSize(toPages pages: Int) throws {
        try database.write { try $0.execute(sql: "PRAGMA max_page_count = \(pages)") }
    }

    /// The migrations this build knows, in order.
    public static var migrationIdentifiers: [String] { migrator.migrations }

    /// The migrations applied to the open database.
    public func appliedMigrations() throws -> [String] {
        try database.read { try Self.migrator.appliedMigrations($0) }
    }

    /// Marks interrupted the replies left streaming by processes that are gone. A process holds
    /// its lock while it runs, so a reply another tinytalk is writing right now stays as it is.
    private func recoverInterruptedReplies() throws {
        let owners = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT owner FROM message WHERE state = 'streaming'").map { $0.decoded("owner") as String? }
        }
        for owner in owners {
            if let owner, let locksDirectory {
                let lockFile = "\(locksDirectory)/process-\(owner).lock"
                if ProcessLock.isHeld(lockFile) { continue }
                try? FileManager.default.removeItem(atPath: lockFile)
            }
            try database.write { db in
                try db.execute(
                    sql: "UPDATE message SET state = 'interrupted', error = COALESCE(error, ?) WHERE state = 'streaming' AND owner IS ?",
                    arguments: ["tinytalk stopped before the reply finished", owner])
            }
        }
    }

    // MARK: - Conversations

    /// Creates a conversation with the bot.
    public func createConversation(
        botId: String, botName: String, systemPrompt: String? = nil, temperature: Double? = nil, model: String? = nil,
        now: Date = Date()
    ) throws -> Conversation {
        try database.write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO conversation (botId, botName, systemPrompt, temperature, model, createdAt, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    Self.storable(botId), Self.storable(botName), Self.storable(systemPrompt), temperature, Self.storable(model),
                    now.timeIntervalSince1970, now.timeIntervalSince1970,
                ])
            return Conversation(
                id: db.lastInsertedRowID, botId: botId, botName: botName, systemPrompt: systemPrompt, temperature: temperature,
                model: model, createdAt: now, updatedAt: now)
        }
    }

    public func conversation(id: Int64) throws -> Conversation? {
        try database.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM conversation WHERE id = ?"), arguments: [id]).flatMap(Self.conversation)
        }
    }

    /// The most recently active conversation with a bot (by configured name or id).
    public func latestConversation(bot: String) throws -> Conversation? {
        try database.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM conversation WHERE botName = ? OR botId = ? ORDER BY updatedAt DESC, id DESC LIMIT 1"),
                arguments: [bot, bot]
            ).flatMap(Self.conversation)
        }
    }

    /// Conversations, most recent first, optionally only one bot's.
    public func conversations(bot: String? = nil, limit: Int = 100) throws -> [ConversationSummary] {
        try database.read { db in
            let filter = bot == nil ? "" : "WHERE c.botName = :bot OR c.botId = :bot"
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT c.*, (SELECT COUNT(*) FROM message m WHERE m.conversationId = c.id AND m.hidden = 0) AS messageCount
                        FROM conversation c \(filter) ORDER BY c.updatedAt DESC, c.id DESC LIMIT :limit
                        """),
                arguments: ["bot": bot, "limit": limit])
            return rows.compactMap { row in
                Self.conversation(row).map { ConversationSummary(conversation: $0, messageCount: row.decoded("messageCount") ?? 0) }
            }
        }
    }

    /// Changes a conversation's system prompt, temperature and model.
    public func updateSettings(conversationId: Int64, systemPrompt: String?, temperature: Double?, model: String?) throws {
        try database.write { db in
            try db.cachedStatement(sql: "UPDATE conversation SET systemPrompt = ?, temperature = ?, model = ? WHERE id = ?").execute(
                arguments: [Self.storable(systemPrompt), temperature, Self.storable(model), conversationId])
        }
    }

    public func deleteConversation(id: Int64) throws {
        try database.write { db in
            try db.cachedStatement(sql: "DELETE FROM conversation WHERE id = ?").execute(arguments: [id])
        }
    }

    // MARK: - Messages

    /// Appends a message and commits it. The conversation's activity time moves on, and its
    /// first user message gives it a title.
    /// - Parameter answers: for a reply, the user message it answers.
    public func appendMessage(
        conversationId: Int64, role: Role, content: String, state: Message.State = .complete, answers: Int64? = nil, now: Date = Date()
    ) throws -> Message {
        try database.write { db in
            try db.cachedStatement(
                sql: "INSERT INTO message (conversationId, role, content, state, owner, answers, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)"
            ).execute(
                arguments: [
                    conversationId, role.rawValue, Self.storable(content), state.rawValue, state == .streaming ? owner : nil, answers,
                    now.timeIntervalSince1970,
                ])
            let id = db.lastInsertedRowID
            try db.cachedStatement(sql: "UPDATE conversation SET updatedAt = ? WHERE id = ?").execute(
                arguments: [now.timeIntervalSince1970, conversationId])
            if role == .user {
                try db.cachedStatement(sql: "UPDATE conversation SET title = ? WHERE id = ? AND title = ''").execute(
                    arguments: [Self.storable(Conversation.title(from: content)), conversationId])
            }
            return Message(
                id: id, conversationId: conversationId, role: role, content: content, state: state, createdAt: now, answers: answers)
        }
    }

    /// Saves a message's text and state (a reply as it streams, and when it ends), with its
    /// cited sources and the tokens it cost.
    public func updateMessage(
        id: Int64, content: String, state: Message.State, error: String? = nil, citations: [Citation] = [], usage: Usage? = nil
    ) throws {
        let citationsJSON = citations.isEmpty ? nil : String(decoding: try JSONEncoder().encode(citations), as: UTF8.self)
        try database.write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE message SET content = ?, state = ?, error = ?, citations = ?,
                        promptTokens = ?, completionTokens = ?, totalTokens = ?
                    WHERE id = ?
                    """
            ).execute(
                arguments: [
                    Self.storable(content), state.rawValue, Self.storable(error), citationsJSON, usage?.promptTokens, usage?.completionTokens,
                    usage?.totalTokens, id,
                ])
        }
    }

    public func deleteMessage(id: Int64) throws {
        try database.write { db in
            try db.cachedStatement(sql: "DELETE FROM message WHERE id = ?").execute(arguments: [id])
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
                db.cachedStatement(sql: sql), arguments: ["conversation": conversationId, "before": before, "limit": limit])
            return rows.reversed().compactMap(Self.message)
        }
    }

    public func messageCount() throws -> Int {
        try database.read { try Int.fetchOne($0.cachedStatement(sql: "SELECT COUNT(*) FROM message")) ?? 0 }
    }

    // MARK: - Search

    /// Messages containing every word of `text`, newest first. Words are set apart by white
    /// space or a NUL (FTS5 reads a query only up to a NUL).
    ///
    /// A search index that no longer matches the messages (a hand-edited or damaged file:
    /// SQLite says "database disk image is malformed") is rebuilt from the messages, and the
    /// search tried again; a store opened read-only reports the error.
    public func search(_ text: String, limit: Int = 50) throws -> [SearchHit] {
        guard let query = Self.fullTextQuery(text) else { return [] }
        do {
            return try searchHits(query, limit: limit)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT && writable {
            Self.rowLogger.warning("rebuilding the search index", metadata: ["reason": "\(error.message ?? "damaged")"])
            try database.write { try $0.execute(sql: "INSERT INTO message_fts(message_fts) VALUES ('rebuild')") }
            return try searchHits(query, limit: limit)
        }
    }

    /// The words of `text` as an FTS5 query that matches them all, each taken literally; nil
    /// when there are none.
    static func fullTextQuery(_ text: String) -> String? {
        let terms = text.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.contains("\0") }).map {
            "\"" + ExactText.replacing("\"", with: "\"\"", in: String($0)) + "\""
        }
        return terms.isEmpty ? nil : terms.joined(separator: " ")
    }

    private func searchHits(_ query: String, limit: Int) throws -> [SearchHit] {
        try database.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT m.id, m.conversationId, m.role, m.createdAt, c.botName, c.title,
                               snippet(message_fts, 0, char(57344), char(57345), '…', 12) AS snippet
                        FROM message_fts
                        JOIN message m ON m.id = message_fts.rowid
                        JOIN conversation c ON c.id = m.conversationId
                        WHERE message_fts MATCH ?
                        ORDER BY message_fts.rowid DESC
                        LIMIT ?
                        """),
                arguments: [query, limit]
            ).compactMap(Self.searchHit)
        }
    }
}
