// Fuzz target `rows`: the Store's row decoding, one damaged row at a time.
//
// A reference history (a conversation with a system prompt, a user message, a reply with
// sources, token counts and an error, an open tab) is written with raw SQL; then up to three
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
    /// An in-memory store: the decoding is the same as on disk, without the file's cost. Raw
    /// SQL goes through its own connection, with foreign keys off (a damaged file keeps no
    /// promises).
    static let store: Store = {
        LoggingSystem.bootstrap { _ in CountingLogHandler() }
        let store = try! Store()
        try! store.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA foreign_keys = OFF") }
        return store
    }()
    static var raw: any DatabaseWriter { store.database }
}

/// The reference history. The search index is emptied by hand: the last input's damaged row
/// may have left it unlike the messages (an id changed under it), and each input starts clean.
private let reference = """
    DELETE FROM openTab; DELETE FROM message; DELETE FROM conversation; DELETE FROM sqlite_sequence;
    INSERT INTO message_fts(message_fts) VALUES ('delete-all');
    INSERT INTO conversation (id, botId, botName, title, systemPrompt, temperature, model, createdAt, updatedAt)
    VALUES (1, 'bot-uuid', 'support', 'hello there', 'Be kind.', 0.3, 'gpt-4o-mini', 1000, 2000);
    INSERT INTO message (id, conversationId, role, content, state, createdAt) VALUES (1, 1, 'user', 'hello there', 'complete', 1000);
    INSERT INTO message (id, conversationId, role, content, state, error, citations, createdAt, promptTokens, completionTokens, totalTokens)
    VALUES (2, 1, 'assistant', 'hello back', 'interrupted', 'cut off',
            '[{"id":"1","url":"https://a.example","title":"A","type":"url"}]', 2000, 12, 30, 42);
    INSERT INTO openTab (position, conversationId, selected) VALUES (0, 1, 1);
    """

private let conversation = Conversation(
    id: 1, botId: "bot-uuid", botName: "support", title: "hello there", systemPrompt: "Be kind.", temperature: 0.3,
    model: "gpt-4o-mini", createdAt: Date(timeIntervalSince1970: 1000), updatedAt: Date(timeIntervalSince1970: 2000))
private let question = Message(
    id: 1, conversationId: 1, role: .user, content: "hello there", state: .complete, createdAt: Date(timeIntervalSince1970: 1000))
private let reply = Message(
    id: 2, conversationId: 1, role: .assistant, content: "hello back", state: .interrupted, error: "cut off",
    citations: [Citation(id: "1", url: "https://a.example", title: "A", type: "url")],
    usage: Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42), createdAt: Date(timeIntervalSince1970: 2000))

private let rows: [(table: String, key: String, columns: [String])] = [
    ("conversation", "id = 1", ["id", "botId", "botName", "title", "systemPrompt", "temperature", "model", "createdAt", "updatedAt", "forkedFrom"]),
    ("message", "id = 2", ["id", "conversationId", "role", "content", "state", "error", "citations", "createdAt", "promptTokens", "completionTokens", "totalTokens", "answers", "hidden"]),
    ("message", "id = 1", ["id", "conversationId", "role", "content", "state", "error", "citations", "createdAt", "promptTokens", "completionTokens", "totalTokens", "answers", "hidden"]),
    ("openTab", "position = 0", ["position", "conversationId", "selected"]),
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

/// Reads `message` against `written`: every column but the `edited` ones must agree; a valid
/// TEXT edit in a text column must read back as written.
private func compare(_ message: Message, _ written: Message, edited: [String: [UInt8]?]) {
    for column in rows[1].columns where edited[column] == nil {
        check(field(message, column) == field(written, column), "message \(written.id)'s \(column) reads \(field(message, column)), was \(field(written, column))")
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
    let row = rows[Int(input.byte()) % rows.count]
    // The edits: the column, and the TEXT bytes when the value is valid TEXT (else nil).
    var edited: [String: [UInt8]?] = [:]
    do {
        try Harness.raw.write { db in
            try db.execute(sql: reference)
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
                do {
                    try db.execute(sql: sql, arguments: [value])
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

    do {
        let tabs = try store.openTabs()
        let listed = try store.conversations()
        for summary in listed {
            _ = try store.conversation(id: summary.conversation.id)
            let messages = try store.messages(conversationId: summary.conversation.id)
            for format in ConversationExport.Format.allCases {
                let text = ConversationExport.render(summary.conversation, messages: messages, as: format)
                if format == .json {
                    check((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil, "the JSON export does not parse: \(describe(text, limit: 300))")
                }
            }
            if let last = messages.last { _ = try store.messages(conversationId: summary.conversation.id, limit: 1, before: last.id) }
            _ = try store.latestConversation(bot: summary.conversation.botName)
        }
        for id in tabs.conversationIds { _ = try store.conversation(id: id) }
        for word in ["hello", String(decoding: input.bytes.suffix(12), as: UTF8.self)] {
            for hit in try store.search(word) { _ = hit.snippetPieces() }
        }

        // What reads back, row by row, against what was written.
        let messages = try store.messages(conversationId: 1)
        let read = try store.conversation(id: 1)
        switch row.table {
        case "conversation":
            check(messages.count == 2, "messages of the damaged conversation: \(messages.count)")
            compare(messages[0], question, edited: [:])
            compare(messages[1], reply, edited: [:])
            if let read {
                for column in row.columns where edited[column] == nil {
                    check(field(read, column) == field(conversation, column), "the conversation's \(column) reads \(field(read, column)), was \(field(conversation, column))")
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
            check(read.map { field($0, "title") } == field(conversation, "title"), "the conversation changed with a damaged message")
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
