import Foundation
import GRDB
import Testing
import TinyTalkAPI

@testable import TinyTalkCore

/// A history written by an earlier tinytalk opens in this one; models and token counts are kept.
@Suite struct StoreMigrationTests {
    private static let v1 = "v1: conversations, messages, search, tabs"
    private static let v2 = "v2: model per conversation, token usage per message"
    private static let v3 = "v3: search indexes finished messages only; streaming replies have an owner"
    private static let v4 = "v4: forks, and the variants of a reply asked again"
    private static let v5 = "v5: split panes; who has a conversation open"

    private func removeDatabase(_ path: String) {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// A database as tinytalk 1 left it: the v1 schema only, one conversation with two messages.
    private func writeVersionOneDatabase(at path: String) throws {
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try Store.migrator.migrate(queue, upTo: Self.v1)
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversation (botId, botName, title, systemPrompt, temperature, createdAt, updatedAt)
                    VALUES ('bot-uuid', 'support', 'How do I rotate my key?', 'Be kind.', 0.3, 1000, 2000);
                    INSERT INTO message (conversationId, role, content, state, createdAt)
                    VALUES (1, 'user', 'How do I rotate my key?', 'complete', 1000);
                    INSERT INTO message (conversationId, role, content, state, citations, createdAt)
                    VALUES (1, 'assistant', 'Open the dashboard and revoke the old key.', 'complete',
                            '[{"id":"1","url":"https://a.example","title":"A","type":"url"}]', 2000);
                    INSERT INTO openTab (position, conversationId, selected) VALUES (0, 1, 1);
                    """)
        }
        #expect(try queue.read { try Store.migrator.appliedMigrations($0) } == [Self.v1])
        #expect(try queue.read { try Store.migrator.hasCompletedMigrations($0) } == false)
        try queue.close()
    }

    @Test func theMigrationsComeInOrder() {
        #expect(Store.migrationIdentifiers == [Self.v1, Self.v2, Self.v3, Self.v4, Self.v5])
    }

    @Test func aVersionOneDatabaseIsUpgradedWithItsRowsIntact() throws {
        let path = temporaryDatabase()
        defer { removeDatabase(path) }
        try writeVersionOneDatabase(at: path)

        let store = try Store(path: path)
        #expect(try store.appliedMigrations() == [Self.v1, Self.v2, Self.v3, Self.v4, Self.v5])
        let conversation = try #require(try store.conversation(id: 1))
        #expect(conversation.botId == "bot-uuid")
        #expect(conversation.botName == "support")
        #expect(conversation.title == "How do I rotate my key?")
        #expect(conversation.systemPrompt == "Be kind.")
        #expect(conversation.temperature == 0.3)
        #expect(conversation.model == nil)
        #expect(conversation.createdAt == Date(timeIntervalSince1970: 1000))
        #expect(conversation.updatedAt == Date(timeIntervalSince1970: 2000))

        let messages = try store.messages(conversationId: 1)
        #expect(messages.map(\.content) == ["How do I rotate my key?", "Open the dashboard and revoke the old key."])
        #expect(messages.map(\.role) == [.user, .assistant])
        #expect(messages.map(\.state) == [.complete, .complete])
        #expect(messages.map(\.usage) == [nil, nil])
        #expect(messages.last?.citations == [Citation(id: "1", url: "https://a.example", title: "A", type: "url")])
        #expect(try store.openTabs() == Store.OpenTabs(conversationIds: [1], selected: 0))
        // The search index of the old rows still answers.
        #expect(try store.search("revoke").map(\.messageId) == [2])

        // The new columns take new values.
        try store.updateSettings(conversationId: 1, systemPrompt: "Be kind.", temperature: 0.3, model: "gpt-4o-mini")
        try store.updateMessage(
            id: 2, content: "Open the dashboard and revoke the old key.", state: .complete,
            usage: Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42))
        let reopened = try Store(path: path)
        #expect(try reopened.conversation(id: 1)?.model == "gpt-4o-mini")
        #expect(try reopened.messages(conversationId: 1).last?.usage == Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42))
        #expect(try reopened.appliedMigrations() == [Self.v1, Self.v2, Self.v3, Self.v4, Self.v5])
    }

    @Test func aVersionOneReplyLeftStreamingIsInterruptedAfterTheUpgrade() throws {
        let path = temporaryDatabase()
        defer { removeDatabase(path) }
        try writeVersionOneDatabase(at: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO message (conversationId, role, content, state, createdAt) VALUES (1, 'assistant', 'half', 'streaming', 3000)")
        }
        try queue.close()
        let store = try Store(path: path)
        let last = try #require(try store.messages(conversationId: 1).last)
        #expect(last.content == "half")
        #expect(last.state == .interrupted)
        #expect(last.usage == nil)
    }

    // MARK: - The new columns

    @Test func aConversationsModelRoundTrips() throws {
        let store = try Store()
        let chosen = try store.createConversation(
            botId: "b", botName: "bot", temperature: 0.2, model: "gpt-4.1-mini", now: Date(timeIntervalSince1970: 1000))
        #expect(chosen.model == "gpt-4.1-mini")
        #expect(try store.conversation(id: chosen.id)?.model == "gpt-4.1-mini")
        let plain = try store.createConversation(botId: "b", botName: "bot", now: Date(timeIntervalSince1970: 2000))
        #expect(try store.conversation(id: plain.id)?.model == nil)

        try store.updateSettings(conversationId: plain.id, systemPrompt: "Short.", temperature: nil, model: "o3")
        let changed = try #require(try store.conversation(id: plain.id))
        #expect(changed.model == "o3")
        #expect(changed.systemPrompt == "Short.")
        #expect(changed.temperature == nil)
        // Back to the bot's own model.
        try store.updateSettings(conversationId: chosen.id, systemPrompt: nil, temperature: 0.2, model: nil)
        #expect(try store.conversation(id: chosen.id)?.model == nil)
        #expect(try store.conversation(id: chosen.id)?.temperature == 0.2)
        // Newest first.
        #expect(try store.conversations().map(\.conversation.model) == ["o3", nil])
        #expect(try store.latestConversation(bot: "bot")?.model == "o3")
    }

    @Test func aMessagesUsageRoundTripsWhetherWholeOrPartial() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "bot")
        let whole = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
        try store.updateMessage(
            id: whole.id, content: "answer", state: .complete, usage: Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42))
        let partial = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
        try store.updateMessage(id: partial.id, content: "cut", state: .interrupted, error: "cancelled", usage: Usage(completionTokens: 7))
        let none = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
        try store.updateMessage(id: none.id, content: "free", state: .complete)
        // A usage without any figure is no usage.
        let empty = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
        try store.updateMessage(id: empty.id, content: "zero", state: .complete, usage: Usage())

        let saved = try store.messages(conversationId: conversation.id)
        #expect(saved.map(\.usage) == [
            Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42), Usage(completionTokens: 7), nil, nil,
        ])
        #expect(saved[1].state == .interrupted)
        #expect(saved[1].error == "cancelled")

        // Saving again without a usage clears it (a regenerated or edited reply).
        try store.updateMessage(id: whole.id, content: "answer", state: .complete)
        #expect(try store.messages(conversationId: conversation.id).first?.usage == nil)
    }

    // MARK: - Search snippets

    @Test func searchSnippetsMarkEveryMatchedWord() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "support")
        _ = try store.appendMessage(
            conversationId: conversation.id, role: .assistant,
            content: "Rotate the key: an old key stops at once, so rotate it")
        let hit = try #require(try store.search("rotate key").first)
        let pieces = hit.snippetPieces()
        #expect(pieces.filter(\.matched).map(\.text) == ["Rotate", "key", "key", "rotate"])
        #expect(!pieces.filter { !$0.matched }.contains { $0.text.lowercased().contains("rotate") })
        #expect(pieces.map(\.text).joined() == hit.snippet)
        #expect(!hit.snippet.contains(SearchHit.matchStart))
        #expect(!hit.snippet.contains(SearchHit.matchEnd))
        #expect(hit.markedSnippet.contains("\u{E000}rotate\u{E001}"))
        #expect(hit.snippet == "Rotate the key: an old key stops at once, so rotate it")
    }

    @Test func searchSnippetsOfALongMessageAreCutAndStayOnOneLine() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "support")
        let filler = Array(repeating: "lorem ipsum dolor sit amet", count: 20).joined(separator: "\n")
        _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: filler + "\nthe zebra line\n" + filler)
        let hit = try #require(try store.search("zebra").first)
        let pieces = hit.snippetPieces(limit: 40)
        #expect(pieces.filter(\.matched).map(\.text) == ["zebra"])
        #expect(pieces.map(\.text).joined().count <= 40)
        #expect(!pieces.contains { $0.text.contains("\n") })
        #expect(hit.snippet.contains("zebra"))
        #expect(!hit.snippet.contains(SearchHit.matchStart))
    }
}
