// Fuzz target `rows`: the Store's row decoding, one damaged row at a time.
//
// A reference history (a conversation with a system prompt, a user message, a reply with
// sources, token counts and an error, an open tab) is written with raw SQL (once; before each
// input, the row the last one damaged is written back as it was); then up to three
// columns of one row are set to a value of any storage class (NULL, INTEGER, REAL, TEXT of any
// bytes, NUL and invalid UTF-8 included, BLOB), as a damaged or hand-edited file holds them;
// then what tinytalk reads from a history is read through `Store` (each of its row decoders):
// the open tabs, the listing, each conversation, its messages whole and paged, both exports,
// the latest conversation of the bot, search. (The `store` target drives the Store's
// writes as a program and checks what reads back; this one is its decoding at volume.)
//
// Input: byte 0 picks the row (the conversation, the reply, the user message or the open tab);
// then per edit a column byte, a storage-class byte and the value (8 bytes for numbers, a
// length byte and the bytes for TEXT and BLOB).
// Oracles:
// 1. Nothing traps and no read throws.
// 2. Only the damaged row can differ: every other row reads back exactly as written, and so
//    does every column of the damaged row that was not edited.
// 3. A damaged message or conversation is read or left out, and when left out the reason is
//    logged. A TEXT edit that is valid UTF-8 without NUL, in a text column, reads back as it is.
// 4. The JSON export parses; the Markdown export is produced.

import Foundation
import GRDB
import Logging
import TinyTalkAPI

/// Counts the Store's "skipping a damaged row" warnings (and keeps stderr quiet).
private struct CountingLogHandler: LogHandler {
    nonisolated(unsafe) static var skipped = 0
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.message.description == "skipping a damaged row" { Self.skipped += 1 }
    }
}

private enum Harness {
    /// The store, on a file as tinytalk keeps its history (WAL, a pool of read-only readers;
    /// the decoding is the same as in memory, and the readers keep their prepared statements,
    /// which an in-memory store's reads expire), on tmpfs where there is one. Raw SQL goes
    /// through the store's writer, with foreign keys off (a damaged file keeps no promises).
    static let store: Store = {
        LoggingSystem.bootstrap { _ in CountingLogHandler() }
        let store = try! Store(path: scratchDatabase("rows"))
        try! store.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA foreign_keys = OFF") }
        try! store.database.write { db in
            for row in rows { try db.cachedStatement(sql: row.reference).execute() }
        }
        return store
    }()
    static var raw: any DatabaseWriter { store.database }

    /// The row the last input edited (an index into `rows`), and whether its key was among the edits.
    nonisolated(unsafe) static var damaged: (row: Int, key: Bool)?

    /// Writes the damaged row back as the reference has it. With its key as it was, the row is
    /// deleted and written again (the triggers keep the search index with it). With its key
    /// changed, the index still holds the row under the old one: the whole table is written
    /// again, its search index emptied in between, so each input starts clean.
    static func restore(_ damaged: (row: Int, key: Bool), _ db: Database) throws {
        let row = rows[damaged.row]
        guard damaged.key else {
            try db.cachedStatement(sql: "DELETE FROM \(row.table) WHERE \(row.key)").execute()
            try db.cachedStatement(sql: row.reference).execute()
            return
        }
        try db.cachedStatement(sql: "DELETE FROM \(row.table)").execute()
        if let index = searchIndexes[row.table] {
            try db.cachedStatement(sql: "INSERT INTO \(index)(\(index)) VALUES ('delete-all')").execute()
        }
        for other in rows where other.table == row.table { try db.cachedStatement(sql: other.reference).execute() }
    }
}

/// The full-text index of each table that has one.
private let searchIndexes = ["conversation": "conversation_fts", "message": "message_fts"]

private let conversation = Conversation(
    id: 1, botId: "bot-uuid", botName: "support", title: "hello there", systemPrompt: "Be kind.", temperature: 0.3,
    model: "gpt-4o-mini", createdAt: Date(timeIntervalSince1970: 1000), updatedAt: Date(timeIntervalSince1970: 2000))
private let question = Message(
    id: 1, conversationId: 1, role: .user, content: "hello there", state: .complete, createdAt: Date(timeIntervalSince1970: 1000))
private let reply = Message(
    id: 2, conversationId: 1, role: .assistant, content: "hello back", state: .interrupted, error: "cut off",
    citations: [Citation(id: "1", url: "https://a.example", title: "A", type: "url")],
    usage: Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42), createdAt: Date(timeIntervalSince1970: 2000))

/// The rows of the reference history, each with its columns and as it is written.
private let rows: [(table: String, key: String, columns: [String], reference: String)] = [
    (
        "conversation", "id = 1", ["id", "botId", "botName", "title", "systemPrompt", "temperature", "model", "createdAt", "updatedAt", "forkedFrom"],
        """
        INSERT INTO conversation (id, botId, botName, title, systemPrompt, temperature, model, createdAt, updatedAt)
        VALUES (1, 'bot-uuid', 'support', 'hello there', 'Be kind.', 0.3, 'gpt-4o-mini', 1000, 2000)
        """
    ),
    (
        "message", "id = 2",
        ["id", "conversationId", "role", "content", "state", "error", "citations", "createdAt", "promptTokens", "completionTokens", "totalTokens", "answers", "hidden"],
        """
        INSERT INTO message (id, conversationId, role, content, state, error, citations, createdAt, promptTokens, completionTokens, totalTokens)
        VALUES (2, 1, 'assistant', 'hello back', 'interrupted', 'cut off',
                '[{"id":"1","url":"https://a.example","title":"A","type":"url"}]', 2000, 12, 30, 42)
        """
    ),
    (
        "message", "id = 1",
        ["id", "conversationId", "role", "content", "state", "error", "citations", "createdAt", "promptTokens", "completionTokens", "totalTokens", "answers", "hidden"],
        "INSERT INTO message (id, conversationId, role, content, state, createdAt) VALUES (1, 1, 'user', 'hello there', 'complete', 1000)"
    ),
    ("openTab", "position = 0", ["position", "conversationId", "selected"], "INSERT INTO openTab (position, conversationId, selected) VALUES (0, 1, 1)"),
]
private let textColumns: Set<String> = ["botId", "botName", "title", "systemPrompt", "model", "content", "error"]

/// The fields of a message, by column name, as the Store reads them.
private func field(_ message: Message, _ column: String) -> String {
    switch column {
    case "id": "\(message.id)"
    case "conversationId": "\(message.conversationId)"
    case "role": message.role.rawValue
    case "content": describe(message.content)
    case "state": message.state.rawValue
    case "error": message.error.map { describe($0) } ?? "nil"
    case "citations": "\(message.citations)"
    case "createdAt": "\(message.createdAt.timeIntervalSince1970)"
    case "promptTokens": "\(message.usage?.promptTokens as Int?)"
    case "completionTokens": "\(message.usage?.completionTokens as Int?)"
    case "answers": "\(message.answers as Int64?)"
    case "hidden": "\(message.isHidden)"
    default: "\(message.usage?.totalTokens as Int?)"
    }
}

private func field(_ conversation: Conversation, _ column: String) -> String {
    switch column {
    case "id": "\(conversation.id)"
    case "botId": describe(conversation.botId)
    case "botName": describe(conversation.botName)
    case "title": describe(conversation.title)
    case "systemPrompt": conversation.systemPrompt.map { describe($0) } ?? "nil"
    case "temperature": "\(conversation.temperature as Double?)"
    case "model": conversation.model.map { describe($0) } ?? "nil"
    case "createdAt": "\(conversation.createdAt.timeIntervalSince1970)"
    case "forkedFrom": "\(conversation.forkedFrom as Int64?)"
    default: "\(conversation.updatedAt.timeIntervalSince1970)"
    }
}

/// Whether two messages agree in a column: texts byte for byte, times and numbers to the bit.
private func same(_ a: Message, _ b: Message, _ column: String) -> Bool {
    switch column {
    case "id": a.id == b.id
    case "conversationId": a.conversationId == b.conversationId
    case "role": a.role == b.role
    case "content": sameBytes(a.content, b.content)
    case "state": a.state == b.state
    case "error": sameText(a.error, b.error)
    case "citations":
        a.citations.count == b.citations.count
            && zip(a.citations, b.citations).allSatisfy {
                sameText($0.id, $1.id) && sameText($0.url, $1.url) && sameText($0.title, $1.title) && sameText($0.type, $1.type)
            }
    case "createdAt": a.createdAt.timeIntervalSince1970.bitPattern == b.createdAt.timeIntervalSince1970.bitPattern
    case "promptTokens": a.usage?.promptTokens == b.usage?.promptTokens
    case "completionTokens": a.usage?.completionTokens == b.usage?.completionTokens
    case "answers": a.answers == b.answers
    case "hidden": a.isHidden == b.isHidden
    default: a.usage?.totalTokens == b.usage?.totalTokens
    }
}

private func same(_ a: Conversation, _ b: Conversation, _ column: String) -> Bool {
    switch column {
    case "id": a.id == b.id
    case "botId": sameBytes(a.botId, b.botId)
    case "botName": sameBytes(a.botName, b.botName)
    case "title": sameBytes(a.title, b.title)
    case "systemPrompt": sameText(a.systemPrompt, b.systemPrompt)
    case "temperature": a.temperature?.bitPattern == b.temperature?.bitPattern
    case "model": sameText(a.model, b.model)
    case "createdAt": a.createdAt.timeIntervalSince1970.bitPattern == b.createdAt.timeIntervalSince1970.bitPattern
    case "forkedFrom": a.forkedFrom == b.forkedFrom
    default: a.updatedAt.timeIntervalSince1970.bitPattern == b.updatedAt.timeIntervalSince1970.bitPattern
    }
}

/// Reads `message` against `written`: every column but the `edited` ones must agree; a valid
/// TEXT edit in a text column must read back as written.
private func compare(_ message: Message, _ written: Message, edited: [String: [UInt8]?]) {
    for column in rows[1].columns where edited[column] == nil {
        check(same(message, written, column), "message \(written.id)'s \(column) reads \(field(message, column)), was \(field(written, column))")
    }
    for (column, text) in edited where textColumns.contains(column) {
        guard let text, !text.contains(0), isValidUTF8(text) else { continue }
        let read = column == "content" ? message.content : message.error
        check(sameText(read, String(decoding: text, as: UTF8.self)), "message \(written.id)'s \(column) reads \(read.map { describe($0) } ?? "nil"), was \(describe(text))")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzBytes(data, size)
    let store = Harness.store
    let damagedRow = Int(input.byte()) % rows.count
    let row = rows[damagedRow]
    // The edits: the column, and the TEXT bytes when the value is valid TEXT (else nil).
    var edited: [String: [UInt8]?] = [:]
    do {
        try Harness.raw.write { db in
            if let damaged = Harness.damaged { try Harness.restore(damaged, db) }
            Harness.damaged = nil
            for _ in 0..<3 where input.index < input.bytes.count {
                let column = row.columns[Int(input.byte()) % row.columns.count]
                let kind = input.byte() % 5
                var value = DatabaseValue.null
                var text: [UInt8]?
                switch kind {
                case 0: break
                case 1, 2:
                    var bits: UInt64 = 0
                    for _ in 0..<8 { bits = bits << 8 | UInt64(input.byte()) }
                    value = kind == 1 ? Int64(bitPattern: bits).databaseValue : Double(bitPattern: bits).databaseValue
                default:
                    var bytes: [UInt8] = []
                    for _ in 0..<(Int(input.byte()) % 40) { bytes.append(input.byte()) }
                    value = Data(bytes).databaseValue
                    if kind == 3 { text = bytes }
                }
                let sql = kind == 3 ? "UPDATE \(row.table) SET \(column) = CAST(? AS TEXT) WHERE \(row.key)" : "UPDATE \(row.table) SET \(column) = ? WHERE \(row.key)"
                Harness.damaged = (damagedRow, Harness.damaged?.key == true || ["id", "position"].contains(column))
                do {
                    try db.cachedStatement(sql: sql).execute(arguments: [value])
                } catch let error as DatabaseError where [.SQLITE_CONSTRAINT, .SQLITE_MISMATCH].contains(error.resultCode) {
                    continue  // NULL in a NOT NULL column, an id taken or not an integer: the schema refuses it
                }
                // TEXT affinity turns a number into its text: then only "no trap" is checked.
                edited[column] = kind == 3 ? text : .some(nil)
                if ["id", "position"].contains(column) { edited[column] = .some(nil) }
            }
        }
    } catch {
        oracleFailed("writing the damaged row failed: \(error)")
    }
    let skippedBefore = CountingLogHandler.skipped

    // Each conversation and its messages are read once: no row changes between the reads (a
    // search may rebuild the index, never a row), so a second read of them reads the same.
    var conversationsRead: [Int64: Conversation?] = [:]
    var messagesRead: [Int64: [Message]] = [:]
    func readConversation(_ id: Int64) throws -> Conversation? {
        if let read = conversationsRead[id] { return read }
        let read = try store.conversation(id: id)
        conversationsRead[id] = .some(read)
        return read
    }
    func readMessages(_ id: Int64) throws -> [Message] {
        if let read = messagesRead[id] { return read }
        let read = try store.messages(conversationId: id)
        messagesRead[id] = read
        return read
    }

    do {
        let tabs = try store.openTabs()
        let listed = try store.conversations()
        for summary in listed {
            _ = try readConversation(summary.conversation.id)
            let messages = try readMessages(summary.conversation.id)
            for format in ConversationExport.Format.allCases {
                let text = ConversationExport.render(summary.conversation, messages: messages, as: format)
                if format == .json {
                    check((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil, "the JSON export does not parse: \(describe(text, limit: 300))")
                }
            }
            if let last = messages.last { _ = try store.messages(conversationId: summary.conversation.id, limit: 1, before: last.id) }
            _ = try store.latestConversation(bot: summary.conversation.botName)
        }
        for id in tabs.conversationIds { _ = try readConversation(id) }
        for word in ["hello", String(decoding: input.bytes.suffix(12), as: UTF8.self)] {
            for hit in try store.search(word) { _ = hit.snippetPieces() }
        }

        // What reads back, row by row, against what was written.
        let messages = try readMessages(1)
        let read = try readConversation(1)
        switch row.table {
        case "conversation":
            check(messages.count == 2, "messages of the damaged conversation: \(messages.count)")
            compare(messages[0], question, edited: [:])
            compare(messages[1], reply, edited: [:])
            if let read {
                for column in row.columns where edited[column] == nil {
                    check(same(read, conversation, column), "the conversation's \(column) reads \(field(read, column)), was \(field(conversation, column))")
                }
            } else if edited["id"] == nil {
                check(CountingLogHandler.skipped > skippedBefore, "the conversation is left out and no reason is logged")
            }
        case "message":
            let written = row.key == "id = 2" ? reply : question
            let other = row.key == "id = 2" ? question : reply
            guard let kept = messages.first(where: { $0.id == other.id }) else { oracleFailed("message \(other.id), not damaged, is gone") }
            compare(kept, other, edited: [:])
            if let damaged = messages.first(where: { $0.id == written.id }) {
                compare(damaged, written, edited: edited)
            } else if edited["id"] == nil, edited["conversationId"] == nil {
                check(CountingLogHandler.skipped > skippedBefore, "message \(written.id) is left out and no reason is logged")
            }
            check(read.map { same($0, conversation, "title") } == true, "the conversation changed with a damaged message")
        default:
            check(messages.count == 2, "messages with a damaged tab: \(messages.count)")
            compare(messages[0], question, edited: [:])
            compare(messages[1], reply, edited: [:])
        }
    } catch {
        oracleFailed("reading back failed: \(error)")
    }
    return 0
}
