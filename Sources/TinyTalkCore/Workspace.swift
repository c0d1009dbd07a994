import Foundation
import Synchronization
import TinyTalkAPI

/// The open tabs, the only owner of them: one ``ChatSession`` each, in order, one of them
/// selected, each named by its ``TabID``. The app sends ``WorkspaceCommand``s and learns what
/// became of them, and everything the sessions report, as ``WorkspaceEvent``s through one
/// observer. Every change is saved, so the next run reopens the same tabs.
public actor Workspace {
    struct Tab {
        let id: TabID
        let session: ChatSession
        let bot: BotProfile
        /// Held while the tab is open: other processes see the conversation is being written.
        let lock: ConversationLease?
    }

    /// What the observer is handed when it starts listening: the tabs as they are, in order.
    public struct Snapshot: Sendable {
        public let tabs: [TabSnapshot]
        public let selected: TabID?
        /// The tabs on screen side by side, as the app last arranged them.
        public let split: PaneSplit
    }

    private var tabs: [Tab] = []
    private var selected: TabID?
    /// Kept for the app, which decides it (``WorkspaceCommand/arrange(_:)``), and saved.
    private var split = PaneSplit.none

    let store: Store
    private let transport: any ChatTransport
    private let clock: any SessionClock
    private let retry: RetryPolicy
    private let context: ContextWindow
    /// How many of a conversation's newest messages an opened tab loads.
    private let restoreLimit: Int
    /// Where events go: called on whichever thread emits them (a session's, on the network).
    private let outlet = Outlet()
    private let commands: AsyncStream<WorkspaceCommand>.Continuation

    public init(
        store: Store, transport: any ChatTransport, clock: any SessionClock = SystemClock(), retry: RetryPolicy = RetryPolicy(),
        context: ContextWindow = ContextWindow(), restoreLimit: Int = 500
    ) {
        self.store = store
        self.transport = transport
        self.clock = clock
        self.retry = retry
        self.context = context
        self.restoreLimit = restoreLimit
        let (stream, continuation) = AsyncStream.makeStream(of: WorkspaceCommand.self)
        commands = continuation
        // One consumer: commands are carried out one after another, in the order sent.
        Task { [weak self] in
            for await command in stream {
                guard let self else { return }
                await self.perform(command)
            }
        }
    }

    deinit { commands.finish() }

    /// Queues a command; it is carried out after every command sent before it. Any thread.
    public nonisolated func send(_ command: WorkspaceCommand) {
        commands.yield(command)
    }

    /// Hands every event from now on to `observer`, on the thread that emits it, and returns
    /// the tabs as they are: nothing is missed or seen twice.
    public func observe(_ observer: @escaping @Sendable (WorkspaceEvent) -> Void) async -> Snapshot {
        outlet.observer.withLock { $0 = Outlet.Observer(observer) }
        var snapshots: [TabSnapshot] = []
        for tab in tabs { snapshots.append(await snapshot(of: tab)) }
        return Snapshot(tabs: snapshots, selected: selected, split: split)
    }

    /// The open tabs' ids, in order.
    public var tabIDs: [TabID] { tabs.map(\.id) }
    public var selectedTab: TabID? { selected }
    /// The split as last arranged.
    public var paneSplit: PaneSplit { split }
    /// The bot a tab talks to.
    public func bot(of id: TabID) -> BotProfile? { tab(id)?.bot }
    /// The session behind a tab (for `ask`-like wiring and tests; the app goes through commands).
    public func session(of id: TabID) -> ChatSession? { tab(id)?.session }

    // MARK: - Commands

    /// Carries out one command now and emits what comes of it (``send(_:)`` queues instead).
    public func perform(_ command: WorkspaceCommand) async {
        switch command {
        case .open(let bot, let conversation): await open(bot, conversation: conversation)
        case .close(let id): await close(id)
        case .select(let id): select(id)
        case .move(let id, let position): move(id, to: position)
        case .arrange(let newSplit):
            split = newSplit.keeping(tabs.map(\.id))
            persist()
        case .restart(let id): await restart(id)
        case .send(let id, let text):
            await withSession(id, unsent: text) { try await $0.send(text) }
        case .cancel(let id):
            await tab(id)?.session.cancel()
        case .regenerate(let id):
            await withSession(id) { try await $0.regenerate() }
        case .fork(let id, let message, let edited):
            await fork(id, at: message, edited: edited)
        case .chooseVariant(let id, let message):
            await withSession(id) { try await $0.chooseVariant(message) }
        case .configure(let id, let setting):
            await withSession(id) { session in
                let conversation = try await session.configure(setting)
                self.emit(.settingsChanged(id, conversation, changed: setting))
            }
        case .loadOlder(let id):
            await withSession(id) { session in self.emit(.olderLoaded(id, try await session.loadOlderMessages())) }
        case .search(let query):
            do {
                emit(.searchFinished(query: query, hits: try store.search(query, limit: 50)))
            } catch {
                emit(.failed(WorkspaceFailure(tab: nil, message: "Search failed: \(error)")))
            }
        case .export(let id, let format, let path, let replace):
            await export(id, format: format, path: path, replace: replace)
        case .listConversations(let cursor, let filter, let limit):
            do {
                emit(.conversationsListed(after: cursor, filter: filter, try store.conversationPage(after: cursor, limit: limit, filter: filter)))
            } catch {
                emit(.failed(WorkspaceFailure(tab: nil, message: "Could not list the conversations: \(error)")))
            }
        case .rename(let id, let title):
            await rename(id, to: title)
        case .delete(let id):
            await delete(id)
        case .updateKeys(let key):
            for tab in tabs { await tab.session.setAPIKey(key(tab.bot)) }
        case .stopAll:
            for tab in tabs { await tab.session.cancel() }
            emit(.stopped)
        }
    }

    /// Reopens the tabs saved by the last run, before anyone observes. `profile` gives the bot
    /// settings for each conversation (from the configuration); conversations that no longer
    /// exist are skipped. Returns how many tabs were restored.
    @discardableResult
    public func restore(profile: @Sendable (Conversation) -> BotProfile) throws -> Int {
        let saved = try store.openTabs()
        var restored: [Tab] = []
        for id in saved.conversationIds where !restored.contains(where: { $0.id.conversation == id }) {
            guard let conversation = try store.conversation(id: id) else { continue }
            restored.append(try makeTab(profile(conversation), conversation: conversation))
        }
        tabs = restored
        selected = restored.indices.contains(saved.selected) ? restored[saved.selected].id : restored.first?.id
        split = PaneSplit(panes: saved.panes.map(TabID.init), stacked: saved.stacked).keeping(restored.map(\.id))
        return restored.count
    }

    private func open(_ bot: BotProfile, conversation id: Int64?) async {
        if let id, tab(TabID(id)) != nil {
            select(TabID(id))
            return
        }
        do {
            let conversation: Conversation
            if let id {
                // A conversation deleted meanwhile (by another tinytalk, say) is not made again.
                guard let saved = try store.conversation(id: id) else {
                    emit(.failed(WorkspaceFailure(tab: nil, message: "That conversation is no longer in the history.")))
                    return
                }
                conversation = saved
            } else {
                conversation = try store.createConversation(
                    botId: bot.id, botName: bot.name, systemPrompt: bot.systemPrompt, temperature: bot.temperature, model: bot.model)
            }
            await add(try makeTab(bot, conversation: conversation))
        } catch {
            emit(.failed(WorkspaceFailure(tab: nil, message: "Could not open a tab: \(error)")))
        }
    }

    /// Puts a new tab after the last one and selects it.
    private func add(_ tab: Tab) async {
        let opened = await snapshot(of: tab)
        tabs.append(tab)
        selected = tab.id
        emit(.tabOpened(opened, at: tabs.count - 1))
        emit(.tabSelected(tab.id))
        persist()
    }

    private func fork(_ id: TabID, at message: Int64, edited: String?) async {
        guard let source = tab(id) else { return }
        do {
            let conversation = try store.forkConversation(id.conversation, at: message, including: edited == nil)
            let fork = try makeTab(source.bot, conversation: conversation)
            await add(fork)
            if let edited {
                await withSession(fork.id, unsent: edited) { try await $0.send(edited) }
            }
        } catch {
            emit(.failed(WorkspaceFailure(tab: id, message: "Could not fork the conversation: \(error)", unsent: edited)))
        }
    }

    private func close(_ id: TabID) async {
        guard let index = tabs.firstIndex(where: { $0.id == id }) else { return }
        let tab = tabs.remove(at: index)
        await tab.session.close()
        split = split.removing(id)
        emit(.tabClosed(id))
        if selected == id {
            selected = tabs.isEmpty ? nil : tabs[min(index, tabs.count - 1)].id
            emit(.tabSelected(selected))
        }
        persist()
    }

    private func select(_ id: TabID) {
        guard tab(id) != nil else { return }
        selected = id
        emit(.tabSelected(id))
        persist()
    }

    private func move(_ id: TabID, to position: Int) {
        guard let index = tabs.firstIndex(where: { $0.id == id }), tabs.indices.contains(position), index != position else { return }
        tabs.insert(tabs.remove(at: index), at: position)
        emit(.tabMoved(id, to: position))
        persist()
    }

    private func restart(_ id: TabID) async {
        guard let index = tabs.firstIndex(where: { $0.id == id }) else { return }
        let old = tabs[index]
        do {
            let conversation = try store.createConversation(
                botId: old.bot.id, botName: old.bot.name, systemPrompt: old.bot.systemPrompt, temperature: old.bot.temperature,
                model: old.bot.model)
            await old.session.close()
            let fresh = try makeTab(old.bot, conversation: conversation)
            let replacement = await snapshot(of: fresh)
            guard let place = tabs.firstIndex(where: { $0.id == id }) else { return }
            tabs[place] = fresh
            if selected == id { selected = fresh.id }
            split = split.replacing(id, with: fresh.id)
            emit(.tabReplaced(id, by: replacement))
            persist()
        } catch {
            emit(.failed(WorkspaceFailure(tab: id, message: "Could not start a new conversation: \(error)")))
        }
    }

    private func rename(_ id: Int64, to title: String) async {
        let title = title.trimmingWhitespace()
        do {
            if let session = tab(TabID(id))?.session {
                try await session.rename(title)
            } else {
                try store.renameConversation(id: id, title: title)
            }
            emit(.conversationRenamed(id, title: title))
        } catch {
            emit(.failed(WorkspaceFailure(tab: nil, message: "Could not rename the conversation: \(error)")))
        }
    }

    private func delete(_ id: Int64) async {
        if let tab = tab(TabID(id)) {
            guard !tab.session.isReadOnly else {
                emit(.failed(WorkspaceFailure(tab: tab.id, message: "That conversation is open in another tinytalk: delete it there.")))
                return
            }
            await close(tab.id)
        } else if store.isConversationLocked(id) {
            emit(.failed(WorkspaceFailure(tab: nil, message: "That conversation is open in another tinytalk: delete it there.")))
            return
        }
        do {
            try store.deleteConversation(id: id)
            emit(.conversationDeleted(id))
        } catch {
            emit(.failed(WorkspaceFailure(tab: nil, message: "Could not delete the conversation: \(error)")))
        }
    }

    private func export(_ id: TabID, format: ConversationExport.Format, path: String?, replace: Bool) async {
        guard let session = tab(id)?.session else { return }
        let conversation = await session.conversation
        let messages = await session.messages
        let file = path.map { ($0 as NSString).expandingTildeInPath }
            ?? FileManager.default.currentDirectoryPath + "/tinytalk-\(conversation.id).\(format.rawValue)"
        // Never replace a file unasked.
        if !replace, FileManager.default.fileExists(atPath: file) {
            emit(.exportWouldReplace(id, path: file))
            return
        }
        do {
            try Data(ConversationExport.render(conversation, messages: messages, as: format).utf8).write(to: URL(fileURLWithPath: file))
            emit(.exported(id, path: file))
        } catch {
            emit(.failed(WorkspaceFailure(tab: id, message: "Could not write \(file): \(error.localizedDescription)")))
        }
    }

    /// Runs `body` on the tab's session; what it throws is reported as a failure of the tab.
    private func withSession(_ id: TabID, unsent: String? = nil, _ body: (ChatSession) async throws -> Void) async {
        guard let session = tab(id)?.session else { return }
        do {
            try await body(session)
        } catch {
            emit(.failed(WorkspaceFailure(tab: id, message: "\(error)", unsent: unsent)))
        }
    }

    // MARK: - Tabs

    private func tab(_ id: TabID) -> Tab? { tabs.first { $0.id == id } }

    /// A saved conversation goes on with the bot it was held with, whatever the profile's name.
    private func makeTab(_ bot: BotProfile, conversation: Conversation) throws -> Tab {
        var bot = bot
        if bot.id != conversation.botId {
            bot.id = conversation.botId
            bot.name = conversation.botName
        }
        let messages = try store.messages(conversationId: conversation.id, limit: restoreLimit)
        let id = TabID(conversation.id)
        // One writer per conversation: a second tinytalk shows it read-only.
        let lock = store.lockConversation(conversation.id)
        let outlet = self.outlet
        let session = ChatSession(
            conversation: conversation, messages: messages, bot: bot, transport: transport, store: store, clock: clock,
            retry: retry, context: context, readOnly: lock == nil,
            observer: { event in outlet.emit(.session(id, event)) })
        return Tab(id: id, session: session, bot: bot, lock: lock)
    }

    private func snapshot(of tab: Tab) async -> TabSnapshot {
        TabSnapshot(
            id: tab.id, bot: tab.bot, conversation: await tab.session.conversation, messages: await tab.session.messages,
            isReadOnly: tab.session.isReadOnly)
    }

    private func emit(_ event: WorkspaceEvent) {
        outlet.emit(event)
    }

    /// The observer, reachable from any thread without a hop onto the actor.
    ///
    /// The closure is kept in a class of its own, never as the Mutex's value: a closure read
    /// out of `withLock`'s inout value comes back wrapped in two more reabstraction thunks each
    /// time (Swift 6.3), so every event went through a chain twice as long as the number of
    /// events before it, quadratic in a session's length and a stack overflow in the end.
    private final class Outlet: Sendable {
        final class Observer: Sendable {
            let call: @Sendable (WorkspaceEvent) -> Void
            init(_ call: @escaping @Sendable (WorkspaceEvent) -> Void) { self.call = call }
        }
        let observer = Mutex<Observer?>(nil)

        func emit(_ event: WorkspaceEvent) {
            observer.withLock { $0 }?.call(event)
        }
    }

    private func persist() {
        do {
            try store.saveOpenTabs(
                Store.OpenTabs(
                    conversationIds: tabs.map(\.id.conversation), selected: tabs.firstIndex { $0.id == selected } ?? 0,
                    panes: split.panes.map(\.conversation), stacked: split.stacked))
        } catch {
            emit(.failed(WorkspaceFailure(tab: nil, message: "Could not save the open tabs (\(error)); they may not reopen next time.")))
        }
    }
}
