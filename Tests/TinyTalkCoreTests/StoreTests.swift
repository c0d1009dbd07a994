import Foundation
import Testing
import TinyTalkAPI
import TinyTalkCore

func temporaryDatabase() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("tt-store-\(UUID().uuidString)/tinytalk.sqlite").path
}

@Suite struct StoreTests {
    @Test func anEmptyFileIsMigratedToTheCurrentSchemaInWALMode() throws {
        let path = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let store = try Store(path: path)
        #expect(try store.appliedMigrations() == Store.migrationIdentifiers)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        // Opening again is a no-op for the schema and keeps the data.
        let conversation = try store.createConversation(botId: "b", botName: "bot")
        _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: "kept")
        let reopened = try Store(path: path)
        #expect(try reopened.messages(conversationId: conversation.id).map(\.content) == ["kept"])
    }

    @Test func repliesLeftStreamingAreMarkedInterruptedOnOpen() throws {
        let path = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        do {
            let store = try Store(path: path)
            let conversation = try store.createConversation(botId: "b", botName: "bot")
            _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: "q")
            let reply = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
            try store.updateMessage(id: reply.id, content: "half", state: .streaming)
        }
        let reopened = try Store(path: path)
        let reply = try reopened.messages(conversationId: 1).last
        #expect(reply?.content == "half")
        #expect(reply?.state == .interrupted)
        #expect(reply?.error != nil)
    }

    @Test func theFirstUserMessageTitlesTheConversation() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "bot")
        _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: "How do I rotate my key?\nMore detail")
        _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: "second")
        #expect(try store.conversation(id: conversation.id)?.title == "How do I rotate my key?")
    }

    @Test func newestMessagesLoadInOrderAndPageBack() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "bot")
        for index in 1...10 {
            _ = try store.appendMessage(conversationId: conversation.id, role: index % 2 == 1 ? .user : .assistant, content: "m\(index)")
        }
        let newest = try store.messages(conversationId: conversation.id, limit: 3)
        #expect(newest.map(\.content) == ["m8", "m9", "m10"])
        let earlier = try store.messages(conversationId: conversation.id, limit: 3, before: newest[0].id)
        #expect(earlier.map(\.content) == ["m5", "m6", "m7"])
    }

    @Test func searchFindsWordsAcrossConversationsWithSnippets() throws {
        let store = try Store()
        let support = try store.createConversation(botId: "s-id", botName: "support")
        let sales = try store.createConversation(botId: "p-id", botName: "sales")
        _ = try store.appendMessage(conversationId: support.id, role: .user, content: "How do I rotate my API key safely?")
        _ = try store.appendMessage(conversationId: support.id, role: .assistant, content: "Open the dashboard and revoke the old key.")
        _ = try store.appendMessage(conversationId: sales.id, role: .user, content: "What does the café plan cost?")
        let keyHits = try store.search("key")
        #expect(keyHits.count == 2)
        #expect(Set(keyHits.map(\.botName)) == ["support"])
        let pieces = try #require(keyHits.first?.snippetPieces())
        #expect(pieces.filter(\.matched).map(\.text) == ["key"])
        #expect(pieces.map(\.text).joined() == keyHits.first?.snippet)
        #expect(keyHits.first?.snippet.contains("old key") == true)
        #expect(keyHits.first?.title == "How do I rotate my API key safely?")
        // Every word must match; diacritics are folded.
        #expect(try store.search("rotate key").count == 1)
        #expect(try store.search("cafe").map(\.botName) == ["sales"])
        #expect(try store.search("nothing-like-this").isEmpty)
        // FTS syntax in the query is taken literally, not as operators.
        #expect(try store.search("\"key OR\" NOT").isEmpty)
        // A NUL (a pasted query) separates words: FTS5 would read the query only up to it and
        // fail with "unterminated string".
        #expect(try store.search("rotate\u{0}key").count == 1)
        #expect(try store.search("\u{0}\u{301}").isEmpty)
    }

    @Test func searchFollowsEditsAndDeletes() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "bot")
        let message = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
        try store.updateMessage(id: message.id, content: "zebra crossing", state: .complete)
        #expect(try store.search("zebra").count == 1)
        try store.deleteMessage(id: message.id)
        #expect(try store.search("zebra").isEmpty)
    }

    @Test func conversationsListNewestFirstWithCounts() throws {
        let store = try Store()
        let older = try store.createConversation(botId: "a", botName: "alpha", now: Date(timeIntervalSince1970: 1000))
        let newer = try store.createConversation(botId: "b", botName: "beta", now: Date(timeIntervalSince1970: 2000))
        _ = try store.appendMessage(conversationId: older.id, role: .user, content: "x", now: Date(timeIntervalSince1970: 3000))
        let all = try store.conversations()
        #expect(all.map(\.conversation.botName) == ["alpha", "beta"])
        #expect(all.map(\.messageCount) == [1, 0])
        #expect(try store.conversations(bot: "beta").map(\.conversation.id) == [newer.id])
        #expect(try store.latestConversation(bot: "alpha")?.id == older.id)
        #expect(try store.latestConversation(bot: "a")?.id == older.id)
    }
}

@Suite struct ExportTests {
    func sample() throws -> (Store, Conversation) {
        let store = try Store()
        let conversation = try store.createConversation(botId: "bot-uuid", botName: "support", systemPrompt: "Be kind.", temperature: 0.3)
        _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: "Line \"one\"\nline two")
        let reply = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "")
        try store.updateMessage(
            id: reply.id, content: "Answer with `code`.", state: .complete,
            citations: [Citation(id: "1", url: "https://a.example", title: "A", type: "url")])
        let cut = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "")
        try store.updateMessage(id: cut.id, content: "partial", state: .interrupted, error: "cancelled")
        return (store, try #require(try store.conversation(id: conversation.id)))
    }

    @Test func jsonIsTheAPIsMessagesArrayPlusMetadata() throws {
        let (store, conversation) = try sample()
        let json = ConversationExport.json(conversation, messages: try store.messages(conversationId: conversation.id))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["bot"] as? String == "support")
        #expect(object["botId"] as? String == "bot-uuid")
        let messages = try #require(object["messages"] as? [[String: String]])
        #expect(messages == [
            ["role": "system", "content": "Be kind."],
            ["role": "user", "content": "Line \"one\"\nline two"],
            ["role": "assistant", "content": "Answer with `code`."],
            ["role": "assistant", "content": "partial"],
        ])
        #expect(json.contains("\"url\": \"https://a.example\""))
    }

    @Test func markdownReadsLikeTheConversation() throws {
        let (store, conversation) = try sample()
        let markdown = ConversationExport.markdown(conversation, messages: try store.messages(conversationId: conversation.id))
        #expect(markdown.hasPrefix("# Line \"one\"\n\nBot: support · Started: "))
        #expect(markdown.contains("## System\n\nBe kind.\n\n"))
        #expect(markdown.contains("## You · "))
        #expect(markdown.contains("## support · "))
        #expect(markdown.contains("Answer with `code`.\n\nSources:\n\n1. [A](https://a.example)\n"))
        #expect(markdown.contains("> *Interrupted: cancelled*"))
    }
}
