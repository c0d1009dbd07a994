import Foundation
import TerminalKit
import TinyTalkAPI
import TinyTalkCore

/// One tab's scrollback as a view model: the messages, kept up to date from session events,
/// and their lines wrapped to the pane's width. Wrapping is cached per message and width; a
/// streaming reply is wrapped incrementally, so a token costs the token, not the message.
@MainActor
public final class Transcript {
    /// One message as shown.
    public struct Entry: Equatable {
        public enum Author: Equatable {
            case user, bot, system, error
        }

        public var messageId: Int64?
        public var author: Author
        public var time: Date
        public var text: String
        public var state: Message.State
        /// Why a reply is interrupted or failed.
        public var note: String?
        /// What to do about a failed reply, after its note.
        public var remedy = "press Ctrl+R to retry"
        public var citations: [Citation]
        /// The tokens a reply cost, when the server said.
        public var usage: Usage?
        /// For a reply: the user message it answers (its variants share it).
        public var answers: Int64?
        /// Which variant of its reply this is and how many there are (`2/3`), when more than one.
        public var variant: (number: Int, count: Int)?

        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.messageId == rhs.messageId && lhs.author == rhs.author && lhs.time == rhs.time && lhs.text == rhs.text
                && lhs.state == rhs.state && lhs.note == rhs.note && lhs.remedy == rhs.remedy && lhs.citations == rhs.citations
                && lhs.usage == rhs.usage && lhs.answers == rhs.answers && lhs.variant?.number == rhs.variant?.number
                && lhs.variant?.count == rhs.variant?.count
        }
    }

    /// The replies to each user message that was asked more than once, in the order they came.
    private var variants: [Int64: [Int64]] = [:]

    public private(set) var entries: [Entry] = []
    public let botName: String
    public var theme: Theme {
        didSet { if theme != oldValue { layouts.removeAll() } }
    }

    /// Replies shown as their Markdown source rather than styled (`/raw`).
    public var showsSource = false {
        didSet {
            guard showsSource != oldValue else { return }
            layouts.removeAll()
        }
    }

    /// Characters of conversation text (what the context budget counts), kept as events arrive.
    public private(set) var contextCharacters = 0

    /// Each message's lines at ``layoutWidth`` (see Transcript+Lines).
    var layouts: [Int: Layout] = [:]
    /// The entry whose streaming text came in since its lines were last laid out.
    var unsettled: Int?
    var layoutWidth = 0

    public init(botName: String, messages: [Message], theme: Theme) {
        self.botName = botName
        self.theme = theme
        entries = messages.lazy.filter { !$0.isHidden }.map(Self.entry)
        contextCharacters = messages.filter(\.isContext).reduce(0) { $0 + $1.content.count }
        noteVariants(of: messages)
    }

    public var count: Int { entries.count }

    /// True while the last entry is a reply still arriving.
    public var isStreaming: Bool { entries.last?.state == .streaming }

    // MARK: - Events

    public func apply(_ event: SessionEvent) {
        switch event {
        case .userMessageAdded(let message), .replyStarted(let message):
            entries.append(Self.entry(message))
            contextCharacters += message.content.count
            noteVariants(of: [message])
        case .textDelta(let id, let text):
            guard let index = index(of: id) else { return }
            if entries[index].note != nil {
                // Text arrived after a wait: the reason for the wait is gone.
                entries[index].note = nil
                layouts[index] = nil
            }
            entries[index].text += text
            contextCharacters += text.count
            if let layout = layouts[index] {
                layout.body.append(text, style: theme.text)
                unsettled = index
            }
        case .citations(let id, let citations):
            guard let index = index(of: id) else { return }
            entries[index].citations += citations
            layouts[index] = nil
        case .usage(let id, let usage):
            guard let index = index(of: id) else { return }
            entries[index].usage = usage
            // Shown in the footer once the reply finishes, which lays the footer out again.
        case .replyFinished(let id, let outcome):
            guard let index = index(of: id) else { return }
            switch outcome {
            case .complete:
                entries[index].state = .complete
            case .interrupted(let error):
                entries[index].state = .interrupted
                entries[index].note = error?.message ?? "cancelled"
            case .failed(let error):
                entries[index].state = .failed
                entries[index].note = error.message
                entries[index].remedy = Self.remedy(for: error)
            }
            // The reply's lines stay; only its end is settled and its note (if any) added.
            if let layout = layouts[index] {
                layout.body.finish()
                layout.footer = footerLines(of: entries[index], width: layoutWidth)
                layout.notesOnly = Layout.showsNotesOnly(entries[index], footer: layout.footer)
            }
        case .messageRemoved(let id):
            guard let index = index(of: id) else { return }
            contextCharacters -= entries[index].text.count
            entries.remove(at: index)
            layouts.removeAll()
        case .messageHidden(let id):
            // Kept among the variants of its reply; no longer shown.
            guard let index = index(of: id) else { return }
            contextCharacters -= entries[index].text.count
            entries.remove(at: index)
            layouts.removeAll()
        case .variantChosen(let message):
            guard let question = message.answers, let ids = variants[question],
                let index = entries.lastIndex(where: { entry in entry.messageId.map(ids.contains) ?? false })
            else { return }
            contextCharacters += message.content.count - entries[index].text.count
            entries[index] = Self.entry(message)
            layouts[index] = nil
            numberVariants(of: question)
        case .messageEdited(let message):
            guard let index = index(of: message.id) else { return }
            contextCharacters += message.content.count - entries[index].text.count
            entries[index].text = message.content
            layouts[index] = nil
        case .retryScheduled(_, _, let reason):
            // Why the reply waits (a rate limit in words, a server error), under it until it comes.
            guard let index = entries.lastIndex(where: { $0.state == .streaming }) else { return }
            entries[index].note = reason.message
            layouts[index] = nil
        case .contextTrimmed, .stateChanged, .saveFailed, .saveRecovered:
            return
        }
    }

    /// Puts older messages before the first entry (history paged in from the store). Cached
    /// wrapping moves with its entries; callers shift positions they hold by `messages.count`.
    public func prepend(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        let shown = messages.filter { !$0.isHidden }
        entries.insert(contentsOf: shown.map(Self.entry), at: 0)
        contextCharacters += messages.filter(\.isContext).reduce(0) { $0 + $1.content.count }
        layouts = Dictionary(uniqueKeysWithValues: layouts.map { ($0.key + shown.count, $0.value) })
        unsettled = unsettled.map { $0 + shown.count }
        noteVariants(of: messages, before: true)
    }

    /// Counts replies that answer the same user message (older ones first when `before`), and
    /// numbers the one shown of each.
    private func noteVariants(of messages: [Message], before: Bool = false) {
        var touched = Set<Int64>()
        var found: [Int64: [Int64]] = [:]
        for message in messages where message.role == .assistant {
            guard let question = message.answers else { continue }
            found[question, default: []].append(message.id)
            touched.insert(question)
        }
        for (question, ids) in found {
            let known = variants[question] ?? []
            let new = ids.filter { !known.contains($0) }
            variants[question] = before ? new + known : known + new
        }
        for question in touched { numberVariants(of: question) }
    }

    private func numberVariants(of question: Int64) {
        guard let ids = variants[question],
            let index = entries.lastIndex(where: { entry in entry.messageId.map(ids.contains) ?? false }),
            let id = entries[index].messageId, let position = ids.firstIndex(of: id)
        else { return }
        let variant = ids.count > 1 ? (number: position + 1, count: ids.count) : nil
        if entries[index].variant?.number != variant?.number || entries[index].variant?.count != variant?.count {
            entries[index].variant = variant
            layouts[index] = nil
        }
    }

    /// The variants of the reply in entry `index`, in order (empty when it has none).
    public func variantIDs(ofEntry index: Int) -> [Int64] {
        guard entries.indices.contains(index), let question = entries[index].answers else { return [] }
        return variants[question] ?? []
    }

    /// A private agent wants a key, a plan limit another model; the rest may work again.
    static func remedy(for error: APIError) -> String {
        switch error.status {
        case 401: return "/key gives it a key, then Ctrl+R asks again"
        case 403: return "/model NAME picks another model"
        default: return "press Ctrl+R to retry"
        }
    }

    private func index(of id: Int64) -> Int? {
        entries.lastIndex { $0.messageId == id }
    }

    private static func entry(_ message: Message) -> Entry {
        let author: Entry.Author
        switch message.role {
        case .user: author = .user
        case .assistant: author = .bot
        case .system: author = .system
        }
        return Entry(
            messageId: message.id, author: author, time: message.createdAt, text: message.content, state: message.state,
            note: message.error, citations: message.citations, usage: message.usage, answers: message.answers)
    }
}
