import Foundation
import TestSupport
import Testing
import TinyTalkAPI

@testable import TinyTalkCore

/// "A crash or a killed terminal loses nothing you saw": the store keeps every character, a
/// stalled reply is saved anyway, a full disk is said and retried, and one process never marks
/// another's live reply.
@Suite struct NothingLostTests {
    func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tt-lost-\(UUID().uuidString)/tinytalk.sqlite").path
    }

    func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    @Test func aNULInTheTextKeepsEverythingAfterIt() throws {
        let path = temporaryDatabase()
        defer { remove(path) }
        let store = try Store(path: path)
        let conversation = try store.createConversation(botId: "b", botName: "b")
        let message = try store.appendMessage(conversationId: conversation.id, role: .user, content: "nul-json[\u{0}]after")
        try store.updateMessage(id: message.id, content: "nul-json[\u{0}]after and more", state: .complete)
        let saved = try #require(try store.messages(conversationId: conversation.id).first)
        #expect(saved.content == "nul-json[\u{2400}]after and more")
        // A NUL followed by a combining mark is one character to `String`: it is kept too.
        try store.updateMessage(id: message.id, content: "a\u{0}\u{301}b", state: .complete)
        #expect(try store.messages(conversationId: conversation.id).first?.content == "a\u{2400}\u{301}b")
        let export = ConversationExport.render(conversation, messages: [saved], as: .json)
        #expect(export.contains("after and more"))
    }

    @Test func aReplyIsIndexedForSearchOnceWhenItEnds() throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "b")
        let reply = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
        try store.updateMessage(id: reply.id, content: "zeppelin one", state: .streaming)
        try store.updateMessage(id: reply.id, content: "zeppelin one two", state: .streaming)
        // Each flush rewrote only the row; the index waits for the end.
        #expect(try store.search("zeppelin").isEmpty)
        try store.updateMessage(id: reply.id, content: "zeppelin one two", state: .complete)
        #expect(try store.search("zeppelin").count == 1)
        try store.updateMessage(id: reply.id, content: "zeppelin three", state: .complete)
        #expect(try store.search("two").isEmpty)
        #expect(try store.search("three").map(\.messageId) == [reply.id])
        try store.deleteMessage(id: reply.id)
        #expect(try store.search("zeppelin").isEmpty)
    }

    @Test func aStalledReplyIsSavedWithinHalfASecondOfThePieceShown() async throws {
        let path = temporaryDatabase()
        defer { remove(path) }
        let store = try Store(path: path)
        let conversation = try store.createConversation(botId: "b", botName: "b")
        // The session's clock never moves: only the wall-clock flush can save the piece.
        let log = EventLog()
        let session = ChatSession(
            conversation: conversation, bot: BotProfile(name: "b", id: "b", endpoint: Endpoint()),
            transport: FakeTransport([[.text("shown before the stall"), .hang]]), store: store, clock: FakeClock(), observer: log.record)
        try await session.send("Hi")
        _ = await log.wait { $0.contains(.textDelta(messageId: 2, text: "shown before the stall")) }
        _ = try await Polling.until(attempts: 250, every: .milliseconds(20)) {
            try store.messages(conversationId: conversation.id).last?.content == "shown before the stall"
        }
        #expect(try store.messages(conversationId: conversation.id).last?.content == "shown before the stall")
        #expect(try store.messages(conversationId: conversation.id).last?.state == .streaming)
        await session.cancel()
    }

    @Test func aSessionThatSavesNoRepliesKeepsThemInMemoryOnly() async throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "b")
        let log = EventLog()
        let transport = FakeTransport([[.text("one "), .pause(.milliseconds(50)), .text("two ")]])
        let session = ChatSession(
            conversation: conversation, bot: BotProfile(name: "b", id: "b", endpoint: Endpoint()), transport: transport, store: store,
            clock: FakeClock(), savesReplies: false, observer: log.record)
        try await session.send("Hi")
        _ = await log.waitForFinish()
        // The user's message and the reply's row are there (they give the ids); its text is not.
        let stored = try store.messages(conversationId: conversation.id)
        #expect(stored.map(\.content) == ["Hi", ""])
        #expect(await session.messages.map(\.content) == ["Hi", "one two "])
        #expect(await session.messages.last?.state == .complete)
    }

    @Test func aFullDiskIsSaidAtOnceTheTextKeptAndTheSaveRetried() async throws {
        let path = temporaryDatabase()
        defer { remove(path) }
        let store = try Store(path: path)
        let conversation = try store.createConversation(botId: "b", botName: "b")
        let big = String(repeating: "a long reply that will not fit. ", count: 4000)
        let transport = FakeTransport([[.text("start "), .pause(.milliseconds(300)), .text(big)]])
        let log = EventLog()
        let session = ChatSession(
            conversation: conversation, bot: BotProfile(name: "b", id: "b", endpoint: Endpoint()), transport: transport, store: store, observer: log.record)
        try await session.send("Hi")
        _ = await log.wait { $0.contains(.textDelta(messageId: 2, text: "start ")) }
        // The disk is full now: the database may not grow by a page.
        let pages = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        try store.limitSize(toPages: max(2, pages / 4096 + 2))
        let events = await log.waitForFinish()
        let failed = events.contains { if case .saveFailed = $0 { return true } else { return false } }
        #expect(failed, "no saveFailed in \(events)")
        // Nothing shown is lost in memory.
        #expect(await session.messages.last?.content == "start " + big)
        // Room again: the kept text is written at the next retry.
        try store.limitSize(toPages: 1_000_000)
        _ = await log.wait { $0.contains(.saveRecovered) }
        #expect(try store.messages(conversationId: conversation.id).last?.content == "start " + big)
        #expect(try store.messages(conversationId: conversation.id).last?.state == .complete)
    }

    @Test func anotherProcessOpeningTheStoreLeavesALiveReplyAlone() throws {
        let path = temporaryDatabase()
        defer { remove(path) }
        var writer: Store? = try Store(path: path)
        let conversation = try writer!.createConversation(botId: "b", botName: "b")
        let reply = try writer!.appendMessage(conversationId: conversation.id, role: .assistant, content: "half", state: .streaming)
        // A listing, and a second writer, while the first still runs: the reply stays streaming.
        _ = try Store(path: path, readOnly: true).messages(conversationId: conversation.id)
        _ = try Store(path: path)
        #expect(try writer!.messages(conversationId: conversation.id).first?.state == .streaming)
        // The first process is gone (its lock with it): the next opening marks the reply.
        writer = nil
        let later = try Store(path: path)
        let recovered = try #require(try later.messages(conversationId: conversation.id).first { $0.id == reply.id })
        #expect(recovered.state == .interrupted)
        #expect(recovered.content == "half")
    }

    @Test func aConversationOpenForWritingIsReadOnlyForEveryoneElse() async throws {
        let path = temporaryDatabase()
        defer { remove(path) }
        let first = Workspace(store: try Store(path: path), transport: FakeTransport([]))
        await first.perform(.open(BotProfile(name: "b", id: "b", endpoint: Endpoint())))
        let tab = try #require(await first.tabIDs.first)
        let id = tab.conversation
        #expect(await first.session(of: tab)?.isReadOnly == false)
        let otherStore = try Store(path: path)
        #expect(otherStore.isConversationLocked(id))
        let second = Workspace(store: otherStore, transport: FakeTransport([]))
        await second.perform(.open(BotProfile(name: "b", id: "b", endpoint: Endpoint()), conversation: id))
        let readOnly = try #require(await second.session(of: tab))
        #expect(readOnly.isReadOnly)
        await #expect(throws: SessionError.readOnly) { try await readOnly.send("hello") }
        // Closed in the first, the conversation can be written by the next one to open it.
        await first.perform(.close(tab))
        #expect(!otherStore.isConversationLocked(id))
    }

    @Test func aConversationIsHeldWhileItsLeaseLivesAndFreeTheMomentItEnds() throws {
        let path = temporaryDatabase()
        defer { remove(path) }
        let mine = try Store(path: path), theirs = try Store(path: path)
        let id = try mine.createConversation(botId: "b", botName: "b").id
        var lease = mine.lockConversation(id)
        #expect(lease != nil)
        #expect(theirs.isConversationLocked(id) && !mine.isConversationLocked(id))
        #expect(theirs.lockConversation(id) == nil)
        // Let go, it is free at once, for the next process and for this one again: nothing
        // waits on a child process forked meanwhile to let go of a lock file.
        lease = nil
        #expect(!theirs.isConversationLocked(id))
        lease = mine.lockConversation(id)
        #expect(lease != nil)
        lease = nil
        let taken = theirs.lockConversation(id)
        #expect(taken != nil && mine.isConversationLocked(id))
        withExtendedLifetime(taken) {}
    }

    @Test func aConversationLeftHeldByAProcessThatIsGoneIsFree() throws {
        let path = temporaryDatabase()
        defer { remove(path) }
        var crashed: Store? = try Store(path: path)
        let id = try crashed!.createConversation(botId: "b", botName: "b").id
        let lease = crashed!.lockConversation(id)
        // Killed with the lease held: its row stays, its process lock goes with it.
        try crashed!.database.write { db in try db.execute(sql: "UPDATE conversationOwner SET owner = 'a-process-that-is-gone'") }
        withExtendedLifetime(lease) {}
        crashed = nil
        let next = try Store(path: path)
        #expect(!next.isConversationLocked(id))
        #expect(next.lockConversation(id) != nil)
    }

    @Test func listingsOpenAStoreNobodyMayWriteTo() throws {
        let path = temporaryDatabase()
        let directory = (path as NSString).deletingLastPathComponent
        defer {
            chmod(directory, 0o700)
            remove(path)
        }
        do {
            let store = try Store(path: path)
            let conversation = try store.createConversation(botId: "b", botName: "support")
            _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: "where is my zeppelin")
        }
        chmod(path, 0o444)
        chmod(directory, 0o500)
        // Root may write anywhere; the point is that a read-only opening never needs to.
        let store = try Store(path: path, readOnly: true)
        #expect(try store.conversations().map(\.conversation.botName) == ["support"])
        #expect(try store.search("zeppelin").count == 1)
    }
}

/// Limits that keep a broken or hostile server from taking all memory, each with the text so far kept.
@Suite struct ReplyLimitTests {
    @Test func aReplyPastItsLimitStopsThereWithItsTextKept() async throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "b")
        let megabyte = String(repeating: "0123456789abcdef", count: 65_536)
        let pieces = Array(repeating: FakeTransport.Step.text(megabyte), count: (ChatSession.maxReplyBytes >> 20) + 3)
        let log = EventLog()
        let session = ChatSession(
            conversation: conversation, bot: BotProfile(name: "b", id: "b", endpoint: Endpoint()), transport: FakeTransport([pieces]),
            store: store, observer: log.record)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        let outcome = events.compactMap { event -> ReplyOutcome? in
            if case .replyFinished(_, let outcome) = event { return outcome } else { return nil }
        }.first
        guard case .interrupted(let error?)? = outcome else {
            Issue.record("expected an interrupted reply, got \(String(describing: outcome))")
            return
        }
        #expect(error.message.contains("passed 16 MiB"))
        let saved = try #require(try store.messages(conversationId: conversation.id).last)
        #expect(saved.content.utf8.count == ChatSession.maxReplyBytes)
        #expect(saved.state == .interrupted)
    }

    @Test func citedSourcesAreKeptToAHundred() async throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "b", botName: "b")
        let sources = (1...150).map { Citation(id: "\($0)", url: "https://example.com/\($0)", title: "Source \($0)") }
        let log = EventLog()
        let session = ChatSession(
            conversation: conversation, bot: BotProfile(name: "b", id: "b", endpoint: Endpoint()),
            transport: FakeTransport([[.text("See"), .citations(Array(sources[..<60])), .citations(Array(sources[60...]))]]), store: store, observer: log.record)
        try await session.send("Hi")
        _ = await log.waitForFinish()
        #expect(try store.messages(conversationId: conversation.id).last?.citations.count == ChatSession.maxCitations)
    }
}
