import Foundation
import TerminalKit
import TinyTalkCore

/// The UI state of one tab: its transcript, scroll position, input and markers. The tab itself
/// (its session) belongs to the ``Workspace``; this is what the app shows of it.
@MainActor
public final class TabView {
    public let id: TabID
    public let bot: BotProfile
    public let transcript: Transcript
    public var scroll = ScrollState()
    public var editor = LineEditor()
    /// Messages sent from this tab, oldest first, for Up/Down.
    public var sent: [String] = []
    /// Messages to send once the reply on its way is in, first first (see App+Queue).
    public var queued: [String] = []
    /// Files to send with the next message (`/file`).
    public var attachments: [Attachment] = []
    /// Messages handed to the workspace that the session has not taken yet: the tab is busy
    /// from Enter on, not only once the session says so, so a second Enter right after the
    /// first queues instead of being refused.
    var sendsInFlight = 0
    /// A reply is on its way, or a message about to start one.
    var isBusy: Bool { state != .idle || sendsInFlight > 0 }
    public var state: SessionState = .idle
    /// A reply finished while the tab was not on screen.
    public var hasUnread: Bool {
        get { unreadReplies > 0 }
        set { if !newValue { unreadReplies = 0 } }
    }
    /// Replies that finished while the tab was not on screen, since it last was.
    public private(set) var unreadReplies = 0
    /// Whether the store may hold messages older than the first one shown (a restored tab
    /// loads only the newest), and whether they are being loaded now.
    var mayHaveOlder = true
    var loadingOlder = false
    /// The last reply failed.
    public var hasError = false
    /// Why the conversation cannot be written to the store right now (a full disk); nil when
    /// everything shown is saved.
    public var saveProblem: String?
    /// Another tinytalk writes this conversation: here it can be read, not added to.
    public let isReadOnly: Bool
    /// When the current reply's first text arrived and how much has arrived, for tokens/s.
    var streamStarted: ContinuousClock.Instant? {
        didSet { shownRate = nil }
    }
    var streamedPieces = 0
    /// The tokens/s figure last shown, and when it was worked out.
    private var shownRate: (value: Int, at: ContinuousClock.Instant)?
    /// When a retry wait ends.
    var retryEnds: ContinuousClock.Instant?
    /// The conversation's temperature and model (nil: the bot's own), for the status bar.
    public var temperature: Double?
    /// An earlier message of yours being edited (`e` in select mode): sending it forks the
    /// conversation there; `draft` is what the input held before.
    var editing: (messageId: Int64, draft: String)?
    /// The conversation this one was forked from.
    public let forkedFrom: Int64?
    /// The conversation's title (from its first message, or given).
    public var title: String
    public var model: String?

    init(_ snapshot: TabSnapshot, theme: Theme) {
        id = snapshot.id
        bot = snapshot.bot
        isReadOnly = snapshot.isReadOnly
        transcript = Transcript(botName: bot.name, messages: snapshot.messages, theme: theme)
        title = snapshot.conversation.title
        forkedFrom = snapshot.conversation.forkedFrom
        temperature = snapshot.conversation.temperature
        model = snapshot.conversation.model
        sent = snapshot.messages.filter { $0.role == .user }.suffix(100).map(\.content)
    }

    /// Pieces of text per second since the reply's first text.
    var piecesPerSecond: Double? {
        guard let started = streamStarted else { return nil }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0.2 ? Double(streamedPieces) / seconds : nil
    }

    /// The tokens/s figure as the status bar shows it: worked out again at most twice a second,
    /// so it can be read rather than flicker between 49 and 51 (and the bar is not composed
    /// again for every token that moves it).
    func shownPiecesPerSecond(now: ContinuousClock.Instant = .now) -> Int? {
        if let shownRate, now - shownRate.at < .milliseconds(500) { return shownRate.value }
        guard let rate = piecesPerSecond else { return nil }
        shownRate = (Int(rate.rounded()), now)
        return shownRate?.value
    }

    /// - Parameter pieces: how many stream pieces a text delta joins (for tokens a second).
    func apply(_ event: SessionEvent, visible: Bool, pieces: Int = 1) {
        transcript.apply(event)
        switch event {
        case .stateChanged(let newState):
            state = newState
            if case .retrying(_, let delay) = newState { retryEnds = ContinuousClock.now + delay } else { retryEnds = nil }
        case .userMessageAdded(let message):
            sendsInFlight = max(0, sendsInFlight - 1)
            if title.isEmpty { title = Conversation.title(from: message.content) }
        case .replyStarted:
            streamStarted = nil
            streamedPieces = 0
            hasError = false
        case .textDelta:
            if streamStarted == nil { streamStarted = .now }
            streamedPieces += pieces
        case .replyFinished(_, let outcome):
            streamStarted = nil
            if case .failed = outcome { hasError = true }
            if !visible { unreadReplies += 1 }
        case .saveFailed(let reason):
            saveProblem = reason
        case .saveRecovered:
            saveProblem = nil
        default:
            break
        }
    }
}
