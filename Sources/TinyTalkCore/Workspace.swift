import Foundation
import TinyTalkAPI

/// The open tabs: one ``ChatSession`` each, in order, one of them selected. Every change is
/// saved, so the next run reopens the same tabs with their conversations.
public actor Workspace {
    /// One open tab.
    public struct Tab: Sendable {
        public let session: ChatSession
        public let bot: BotProfile
        public let conversationId: Int64
        /// Held while the tab is open: other processes see the conversation is being written.
        let lock: ProcessLock?
    }

    public private(set) var tabs: [Tab] = []
    public private(set) var selected = 0

    private let store: Store
    private let transport: any ChatTransport
    private let clock: any SessionClock
    private let retry: RetryPolicy
    private let context: ContextWindow
    /// How many of a conversation's newest messages a restored tab loads.
    private let restoreLimit: Int

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
    }

    public var selectedTab: Tab? { tabs.indices.contains(selected) ? tabs[selected] : nil }

    /// Opens a tab on a new conversation with `bot` (or on an existing conversation), after
    /// the last tab, and selects it.
    @discardableResult
    public func open(_ bot: BotProfile, conversationId: Int64? = nil) throws -> Tab {
        let tab = try makeTab(bot, conversationId: conversationId)
        tabs.append(tab)
        selected = tabs.count - 1
        try persist()
        return tab
    }

    /// Closes a tab; its conversation stays in the history.
    public func close(at index: Int) async throws {
        guard tabs.indices.contains(index) else { return }
        let tab = tabs.remove(at: index)
        await tab.session.close()
        if selected >= tabs.count { selected = max(0, tabs.count - 1) } else if index < selected { selected -= 1 }
        try persist()
    }

    /// Moves a tab to another position; the selection follows the tab it was on.
    public func move(from source: Int, to destination: Int) throws {
        guard tabs.indices.contains(source), tabs.indices.contains(destination), source != destination else { return }
        let selectedId = selectedTab?.conversationId
        let tab = tabs.remove(at: source)
        tabs.insert(tab, at: destination)
        if let selectedId, let index = tabs.firstIndex(where: { $0.conversationId == selectedId }) { selected = index }
        try persist()
    }

    public func select(_ index: Int) throws {
        guard tabs.indices.contains(index) else { return }
        selected = index
        try persist()
    }

    /// Replaces a tab's conversation with a new one with the same bot (`/clear`).
    @discardableResult
    public func restart(at index: Int) async throws -> Tab? {
        guard tabs.indices.contains(index) else { return nil }
        let old = tabs[index]
        await old.session.close()
        let fresh = try makeTab(old.bot, conversationId: nil)
        tabs[index] = fresh
        try persist()
        return fresh
    }

    /// Reopens the tabs saved by the last run. `profile` gives the bot settings for each
    /// conversation (from the configuration); conversations that no longer exist are skipped.
    /// Returns how many tabs were restored.
    @discardableResult
    public func restore(profile: @Sendable (Conversation) -> BotProfile) throws -> Int {
        let saved = try store.openTabs()
        var restored: [Tab] = []
        for id in saved.conversationIds {
            guard let conversation = try store.conversation(id: id) else { continue }
            restored.append(try makeTab(profile(conversation), conversationId: id))
        }
        tabs = restored
        selected = restored.indices.contains(saved.selected) ? saved.selected : 0
        return restored.count
    }

    /// From the next request on, every open tab uses the key `key` gives for its bot (a key was
    /// added or changed while the app runs).
    public func updateKeys(_ key: @Sendable (BotProfile) -> APIKey?) async {
        for tab in tabs { await tab.session.setAPIKey(key(tab.bot)) }
    }

    /// Searches every saved message (for `/search`).
    public func search(_ text: String, limit: Int = 50) throws -> [SearchHit] {
        try store.search(text, limit: limit)
    }

    /// The conversation a search hit belongs to.
    public func conversation(id: Int64) throws -> Conversation? {
        try store.conversation(id: id)
    }

    private func makeTab(_ bot: BotProfile, conversationId: Int64?) throws -> Tab {
        let conversation: Conversation
        let messages: [Message]
        if let conversationId, let existing = try store.conversation(id: conversationId) {
            conversation = existing
            messages = try store.messages(conversationId: conversationId, limit: restoreLimit)
        } else {
            conversation = try store.createConversation(
                botId: bot.id, botName: bot.name, systemPrompt: bot.systemPrompt, temperature: bot.temperature, model: bot.model)
            messages = []
        }
        // One writer per conversation: a second tinytalk shows it read-only.
        let lock = store.lockConversation(conversation.id)
        let session = ChatSession(
            conversation: conversation, messages: messages, bot: bot, transport: transport, store: store, clock: clock,
            retry: retry, context: context, readOnly: lock == nil)
        return Tab(session: session, bot: bot, conversationId: conversation.id, lock: lock)
    }

    private func persist() throws {
        try store.saveOpenTabs(tabs.map(\.conversationId), selected: selected)
    }
}
