import Foundation
import GRDB
import Testing
import TinyTalkAPI
import TestSupport

@testable import TinyTalkCore

/// Rows another program, an older or newer tinytalk, or a damaged file could hold: every SQLite
/// storage class (NULL, INTEGER, REAL, TEXT, BLOB, TEXT with a NUL byte, TEXT that is not
/// UTF-8) in every column Store reads, written with raw SQL. Opening the history, listing,
/// reading, searching, paging and exporting it must not trap: a bad row may read as a default,
/// or an error may be thrown, but the app must not die on it.
///
/// Each cell runs in a child process (an exit test), so a trap fails that cell alone. Store
/// traps on many of these today (GRDB's non-optional row subscripts stop the process when a
/// value cannot be converted); that is a known defect being fixed, and these cells fail until
/// it is. Cells the schema itself refuses (NULL in a NOT NULL column) only check the refusal.
/// The fuzz target `store` (Fuzz/run.sh store) covers values of the declared types with any
/// content; this matrix covers the other storage classes, which it leaves out.
@Suite(.cpuBound) struct StoreRowDecodingTests {
    struct Cell: Codable, Sendable, CustomTestStringConvertible {
        var table: String
        var column: String
        var value: String
        var sql: String

        var testDescription: String { "\(table).\(column) = \(value)" }
    }

    static let columns: [(table: String, column: String)] = [
        ("conversation", "botId"), ("conversation", "botName"), ("conversation", "title"), ("conversation", "systemPrompt"),
        ("conversation", "temperature"), ("conversation", "model"), ("conversation", "createdAt"), ("conversation", "updatedAt"),
        ("message", "conversationId"), ("message", "role"), ("message", "content"), ("message", "state"), ("message", "error"),
        ("message", "citations"), ("message", "createdAt"), ("message", "promptTokens"), ("message", "completionTokens"),
        ("message", "totalTokens"), ("openTab", "conversationId"), ("openTab", "selected"),
    ]

    static let values: [(name: String, sql: String)] = [
        ("NULL", "NULL"),
        ("INTEGER", "7"),
        ("REAL", "2.5"),
        ("TEXT", "'hello'"),
        ("BLOB of UTF-8", "x'68656c6c6f'"),
        ("BLOB not UTF-8", "x'ff00fe'"),
        ("TEXT with NUL", "CAST(x'68690077' AS TEXT)"),
        ("TEXT not UTF-8", "CAST(x'c328ff' AS TEXT)"),
    ]

    static let cells: [Cell] = columns.flatMap { place in
        values.map { Cell(table: place.table, column: place.column, value: $0.name, sql: $0.sql) }
    }

    /// A history of one conversation with a user message, a reply with sources and token
    /// counts, and an open tab; then `cell`'s value put in its column. Returns the storage class
    /// SQLite kept (column affinity converts some values, e.g. 7 into '7' in a TEXT column), or
    /// the error when the schema refuses the value.
    static func write(_ cell: Cell, at path: String) throws -> Result<String, DatabaseError> {
        _ = try Store(path: path)  // creates the schema
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false  // a damaged file keeps no promises
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversation (botId, botName, title, systemPrompt, temperature, model, createdAt, updatedAt)
                    VALUES ('bot-uuid', 'support', 'hello there', 'Be kind.', 0.3, 'gpt-4o-mini', 1000, 2000);
                    INSERT INTO message (conversationId, role, content, state, createdAt)
                    VALUES (1, 'user', 'hello there', 'complete', 1000);
                    INSERT INTO message (conversationId, role, content, state, error, citations, createdAt,
                                         promptTokens, completionTokens, totalTokens)
                    VALUES (1, 'assistant', 'hello back', 'interrupted', 'cut off',
                            '[{"id":"1","url":"https://a.example","title":"A","type":"url"}]', 2000, 12, 30, 42);
                    INSERT INTO openTab (position, conversationId, selected) VALUES (0, 1, 1);
                    """)
            do {
                try db.execute(sql: "UPDATE \(cell.table) SET \(cell.column) = \(cell.sql)")
            } catch let error as DatabaseError {
                return .failure(error)
            }
            let kind = try String.fetchOne(db, sql: "SELECT typeof(\(cell.column)) FROM \(cell.table) LIMIT 1") ?? "?"
            return .success(kind)
        }
    }

    /// Everything tinytalk does with a history, as `tinytalk history`, `search`, `export`, `-c`
    /// and the full-screen client's restored tabs do it.
    static func readEverything(at path: String) throws {
        let store = try Store(path: path)
        let tabs = try store.openTabs()
        for summary in try store.conversations() {
            let conversation = summary.conversation
            _ = try store.conversation(id: conversation.id)
            let messages = try store.messages(conversationId: conversation.id)
            _ = try store.messages(conversationId: conversation.id, limit: 1)
            _ = try store.messages(conversationId: conversation.id, limit: 1, before: messages.last?.id ?? 0)
            for format in ConversationExport.Format.allCases {
                _ = ConversationExport.render(conversation, messages: messages, as: format)
            }
            _ = try store.latestConversation(bot: conversation.botName)
            _ = try store.conversations(bot: conversation.botName)
        }
        for id in tabs.conversationIds { _ = try store.conversation(id: id) }
        for hit in try store.search("hello") + (try store.search("hi")) { _ = hit.snippetPieces() }
        _ = try store.messageCount()
    }

    /// Every cell is written to a history of its own; one child process (an exit test) then
    /// reads them all, naming each before it does, so a trap names the cell that caused it.
    /// One child for all of them: a child per cell would start the test runner 160 times over.
    @Test func storeReadsARowWithAnyValueInAnyColumn() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tt-rows-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var written: [String] = []
        for (index, cell) in Self.cells.enumerated() {
            let path = folder.appendingPathComponent("cell-\(index)/tinytalk.sqlite").path
            switch try Self.write(cell, at: path) {
            case .failure(let error):
                // Only NULL in a NOT NULL column may be refused; every other value must be stored.
                #expect(cell.value == "NULL" && error.resultCode == .SQLITE_CONSTRAINT, "\(cell.testDescription): \(error)")
            case .success(let storedAs):
                written.append("\(path)\t\(cell.testDescription), stored as \(storedAs)")
            }
        }
        let list = folder.appendingPathComponent("cells.txt").path
        try written.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [list = list as String] in
            for line in try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n") {
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                print("reading \(parts[1])")
                do {
                    try Self.readEverything(at: parts[0])
                } catch {
                    // An error is an acceptable answer to a bad row; only a trap is not.
                    print("read with an error: \(error)")
                }
            }
        }
        if let result, result.exitStatus != .exitCode(EXIT_SUCCESS) {
            let output = String(decoding: result.standardOutputContent, as: UTF8.self)
            Issue.record("the history trapped while \(output.split(separator: "\n").last { $0.hasPrefix("reading") } ?? "starting")")
        }
    }

    /// A damaged search index (its blocks overwritten: SQLite says "database disk image is
    /// malformed" for every search that reads them) is rebuilt from the messages, and the
    /// search answers; a store opened read-only, which cannot rebuild it, reports the error.
    @Test func searchRebuildsADamagedIndex() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tt-fts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tinytalk.sqlite").path
        // The history of the matrix, with a NULL error on the user's message (a no-op).
        _ = try Self.write(Cell(table: "message", column: "error", value: "NULL", sql: "NULL"), at: path)
        func damage() throws {
            let edit = try DatabaseQueue(path: path)
            try edit.write { try $0.execute(sql: "UPDATE message_fts_data SET block = x'ffffffffffffffffffffffff' WHERE id > 10") }
            try edit.close()
        }
        try damage()
        #expect(throws: DatabaseError.self) { try Store(path: path, readOnly: true).search("hello") }
        let store = try Store(path: path)
        #expect(try store.search("hello").map(\.messageId) == [2, 1])
        #expect(try store.search("back").map(\.messageId) == [2])
    }
}
