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

    /// A class, so that reading a line or a count of it hands over a reference, not a copy
    /// of its arrays and Markdown state (several times a row, every frame).
    private final class Layout {
        var header: [WrappedLine]
        var body: Body
        var footer: [WrappedLine]
        /// A finished message with no text but notes (a failed request) shows its notes right
        /// under the header; otherwise an empty text still takes a row (a reply's first token
        /// goes there).
        var notesOnly: Bool

        init(header: [WrappedLine], body: Body, footer: [WrappedLine], notesOnly: Bool) {
            (self.header, self.body, self.footer, self.notesOnly) = (header, body, footer, notesOnly)
        }

        var bodyRows: Int { notesOnly && body.count == 0 ? 0 : max(1, body.count) }

        static func showsNotesOnly(_ entry: Entry, footer: [WrappedLine]) -> Bool {
            entry.state != .streaming && entry.text.isEmpty && !footer.isEmpty
        }
    }

    /// A message's text as lines: replies styled as Markdown, everything else as plain text.
    private enum Body {
        case plain(LineWrapper)
        case markdown(MarkdownLayout)

        var count: Int {
            switch self {
            case .plain(let wrapper): wrapper.lines.count
            case .markdown(let layout): layout.count
            }
        }

        func line(_ index: Int) -> WrappedLine {
            switch self {
            case .plain(let wrapper): wrapper.lines[index]
            case .markdown(let layout): layout.line(index)
            }
        }

        /// Lays out what arrived since the last frame (a streaming reply's last line).
        mutating func settle() {
            guard case .markdown(var layout) = self else { return }
            self = .plain(LineWrapper(width: 1))
            layout.settle()
            self = .markdown(layout)
        }

        /// The reply is complete.
        mutating func finish() {
            guard case .markdown(var layout) = self else { return }
            self = .plain(LineWrapper(width: 1))
            layout.finish()
            self = .markdown(layout)
        }

        mutating func append(_ text: String, style: Style) {
            switch self {
            case .plain(var wrapper):
                self = .plain(LineWrapper(width: 1))  // let go of the storage so it is not copied
                wrapper.append(text, style: style)
                self = .plain(wrapper)
            case .markdown(var layout):
                self = .plain(LineWrapper(width: 1))
                layout.append(text)
                self = .markdown(layout)
            }
        }
    }

    private var layouts: [Int: Layout] = [:]
    /// The entry whose streaming text came in since its lines were last laid out.
    private var unsettled: Int?
    private var layoutWidth = 0

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

    // MARK: - Lines

    /// How many lines entry `index` takes at `width` (its header, text, notes and the blank
    /// line after it).
    public func lineCount(of index: Int, width: Int) -> Int {
        // The common case, a settled message at the current width, without copying its layout.
        if width == layoutWidth, index != unsettled,
            let count = layouts[index].map({ $0.header.count + $0.bodyRows + $0.footer.count + 1 })
        {
            return count
        }
        let layout = self.layout(of: index, width: width)
        return layout.header.count + layout.bodyRows + layout.footer.count + 1
    }

    /// Line `line` of entry `index` at `width`.
    public func line(_ line: Int, of index: Int, width: Int) -> WrappedLine {
        let layout = self.layout(of: index, width: width)
        var position = line
        if position < layout.header.count { return layout.header[position] }
        position -= layout.header.count
        let bodyCount = layout.bodyRows
        if position < bodyCount {
            var body = layout.body.count == 0 ? WrappedLine(runs: [], width: 0, isContinuation: false) : layout.body.line(position)
            if position == bodyCount - 1 && entries[index].state == .streaming && body.width < width {
                body.runs.append(StyledRun("▌", style: theme.dim))
                body.width += 1
            }
            return body
        }
        position -= bodyCount
        if position < layout.footer.count { return layout.footer[position] }
        return WrappedLine(runs: [], width: 0, isContinuation: false)
    }

    /// Cited sources, and what became of an interrupted or failed reply, under its text.
    private func footerLines(of entry: Entry, width: Int) -> [WrappedLine] {
        var footer: [StyledRun] = []
        for (number, citation) in entry.citations.enumerated() {
            footer.append(StyledRun("\n[\(number + 1)] \(citation.title ?? citation.url ?? "source")", style: theme.dim))
            if let url = citation.url, citation.title != nil {
                footer.append(StyledRun(" ", style: theme.dim))
                footer.append(StyledRun(url, style: MarkdownInline.linked(url, theme)))
            }
        }
        if let usage = entry.usage, entry.state != .streaming, usage.total != nil {
            footer.append(StyledRun("\n\(usage.summary)", style: theme.dim))
        }
        switch entry.state {
        case .interrupted:
            footer.append(StyledRun("\n[interrupted: \(entry.note ?? "cancelled")]", style: theme.dim))
        case .failed:
            footer.append(StyledRun("\n\(entry.note ?? "The request failed.") — \(entry.remedy)", style: theme.errorText))
        case .streaming:
            if let note = entry.note { footer.append(StyledRun("\n\(note) Trying again after the wait.", style: theme.dim)) }
        case .complete:
            break
        }
        return footer.isEmpty ? [] : Array(LineWrapper.wrap(footer, width: width).dropFirst())
    }

    private func layout(of index: Int, width: Int) -> Layout {
        if width != layoutWidth {
            layouts.removeAll()
            layoutWidth = width
        }
        if index == unsettled, let layout = layouts[index] {
            layout.body.settle()
            unsettled = nil
        }
        if let cached = layouts[index] { return cached }
        let entry = entries[index]
        let headerStyle: Style
        let name: String
        switch entry.author {
        case .user: (headerStyle, name) = (theme.userHeader, "you")
        case .bot: (headerStyle, name) = (theme.botHeader, botName)
        case .system: (headerStyle, name) = (theme.systemHeader, "tinytalk")
        case .error: (headerStyle, name) = (theme.errorHeader, "error")
        }
        var headerRuns = [StyledRun(name, style: headerStyle), StyledRun(" " + LocalTime.clock(entry.time), style: theme.dim)]
        if let variant = entry.variant { headerRuns.append(StyledRun(" · \(variant.number)/\(variant.count)", style: theme.dim)) }
        let header = LineWrapper.wrap(headerRuns, width: width)
        let body: Body
        if entry.author == .bot && !showsSource {
            var markdown = MarkdownLayout(width: width, theme: theme)
            markdown.append(entry.text)
            if entry.state == .streaming { markdown.settle() } else { markdown.finish() }
            body = .markdown(markdown)
        } else {
            var wrapper = LineWrapper(width: width)
            wrapper.append(entry.text, style: entry.author == .error ? theme.errorText : theme.text)
            body = .plain(wrapper)
        }
        let footerLines = footerLines(of: entry, width: width)
        let layout = Layout(
            header: header, body: body, footer: footerLines, notesOnly: Layout.showsNotesOnly(entry, footer: footerLines))
        layouts[index] = layout
        return layout
    }
}
