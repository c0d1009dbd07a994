import Foundation
import Testing
import TinyTalkCore

/// The browser's queries: keyset pages newest first, filters, rename, delete.
@Suite struct StoreBrowseTests {
    @Test func pagesCoverEveryConversationOnceNewestFirst() throws {
        let store = try Store()
        // Some share their activity time: the id breaks the tie, so none is skipped or repeated.
        for index in 0..<250 {
            _ = try store.createConversation(botId: "b", botName: "b", now: Date(timeIntervalSince1970: Double(1_000 + index / 3)))
        }
        var seen: [Int64] = []
        var cursor: Store.ConversationCursor?
        while true {
            let page = try store.conversationPage(after: cursor, limit: 100)
            seen += page.map(\.conversation.id)
            guard let last = page.last, page.count == 100 else { break }
            cursor = Store.ConversationCursor(after: last)
        }
        #expect(seen.count == 250)
        #expect(Set(seen).count == 250)
        #expect(seen == seen.sorted(by: >))  // later activity, then higher id, first
    }

    @Test func aFilterMatchesTitlesAndMessagesAndEveryWordMustMatch() throws {
        let store = try Store()
        let garden = try store.createConversation(botId: "b", botName: "b")
        _ = try store.appendMessage(conversationId: garden.id, role: .user, content: "Plan the Garden")
        let other = try store.createConversation(botId: "b", botName: "b")
        _ = try store.appendMessage(conversationId: other.id, role: .user, content: "weather")
        _ = try store.appendMessage(conversationId: other.id, role: .assistant, content: "rain in the garden tomorrow")
        let ids = { (filter: String) in try store.conversationPage(filter: filter).map(\.conversation.id) }
        #expect(try ids("garden").sorted() == [garden.id, other.id])  // a title, and a reply's word
        #expect(try ids("GARDEN plan") == [garden.id])
        #expect(try ids("tomorrow") == [other.id])
        #expect(try ids("zeppelin").isEmpty)
        #expect(try ids("tom").count == 1)  // the start of a word, as it is typed
        #expect(try ids("gar pla") == [garden.id])
        #expect(try ids("arden").isEmpty)  // not the middle of one
        #expect(try ids("\"quoted\" 'odd' * OR -").isEmpty)  // taken literally, never FTS syntax
        #expect(try ids("  ").count == 2)
    }

    @Test func aReplyAskedAgainCountsOnceInTheList() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "b")
        let question = try store.appendMessage(conversationId: conversation.id, role: .user, content: "q")
        let first = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "a", answers: question.id)
        try store.hideReply(id: first.id, answers: question.id)
        _ = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "b", answers: question.id)
        #expect(try store.conversationPage().first?.messageCount == 2)
        #expect(try store.conversations().first?.messageCount == 2)
    }

    @Test func renameAndDeleteReachTheListAndTheSearch() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "b")
        _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: "zeppelin schedules")
        try store.renameConversation(id: conversation.id, title: "Airships")
        #expect(try store.conversationPage(filter: "airships").first?.conversation.title == "Airships")
        #expect(try store.search("zeppelin").count == 1)
        try store.deleteConversation(id: conversation.id)
        #expect(try store.conversationPage().isEmpty)
        #expect(try store.search("zeppelin").isEmpty)
        #expect(try store.messages(conversationId: conversation.id).isEmpty)
    }
}
