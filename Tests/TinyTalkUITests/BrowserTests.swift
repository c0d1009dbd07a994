import Foundation
import TerminalKit
import TestSupport
import Testing
import TinyTalkCore
import TinyTalkUI

/// Ctrl+O: every saved conversation, filtered by typing, opened, renamed and deleted.
@MainActor
@Suite struct BrowserTests {
    /// A store with conversations from earlier runs, the oldest first.
    static func history(_ titles: [(bot: String, first: String)]) throws -> Store {
        let store = try Store()
        for (index, entry) in titles.enumerated() {
            let when = Date(timeIntervalSince1970: 1_700_000_000 + Double(index) * 3600)
            let conversation = try store.createConversation(botId: entry.bot, botName: entry.bot, now: when)
            _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: entry.first, now: when)
            _ = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "about \(entry.first)", now: when)
        }
        return store
    }

    @Test func theBrowserListsFiltersAndOpensEarlierConversations() async throws {
        let store = try Self.history([("story", "tell me about zeppelins"), ("echo", "plan the garden"), ("story", "a poem on rain")])
        let harness = try await Harness([], bots: ["echo", "story"], store: store, columns: 100, rows: 14)
        harness.press(.control("o"))
        let list = await harness.waitFor("a poem on rain")
        // Newest first, with the bot, the last activity and the count.
        let rows = list.split(separator: "\n").map(String.init)
        let poem = try #require(rows.firstIndex { $0.contains("a poem on rain") })
        let garden = try #require(rows.firstIndex { $0.contains("plan the garden") })
        #expect(poem < garden)
        #expect(rows[poem].contains("story") && rows[poem].contains("2 msgs"))

        // Typing filters, by title and by the messages' words.
        harness.type("zeppelin")
        let filtered = await harness.waitForScreen { !$0.contains("a poem on rain") && $0.contains("tell me about zeppelins") }
        #expect(!filtered.contains("plan the garden"))
        // Edited, and Enter at once: the list for the new filter is on its way, and its first
        // match opens when it comes.
        for _ in 0..<3 { harness.press(.backspace) }
        harness.type("lins")
        harness.press(.enter)
        // Enter opens it in a new tab, with its messages.
        let opened = await harness.waitFor("about tell me about zeppelins")
        #expect(opened.contains("3:story"))
        await harness.waitUntil { harness.app.tabs.count == 3 && harness.app.selected == 2 }
        // Opened again from the browser, it is the same tab.
        harness.press(.control("o"))
        await harness.waitFor("a poem on rain")
        harness.type("zeppelins")
        await harness.waitForScreen { !$0.contains("a poem on rain") }
        harness.press(.enter)
        await harness.waitFor("about tell me about zeppelins")
        #expect(harness.app.tabs.count == 3)
    }

    @Test func renameAndDeleteFromTheBrowser() async throws {
        let store = try Self.history([("echo", "old question"), ("echo", "the newest one")])
        let harness = try await Harness([], bots: ["echo"], store: store, columns: 100, rows: 14)
        harness.press(.control("o"))
        await harness.waitFor("the newest one")
        // The tab's own conversation (new, untitled) is the newest; then the two from before.
        harness.press(.down)
        harness.press(.down)
        harness.press(.character("r"))
        await harness.waitFor("New title")
        harness.press(.control("u"))
        harness.app.handle(.paste("Garden\nplans"))  // a paste is one line here
        harness.press(.enter)
        await harness.waitFor("Renamed “Garden plans”.")
        await harness.waitFor("Garden plans")
        let renamed = try #require(try store.conversationPage().first { $0.conversation.title == "Garden plans" })

        harness.press(.character("d"))
        await harness.waitFor("Delete “Garden plans” and its 2 messages? y deletes it")
        harness.press(.character("n"))
        await harness.waitFor("Kept.")
        #expect(try store.conversation(id: renamed.conversation.id) != nil)
        harness.press(.character("d"))
        await harness.waitFor("y deletes it")
        harness.press(.character("y"))
        await harness.waitFor("Deleted: gone from the history and from search.")
        let after = await harness.waitForScreen { !$0.contains("Garden plans") }
        #expect(after.contains("the newest one"))
        #expect(try store.conversation(id: renamed.conversation.id) == nil)
        #expect(try store.search("old question").isEmpty)
    }

    @Test func titleRenamesTheConversationInTheTab() async throws {
        let harness = try await Harness([["sure"]], bots: ["echo"], columns: 100)
        harness.send("/title")
        await harness.waitFor("has no title yet")
        harness.send("what should we plant")
        await harness.waitFor("sure")
        harness.send("/title")
        await harness.waitFor("Title: what should we plant")
        harness.send("/title Spring garden")
        await harness.waitFor("Renamed “Spring garden”.")
        let id = try #require(harness.app.currentTab?.id.conversation)
        #expect(try harness.store.conversation(id: id)?.title == "Spring garden")
    }
}
