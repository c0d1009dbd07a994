import Foundation
import Synchronization
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore

/// What a workspace reported, for the tests to wait on.
final class WorkspaceLog: Sendable {
    private let collected = Mutex<[WorkspaceEvent]>([])

    var events: [WorkspaceEvent] { collected.withLock { $0 } }

    var record: @Sendable (WorkspaceEvent) -> Void {
        { [self] event in self.collected.withLock { $0.append(event) } }
    }

    /// Waits until `condition` holds for the events so far (5,000 looks, 2 ms apart: at least 10 s).
    @discardableResult
    func wait(until condition: ([WorkspaceEvent]) -> Bool) async -> [WorkspaceEvent] {
        let held = await Polling.until(attempts: 5_000, every: .milliseconds(2)) { condition(events) }
        if !held { Issue.record("the workspace never reported it; it said \(events)") }
        return events
    }
}

extension WorkspaceEvent {
    var failure: WorkspaceFailure? { if case .failed(let failure) = self { failure } else { nil } }
    var openedTab: TabSnapshot? { if case .tabOpened(let tab, _) = self { tab } else { nil } }
    var isReplyFinished: Bool { if case .session(_, .replyFinished) = self { true } else { false } }
}

@Suite struct WorkspaceTests {
    @Test func tabsOpenCloseMoveAndComeBackNextRun() async throws {
        let path = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let workspace = Workspace(store: try Store(path: path), transport: FakeTransport([]))
        for name in ["support", "sales", "docs"] { await workspace.perform(.open(profile(name))) }
        let ids = await workspace.tabIDs
        try #require(ids.count == 3)
        let (support, sales, docs) = (ids[0], ids[1], ids[2])
        #expect(await workspace.selectedTab == docs)

        await workspace.perform(.move(docs, to: 0))
        #expect(await workspace.tabIDs == [docs, support, sales])
        #expect(await workspace.selectedTab == docs)  // the selection stays on its tab
        await workspace.perform(.select(sales))
        await workspace.perform(.close(support))
        #expect(await workspace.tabIDs == [docs, sales])
        #expect(await workspace.selectedTab == sales)
        try await #require(await workspace.session(of: sales)).send("remember me")

        let nextRun = Workspace(store: try Store(path: path), transport: FakeTransport([]))
        let restored = try await nextRun.restore { conversation in profile(conversation.botName) }
        try #require(restored == 2)
        #expect(await nextRun.tabIDs == [docs, sales])  // the same tabs: ids are the conversations'
        #expect(await nextRun.selectedTab == sales)
        #expect(await nextRun.session(of: sales)?.messages.first?.content == "remember me")
    }

    @Test func theSplitComesBackNextRunWithoutTheTabsClosedSince() async throws {
        let path = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let workspace = Workspace(store: try Store(path: path), transport: FakeTransport([]))
        for name in ["a", "b", "c", "d"] { await workspace.perform(.open(profile(name))) }
        let ids = await workspace.tabIDs
        await workspace.perform(.arrange(PaneSplit(panes: [ids[2], ids[0], ids[3]], stacked: true)))
        await workspace.perform(.close(ids[3]))
        #expect(await workspace.paneSplit == PaneSplit(panes: [ids[2], ids[0]], stacked: true))
        // A tab that is not open never goes in a pane.
        await workspace.perform(.arrange(PaneSplit(panes: [ids[2], ids[0], TabID(999)], stacked: true)))
        #expect(await workspace.paneSplit.panes == [ids[2], ids[0]])

        let nextRun = Workspace(store: try Store(path: path), transport: FakeTransport([]))
        try await nextRun.restore { profile($0.botName) }
        #expect(await nextRun.paneSplit == PaneSplit(panes: [ids[2], ids[0]], stacked: true))
        let log = WorkspaceLog()
        #expect(await nextRun.observe(log.record).split == PaneSplit(panes: [ids[2], ids[0]], stacked: true))
        // Closing one of two panes' tabs leaves no split.
        await nextRun.perform(.close(ids[0]))
        let left = await nextRun.paneSplit, open = await nextRun.tabIDs
        #expect(left == .none, "\(left) \(open) \(ids)")
    }

    @Test func aSplitHoldsTwoToFourDifferentTabs() {
        let (a, b, c, d, e) = (TabID(1), TabID(2), TabID(3), TabID(4), TabID(5))
        #expect(PaneSplit(panes: [a], stacked: false) == .none)
        #expect(PaneSplit(panes: [a, a], stacked: false) == .none)
        #expect(PaneSplit(panes: [a, b, a, c, d, e], stacked: false).panes == [a, b, c, d])
        let split = PaneSplit(panes: [a, b, c], stacked: false)
        #expect(split.removing(b).panes == [a, c] && split.removing(b).removing(a) == .none)
        #expect(split.replacing(b, with: e).panes == [a, e, c])
    }

    @Test func everyChangeArrivesAsAnEventAndTabIDsStayPut() async throws {
        let store = try Store()
        let workspace = Workspace(store: store, transport: FakeTransport([[.text("hello")]]))
        let log = WorkspaceLog()
        let start = await workspace.observe(log.record)
        #expect(start.tabs.isEmpty && start.selected == nil)

        workspace.send(.open(profile("a")))
        workspace.send(.open(profile("b")))
        let opened = await log.wait { $0.compactMap(\.openedTab).count == 2 }.compactMap(\.openedTab)
        let (a, b) = (opened[0].id, opened[1].id)
        #expect(opened.map(\.bot.name) == ["a", "b"])

        // Closed and opened again, a conversation is the same tab.
        workspace.send(.close(a))
        workspace.send(.open(profile("a"), conversation: a.conversation))
        let reopened = await log.wait { $0.compactMap(\.openedTab).count == 3 }
        #expect(reopened.contains(.tabClosed(a)))
        #expect(reopened.compactMap(\.openedTab).last?.id == a)
        #expect(await workspace.tabIDs == [b, a])
        // Opening a conversation that is open selects its tab.
        workspace.send(.open(profile("b"), conversation: b.conversation))
        await log.wait { $0.last == .tabSelected(b) }
        #expect(await workspace.tabIDs == [b, a])

        // A conversation that is gone is said to be gone, not made again.
        workspace.send(.open(profile("a"), conversation: 999))
        let gone = await log.wait { $0.contains { $0.failure != nil } }.compactMap(\.failure).first
        #expect(gone?.message == "That conversation is no longer in the history.")
        #expect(await workspace.tabIDs == [b, a])

        // /clear: a new conversation in the same place; the other tab keeps its id.
        workspace.send(.restart(b))
        let replaced = await log.wait { $0.contains { if case .tabReplaced(b, _) = $0 { true } else { false } } }
        guard case .tabReplaced(_, let fresh)? = replaced.last(where: { if case .tabReplaced = $0 { true } else { false } }) else { return }
        #expect(fresh.id != b && fresh.messages.isEmpty)
        #expect(await workspace.tabIDs == [fresh.id, a])

        // A message and its reply come tagged with their tab.
        workspace.send(.send(a, "hi"))
        let replied = await log.wait { $0.contains(where: \.isReplyFinished) }
        #expect(replied.contains(.session(a, .textDelta(messageId: 2, text: "hello"))))
    }

    @Test func theObserverIsCalledAsDirectlyAtTheThousandthEventAsAtTheFirst() async throws {
        // The observer was once read out of a lock in a way that wrapped it in two more
        // thunks per event: the call stack grew with every event (quadratic time, then a
        // stack overflow). Its depth must stay the same.
        let store = try Store()
        let workspace = Workspace(store: store, transport: FakeTransport([]))
        let depths = Mutex<[Int]>([])
        _ = await workspace.observe { event in
            guard case .tabSelected = event else { return }
            let depth = Thread.callStackSymbols.count  // at most 128 frames: enough to see it grow
            depths.withLock { $0.append(depth) }
        }
        workspace.send(.open(profile("a")))
        #expect(await Polling.until(attempts: 5_000, every: .milliseconds(2)) { await !workspace.tabIDs.isEmpty })
        let id = try #require(await workspace.tabIDs.first)
        for _ in 0..<1_000 { workspace.send(.select(id)) }
        #expect(await Polling.until(attempts: 5_000, every: .milliseconds(2)) { depths.withLock { $0.count } >= 1_001 })
        let seen = depths.withLock { $0 }
        #expect(seen.last == seen[1], "call depth went from \(seen[1]) to \(seen.last ?? 0) frames")
    }

    @Test func settingsChangesArriveInOrderAndNoneUndoesAnother() async throws {
        let store = try Store()
        let workspace = Workspace(store: store, transport: FakeTransport([]))
        await workspace.perform(.open(profile("a")))
        let id = try #require(await workspace.tabIDs.first)
        let log = WorkspaceLog()
        _ = await workspace.observe(log.record)
        workspace.send(.configure(id, .temperature(0.3)))
        workspace.send(.configure(id, .model("gpt-4.1-mini")))
        workspace.send(.configure(id, .systemPrompt("Be brief.")))
        let events = await log.wait { $0.count == 3 }
        guard case .settingsChanged(id, let last, changed: .systemPrompt("Be brief.")) = events.last else {
            Issue.record("settings events: \(events)")
            return
        }
        #expect(last.temperature == 0.3 && last.model == "gpt-4.1-mini")
        let saved = try #require(try store.conversation(id: id.conversation))
        #expect(saved.temperature == 0.3 && saved.model == "gpt-4.1-mini" && saved.systemPrompt == "Be brief.")
    }

    @Test func aFailedSendGivesItsTextBack() async throws {
        let path = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let writer = Workspace(store: try Store(path: path), transport: FakeTransport([]))
        await writer.perform(.open(profile("a")))
        let id = try #require(await writer.tabIDs.first)
        // A second process sees the conversation read-only: sending there fails, and says so.
        let reader = Workspace(store: try Store(path: path), transport: FakeTransport([]))
        let log = WorkspaceLog()
        _ = await reader.observe(log.record)
        reader.send(.open(profile("a"), conversation: id.conversation))
        reader.send(.send(id, "my long careful question"))
        let failure = await log.wait { $0.contains { $0.failure != nil } }.compactMap(\.failure).first
        #expect(failure?.tab == id)
        #expect(failure?.unsent == "my long careful question")
        #expect(failure?.message.contains("open in another tinytalk") == true)
        #expect(await reader.session(of: id)?.isReadOnly == true)
    }

    @Test func anExportNeverReplacesAFileUnasked() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tinytalk-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("talk.md").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: file))
        let workspace = Workspace(store: try Store(), transport: FakeTransport([]))
        await workspace.perform(.open(profile("a")))
        let id = try #require(await workspace.tabIDs.first)
        let log = WorkspaceLog()
        _ = await workspace.observe(log.record)
        workspace.send(.export(id, .markdown, path: file, replace: false))
        await log.wait { $0.contains(.exportWouldReplace(id, path: file)) }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "precious")
        workspace.send(.export(id, .markdown, path: file, replace: true))
        await log.wait { $0.contains(.exported(id, path: file)) }
        #expect(try String(contentsOfFile: file, encoding: .utf8) != "precious")
    }
}

@Suite struct ForkTests {
    /// A workspace with one tab holding `one → r1, two → r2`.
    static func twoTurns(_ extra: [[FakeTransport.Step]] = []) async throws -> (Workspace, Store, TabID, FakeTransport, WorkspaceLog) {
        let store = try Store()
        let transport = FakeTransport([[.text("r1")], [.text("r2")]] + extra)
        let workspace = Workspace(store: store, transport: transport)
        let log = WorkspaceLog()
        _ = await workspace.observe(log.record)
        await workspace.perform(.open(profile("a")))
        let tab = try #require(await workspace.tabIDs.first)
        for (count, text) in [(1, "one"), (2, "two")] {
            await workspace.perform(.send(tab, text))
            await log.wait { $0.filter(\.isReplyFinished).count == count }
        }
        return (workspace, store, tab, transport, log)
    }

    @Test func anEditedEarlierMessageForksWithExactlyTheTurnsBeforeIt() async throws {
        let (workspace, store, tab, transport, log) = try await Self.twoTurns([[.text("r2 again")]])
        let original = try store.messages(conversationId: tab.conversation)
        let two = try #require(original.first { $0.content == "two" })
        let before = ConversationExport.markdown(try #require(try store.conversation(id: tab.conversation)), messages: original)

        await workspace.perform(.fork(tab, at: two.id, edited: "TWO, edited"))
        await log.wait { $0.filter(\.isReplyFinished).count == 3 }
        #expect(transport.requests.last?.messages.map(\.content) == ["one", "r1", "TWO, edited"])
        let forked = try #require(await workspace.tabIDs.last)
        #expect(forked != tab)
        #expect(await workspace.selectedTab == forked)
        #expect(try store.messages(conversationId: forked.conversation).map(\.content) == ["one", "r1", "TWO, edited", "r2 again"])
        #expect(try store.conversation(id: forked.conversation)?.forkedFrom == tab.conversation)
        // The original is as it was, in the store and in its export.
        let after = try store.messages(conversationId: tab.conversation)
        #expect(after == original)
        #expect(ConversationExport.markdown(try #require(try store.conversation(id: tab.conversation)), messages: after) == before)
    }

    @Test func aForkWithoutEditCopiesThroughTheMessageChosen() async throws {
        let (workspace, store, tab, _, _) = try await Self.twoTurns()
        let r1 = try #require(try store.messages(conversationId: tab.conversation).first { $0.content == "r1" })
        await workspace.perform(.fork(tab, at: r1.id, edited: nil))
        let forked = try #require(await workspace.tabIDs.last)
        #expect(try store.messages(conversationId: forked.conversation).map(\.content) == ["one", "r1"])
        #expect(try store.conversation(id: forked.conversation)?.title == "one")
        #expect(await workspace.session(of: forked)?.messages.map(\.content) == ["one", "r1"])
    }
}
