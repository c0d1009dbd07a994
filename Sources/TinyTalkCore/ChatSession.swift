import Foundation
import Logging
import TinyTalkAPI

/// Why a session refused a command.
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A reply is still arriving; cancel it or wait.
    case busy
    case emptyMessage
    /// There is no user message to ask again.
    case nothingToRetry
    /// The history could not be saved; nothing was sent.
    case storage(String)
    /// Another tinytalk has the conversation open and alone writes to it.
    case readOnly

    public var description: String {
        switch self {
        case .busy: return "A reply is still arriving: wait for it, or cancel it first."
        case .emptyMessage: return "The message is empty."
        case .nothingToRetry: return "There is no message to ask again yet."
        case .storage(let detail): return "Could not save the conversation (\(detail)); nothing was sent."
        case .readOnly:
            return "This conversation is open in another tinytalk, which alone writes to it: here it is read-only (/clear starts a new one in this tab)."
        }
    }
}

/// One conversation with one bot (one tab): sends messages, streams replies, retries what can
/// be retried, keeps everything in the store, and reports each step as a ``SessionEvent``.
///
/// One reply is in flight at a time. The user's message is committed before its request
/// leaves; the reply is saved at least every ``flushInterval`` while it streams, and when it ends.
public actor ChatSession {
    /// Where the session's events go, in order, on the thread that emits them: the app can
    /// forward each straight to the queue it wants, with no thread wake-up on the way (an
    /// `AsyncStream` consumer is resumed through a pool thread first).
    private let observer: @Sendable (SessionEvent) -> Void

    public private(set) var bot: BotProfile
    public private(set) var conversation: Conversation
    public internal(set) var messages: [Message]
    public private(set) var state: SessionState = .idle
    /// Another process has the conversation open for writing: it can be read here, not added to.
    public nonisolated let isReadOnly: Bool
    /// Whether replies are written to the store (as they grow, every ``flushInterval``, and when
    /// they end). A session whose store dies with the process and is never read back (`ask
    /// --no-save`'s, in memory) keeps its replies in ``messages`` only: writing them would
    /// rewrite the whole text at every flush and index it for search at the end, for nothing.
    public nonisolated let savesReplies: Bool

    /// How often a streaming reply is written to the store.
    public static let flushInterval: Duration = .milliseconds(500)
    /// The longest reply kept: past it the reply is stopped (its text kept) rather than let an
    /// endless stream take all memory.
    public static let maxReplyBytes = 16 << 20
    /// The most cited sources kept for one reply.
    public static let maxCitations = 100

    private let transport: any ChatTransport
    /// Where the session runs: its transport's executor when it has one (the network thread,
    /// so each piece of a reply is taken where it is read), else that of an actor of its own.
    private nonisolated let executor: UnownedSerialExecutor
    private nonisolated let lender: ExecutorLender?
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor }
    let store: Store
    let clock: any SessionClock
    private let retry: RetryPolicy
    private let context: ContextWindow
    let logger = Logger(label: "tinytalk.session")

    /// The reply being received, if any.
    var reply: Reply?
    private var generation = 0

    /// The reply being received. Its text, sources and usage live in ``messages`` (one copy).
    struct Reply {
        var generation: Int
        var messageId: Int64
        var lastFlush: Duration
        var task: Task<Void, Never>?
        /// Something arrived since the last write to the store.
        var unsaved = false
        /// A write is due on a timer (a piece came less than ``flushInterval`` after the last write).
        var flushScheduled = false
        var receivedAnything = false
    }

    /// Writes that failed (a full disk, a locked database), kept to be tried again: the newest
    /// state of each message. The text stays in memory meanwhile; nothing shown is dropped.
    var unsaved: [Int64: Message] = [:]
    var saveRetryScheduled = false
    /// How long to wait before trying a failed write again.
    static let saveRetryInterval: Duration = .seconds(1)

    public init(
        conversation: Conversation, messages: [Message] = [], bot: BotProfile, transport: any ChatTransport, store: Store,
        clock: any SessionClock = SystemClock(), retry: RetryPolicy = RetryPolicy(), context: ContextWindow = ContextWindow(),
        readOnly: Bool = false, savesReplies: Bool = true, observer: @escaping @Sendable (SessionEvent) -> Void
    ) {
        self.isReadOnly = readOnly
        self.savesReplies = savesReplies
        self.observer = observer
        self.conversation = conversation
        self.messages = messages
        self.bot = bot
        self.transport = transport
        if let own = transport.sessionExecutor {
            (executor, lender) = (own.asUnownedSerialExecutor(), nil)
        } else {
            let lender = ExecutorLender()
            (executor, self.lender) = (lender.unownedExecutor, lender)
        }
        self.store = store
        self.clock = clock
        self.retry = retry
        self.context = context
    }

    /// Loads up to `limit` messages older than the oldest one held (a restored tab holds only
    /// the newest ones) and returns them, oldest first; empty when the start is reached.
    public func loadOlderMessages(limit: Int = 200) throws -> [Message] {
        guard let oldest = messages.first else { return [] }
        let older = try store.messages(conversationId: conversation.id, limit: limit, before: oldest.id)
        messages.insert(contentsOf: older, at: 0)
        return older
    }

    /// True while a reply is on its way.
    public var isBusy: Bool { reply != nil }

    // MARK: - Commands

    /// Sends `text` as the next user message and starts the reply.
    public func send(_ text: String) throws(SessionError) {
        guard !isReadOnly else { throw .readOnly }
        guard reply == nil else { throw .busy }
        guard !text.trimmingWhitespace().isEmpty else { throw .emptyMessage }
        let message: Message
        do {
            message = try store.appendMessage(conversationId: conversation.id, role: .user, content: text)
        } catch {
            throw .storage(String(describing: error))
        }
        messages.append(message)
        if conversation.title.isEmpty { conversation.title = Conversation.title(from: text) }
        emit(.userMessageAdded(message))
        try startReply(to: messages.count - 1)
    }

    /// Stops the reply now. Its text so far is kept and marked interrupted.
    public func cancel() {
        guard let reply else { return }
        reply.task?.cancel()
        finish(.interrupted(nil))
    }

    /// One of a conversation's settings, changed on its own so that two changes close together
    /// cannot undo each other.
    public enum Setting: Sendable, Equatable {
        case systemPrompt(String?)
        case temperature(Double?)
        case model(String?)
    }

    /// Changes one setting from the next request on, saved first; returns the conversation as it now is.
    @discardableResult
    public func configure(_ setting: Setting) throws -> Conversation {
        guard !isReadOnly else { throw SessionError.readOnly }
        var changed = conversation
        switch setting {
        case .systemPrompt(let text): changed.systemPrompt = text
        case .temperature(let value): changed.temperature = value
        case .model(let name): changed.model = name
        }
        try store.updateSettings(
            conversationId: changed.id, systemPrompt: changed.systemPrompt, temperature: changed.temperature, model: changed.model)
        conversation = changed
        return changed
    }

    /// Gives the conversation a new title, saved first.
    public func rename(_ title: String) throws {
        guard !isReadOnly else { throw SessionError.readOnly }
        try store.renameConversation(id: conversation.id, title: title)
        conversation.title = title
    }

    /// Uses `key` (nil: none) from the next request on: a key was given for a private agent.
    public func setAPIKey(_ key: APIKey?) {
        bot.endpoint.apiKey = key
    }

    /// The tab is closing: a reply in flight is cancelled (its text kept).
    public func close() {
        cancel()
    }

    // MARK: - The reply

    func startReply(to userIndex: Int) throws(SessionError) {
        let latest = ChatMessage(role: .user, content: messages[userIndex].content)
        let window = context.messages(
            system: conversation.systemPrompt, history: Array(messages[..<userIndex]), latest: latest)
        if window.dropped > 0 { emit(.contextTrimmed(droppedTurns: window.dropped)) }
        let request = ChatRequest(
            botId: conversation.botId, messages: window.messages, temperature: conversation.temperature, model: conversation.model)

        let placeholder: Message
        do {
            placeholder = try store.appendMessage(
                conversationId: conversation.id, role: .assistant, content: "", state: .streaming, answers: messages[userIndex].id)
        } catch {
            throw .storage(String(describing: error))
        }
        messages.append(placeholder)
        emit(.replyStarted(placeholder))

        generation += 1
        let current = generation
        reply = Reply(generation: current, messageId: placeholder.id, lastFlush: clock.now)
        reply?.task = Task { await self.run(request, generation: current) }
    }

    private func run(_ request: ChatRequest, generation: Int) async {
        var attempt = 1
        while isCurrent(generation) {
            setState(.connecting(attempt: attempt))
            do {
                // Each piece is taken on this session's executor as it is read (see `executor`).
                try await transport.send(request, to: bot.endpoint) { delta in
                    try self.assumeIsolated { session in
                        guard session.isCurrent(generation) else { throw CancellationError() }
                        session.receive(delta)
                    }
                }
                guard isCurrent(generation) else { return }
                finish(.complete)
                return
            } catch {
                guard isCurrent(generation) else { return }
                let failure = Self.presentable(error)
                let nothingYet = reply.map { !$0.receivedAnything } ?? false
                if nothingYet, let delay = retry.delay(before: attempt + 1, after: failure) {
                    attempt += 1
                    logger.info(
                        "retrying", metadata: ["bot": "\(bot.name)", "attempt": "\(attempt)", "delay": "\(delay)", "reason": "\(failure.message)"])
                    emit(.retryScheduled(attempt: attempt, delay: delay, reason: failure))
                    setState(.retrying(attempt: attempt, delay: delay))
                    do {
                        try await clock.sleep(for: delay)
                    } catch {
                        return  // cancelled while waiting; cancel() has already ended the reply
                    }
                    continue
                }
                finish(nothingYet ? .failed(failure) : .interrupted(failure))
                return
            }
        }
    }

    func isCurrent(_ generation: Int) -> Bool {
        reply?.generation == generation
    }

    private func receive(_ delta: ChatDelta) {
        // The message is changed in place: a copy would make every piece copy the whole text.
        guard let messageId = reply?.messageId, let index = messages.lastIndex(where: { $0.id == messageId }) else { return }
        switch delta {
        case .text(let text):
            if state != .streaming { setState(.streaming) }
            guard messages[index].content.utf8.count + text.utf8.count <= Self.maxReplyBytes else {
                reply!.task?.cancel()
                finish(.interrupted(.invalidResponse("the reply passed \(Self.maxReplyBytes >> 20) MiB and was stopped there; its text so far is kept")))
                return
            }
            messages[index].content += text
            emit(.textDelta(messageId: messageId, text: text))
        case .citations(let citations):
            let room = max(0, Self.maxCitations - messages[index].citations.count)
            guard room > 0 else { return }
            let kept = Array(citations.prefix(room))
            messages[index].citations += kept
            emit(.citations(messageId: messageId, kept))
        case .usage(let usage):
            messages[index].usage = usage
            emit(.usage(messageId: messageId, usage))
        }
        reply!.receivedAnything = true
        reply!.unsaved = true
        guard savesReplies else { return }
        let sinceFlush = clock.now - reply!.lastFlush
        if sinceFlush >= Self.flushInterval {
            flush()
        } else {
            // Saved within the interval even if nothing more comes (a stall, a kill -9).
            scheduleFlush(after: Self.flushInterval - sinceFlush)
        }
    }

    private func finish(_ outcome: ReplyOutcome) {
        guard let current = reply else { return }
        reply = nil
        let state: Message.State
        let error: String?
        switch outcome {
        case .complete: (state, error) = (.complete, nil)
        case .interrupted(let failure): (state, error) = (.interrupted, failure?.message ?? "cancelled")
        case .failed(let failure): (state, error) = (.failed, failure.message)
        }
        var bytes = 0
        if let index = messages.lastIndex(where: { $0.id == current.messageId }) {
            messages[index].state = state
            messages[index].error = error
            bytes = messages[index].content.utf8.count
            if savesReplies { save(messages[index]) }
        }
        logger.info(
            "reply finished",
            metadata: [
                "bot": "\(bot.name)", "conversation": "\(conversation.id)", "outcome": "\(state.rawValue)",
                "bytes": "\(bytes)", "error": "\(error ?? "")",
            ])
        emit(.replyFinished(messageId: current.messageId, outcome))
        setState(.idle)
    }

    private func setState(_ newState: SessionState) {
        guard newState != state else { return }
        state = newState
        emit(.stateChanged(newState))
    }

    func emit(_ event: SessionEvent) {
        observer(event)
    }

    private static func presentable(_ error: any Error) -> APIError {
        if let error = error as? APIError { return error }
        return .transport(.other, detail: TextExcerpt.clean(String(describing: error), limit: 160))
    }
}
