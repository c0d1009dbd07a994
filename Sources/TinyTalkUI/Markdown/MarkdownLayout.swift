import Foundation
import TerminalKit
import TinyTalkAPI

/// A reply's Markdown as styled, wrapped lines at one width, built as the reply streams in.
///
/// The source is handled a line at a time: each finished source line is styled and wrapped
/// once, in the context of the lines before it (inside a code fence, a list, a quote, a table),
/// and kept. Only the line still arriving is laid out again, provisionally, once per
/// ``settle()``: whole while it is short, and once it is long only as far as it grew (see
/// `StreamedLine`), so a token costs about itself however long the reply or the line; a table
/// is laid out again when one of its rows is finished. After ``finish()`` the lines are exactly
/// those of rendering the whole text at once.
///
/// What it draws: ATX headings, emphasis, code spans, links (text styled, the address dim
/// after it), fenced code (background, language label, syntax colours, long lines wrapped
/// with `↪`), bullet and numbered lists nested by indentation with hanging indents, block
/// quotes, rules, and GitHub tables (aligned to display width; wider than the pane, one row
/// after another as `header: value` lines). A newline inside a paragraph is a line break, as
/// chat replies mean it; runs of blank lines show as one.
public struct MarkdownLayout: Sendable {
    /// The wrap width in columns.
    public let width: Int
    let theme: Theme
    /// The Markdown source so far.
    public private(set) var source = ""
    /// Lines of finished source lines (an open table's are in `state`).
    private var finished: [WrappedLine] = []
    /// The line still arriving, styled provisionally, while it is short.
    private var tail: [WrappedLine] = []
    /// The line still arriving once it is long, laid out as it grows.
    private var streamed: StreamedLine?
    private var state = BlockState()
    /// Text came since the tail was laid out.
    private var tailIsStale = false
    /// Where the unfinished last source line starts in `source` (a UTF-8 offset).
    private var partialStart = 0
    /// Up to this many bytes, the arriving line is laid out whole on every ``settle()``;
    /// beyond, as it grows (see ``StreamedLine``).
    let streamThreshold: Int
    /// UTF-8 bytes handed to the block renderer, the inline parser and the wrapper so far:
    /// for tests that check that streaming costs what arrives, not the line so far.
    private(set) var work = 0
    public private(set) var isFinished = false

    public init(width: Int, theme: Theme) {
        self.init(width: width, theme: theme, streamThreshold: max(4096, 8 * width))
    }

    init(width: Int, theme: Theme, streamThreshold: Int) {
        self.width = max(1, width)
        self.theme = theme
        self.streamThreshold = streamThreshold
    }

    /// Renders a whole reply at once: the same lines as appending it in any pieces, then
    /// finishing.
    public static func render(_ text: String, width: Int, theme: Theme) -> [WrappedLine] {
        var layout = MarkdownLayout(width: width, theme: theme)
        layout.append(text)
        layout.finish()
        return layout.lines
    }

    /// How many lines there are (as of the last ``settle()`` while streaming). Kept, not
    /// computed: it is read several times a row every frame, and reading it must not copy
    /// the arriving line's state.
    public private(set) var count = 0

    private mutating func recount() {
        count = finished.count + state.tableLines.count + (streamed?.count ?? tail.count)
    }

    /// How many lines from the first are laid out for good (they never change): reading one
    /// of them is reading ``finishedLine(_:)``.
    var finishedCount: Int { finished.count }

    /// Line `index` of the lines laid out for good (0 ..< ``finishedCount``).
    func finishedLine(_ index: Int) -> WrappedLine { finished[index] }

    /// Line `index` (0 ..< ``count``).
    public func line(_ index: Int) -> WrappedLine {
        if index < finished.count { return finished[index] }
        let inTable = index - finished.count
        if inTable < state.tableLines.count { return state.tableLines[inTable] }
        let inTail = inTable - state.tableLines.count
        if let streamed { return streamed.line(inTail) }
        return tail[inTail]
    }

    /// The arriving line is long and shown, in part, otherwise than it will be once finished
    /// (see ``StreamedLine``).
    var showsArrivingLineAsWritten: Bool { streamed?.isProvisional ?? false }

    /// All lines (for tests; the app reads them by index).
    public var lines: [WrappedLine] {
        finished + state.tableLines + (streamed.map { arriving in (0..<arriving.count).map(arriving.line) } ?? tail)
    }

    /// Appends streamed text: finished source lines are laid out for good; the line still
    /// arriving is laid out by the next ``settle()``, so a burst of pieces between two frames
    /// costs one layout of it, not one per piece.
    public mutating func append(_ text: String) {
        defer { recount() }
        guard !text.isEmpty, !isFinished else { return }
        source += text
        if text.utf8.contains(UInt8(ascii: "\n")) {
            var renderer = Renderer(width: width, theme: theme)
            // Only the line that was arriving can have been laid out as it grew.
            var arriving = streamed
            streamed = nil
            let utf8 = source.utf8
            var start = utf8.index(utf8.startIndex, offsetBy: partialStart)
            while let newline = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = source[start..<newline]
                renderer.process(line, state: &state, into: &finished, provisional: false, streamed: arriving)
                arriving = nil
                start = source.index(after: newline)
            }
            partialStart = utf8.distance(from: utf8.startIndex, to: start)
            work += renderer.work
        }
        tailIsStale = true
    }

    /// Lays out the line still arriving, provisionally, if text came since the last time. Call
    /// before reading ``count`` and ``line(_:)`` while the reply streams.
    public mutating func settle() {
        defer { recount() }
        guard tailIsStale, !isFinished else { return }
        tailIsStale = false
        let utf8 = source.utf8
        let end = utf8.count
        let partial = source[utf8.index(utf8.startIndex, offsetBy: partialStart)...]
        var renderer = Renderer(width: width, theme: theme)
        if streamed == nil, end - partialStart <= streamThreshold {
            // A paragraph, list item or quote line is laid out as it grows from its first byte,
            // so a token costs what it brought, not the line so far (a chat line is ~160
            // columns, each token re-parsed it all). A short line of any other kind (code,
            // coloured only whole; a heading; a start that does not say yet) is laid out
            // whole each time.
            let kind = partial.isEmpty ? .other : renderer.streamingKind(partial, state: state)
            if case .inline = kind {
                streamed = StreamedLine(
                    lineStart: partialStart, kind: kind, blankBefore: state.pendingBlank && state.started, width: width, theme: theme)
            } else {
                // While the reply streams, its last line is the one being written, even when
                // empty (the text so far ends with a newline): that is where the cursor mark goes.
                tail = [Renderer.blank]
                guard !partial.isEmpty else { return }
                tail = []
                // The open table stays drawn above; the arriving line is styled on its own.
                var scratch = state
                scratch.table = nil
                renderer.process(partial, state: &scratch, into: &tail, provisional: true)
                work += renderer.work
                return
            }
        }
        tail = []
        // A line shown as written because its start did not yet say what it is may say now.
        if streamed?.isPlain ?? true {
            let kind = renderer.streamingKind(partial, state: state)
            if streamed == nil || !kind.isOther {
                streamed = StreamedLine(
                    lineStart: partialStart, kind: kind, blankBefore: state.pendingBlank && state.started, width: width, theme: theme)
            }
        }
        work += streamed!.update(source, end: end, threshold: streamThreshold, theme: theme)
    }

    /// The reply is complete: its last line is laid out for good and open blocks are closed.
    public mutating func finish() {
        defer { recount() }
        guard !isFinished else { return }
        var renderer = Renderer(width: width, theme: theme)
        let utf8 = source.utf8
        let partial = source[utf8.index(utf8.startIndex, offsetBy: partialStart)...]
        let arriving = streamed
        streamed = nil
        if !partial.isEmpty {
            renderer.process(partial, state: &state, into: &finished, provisional: false, streamed: arriving)
            partialStart = utf8.count
        }
        work += renderer.work
        finished += state.tableLines
        state.table = nil
        tail = []
        tailIsStale = false
        isFinished = true
    }
}

extension MarkdownLayout {
    /// What the lines before a source line say about it.
    struct BlockState: Sendable {
        /// Inside a fenced code block: its fence and language.
        var fence: (marker: Character, length: Int, indent: Int, language: SyntaxHighlighter.Language?)?
        /// An open table, as laid out so far.
        var table: TableLayout?
        var tableLines: [WrappedLine] { table?.lines ?? [] }
        /// A blank line came: one empty line goes before the next content.
        var pendingBlank = false
        /// The last line was a paragraph line with a `|`: it may turn out to be a table header.
        var headerCandidate: (cells: [Substring], lineCount: Int)?
        /// The content column of the innermost list item, for its continuation lines.
        var listIndent: [(sourceIndent: Int, column: Int)] = []
        /// Whether anything was drawn yet (no blank line goes first).
        var started = false
    }

    enum Alignment: Sendable {
        case left, center, right
    }

    /// Lays out source lines; stateless apart from the width and theme.
    struct Renderer {
        let width: Int
        let theme: Theme
        /// UTF-8 bytes laid out so far (see `MarkdownLayout.work`).
        var work = 0
        /// The line being processed as it was laid out while it arrived, if it was.
        private var arriving: StreamedLine?
        private var reusedArriving = false

        init(width: Int, theme: Theme) {
            self.width = width
            self.theme = theme
        }

        static let blank = WrappedLine(runs: [], width: 0, isContinuation: false)

        /// Lays out one source line, in the context `state` holds, and updates it.
        /// - Parameter streamed: the line as laid out while it arrived: what of it is final
        ///   is kept rather than laid out again.
        mutating func process(
            _ rawLine: Substring, state: inout BlockState, into output: inout [WrappedLine], provisional: Bool,
            streamed: StreamedLine? = nil
        ) {
            arriving = streamed
            reusedArriving = false
            defer {
                if !reusedArriving { work += rawLine.utf8.count }
                arriving = nil
            }
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            func emit(_ lines: [WrappedLine]) {
                guard !lines.isEmpty else { return }
                if state.pendingBlank && state.started { output.append(Self.blank) }
                state.pendingBlank = false
                state.started = true
                output += lines
            }
            let indent = line.prefix(while: { $0 == " " }).count
            let content = line.dropFirst(indent)

            if let fence = state.fence {
                let run = content.prefix(while: { $0 == fence.marker }).count
                if indent < 4, run >= fence.length, content.dropFirst(run).allSatisfy({ $0 == " " || $0 == "\t" }) {
                    state.fence = nil
                    return
                }
                var code = line
                code = code.dropFirst(min(indent, fence.indent))
                emit(codeLines(String(code), language: fence.language))
                return
            }

            if state.table != nil {
                if !provisional, line.utf8.contains(UInt8(ascii: "|")), !line.allSatisfy({ $0 == " " }) {
                    addRow(styledCells(cells(of: line), header: false), to: &state.table!)
                    return
                }
                output += state.tableLines
                state.table = nil
            }
            let candidate = state.headerCandidate
            state.headerCandidate = nil

            if content.isEmpty {
                state.pendingBlank = true
                state.listIndent = []
                return
            }
            if indent < 4, let marker = content.first, marker == "`" || marker == "~" {
                let run = content.prefix(while: { $0 == marker }).count
                let info = content.dropFirst(run).trimmingSpaces()
                if run >= 3, marker == "~" || !info.utf8.contains(UInt8(ascii: "`")) {
                    let language = info.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
                    state.fence = (marker, run, indent, SyntaxHighlighter.language(named: language))
                    state.listIndent = []
                    emit([labelLine(language)])
                    return
                }
            }
            if !provisional, let candidate, let alignments = delimiterRow(line), alignments.count == candidate.cells.count {
                output.removeLast(min(candidate.lineCount, output.count))
                state.table = openTable(header: candidate.cells, alignments: alignments)
                return
            }
            if indent < 4, let level = headingLevel(content) {
                var style = theme.heading
                if level == 1 { style.attributes.insert(.underline) }
                var text = content.dropFirst(level).drop(while: { $0 == " " || $0 == "\t" })
                while text.last == " " || text.last == "\t" { text = text.dropLast() }
                // A closing run of #s goes, when a space sets it apart.
                let closing = text.reversed().prefix(while: { $0 == "#" }).count
                if closing > 0, closing == text.count || text.dropLast(closing).last == " " {
                    text = text.dropLast(closing)
                    while text.last == " " { text = text.dropLast() }
                }
                let stripped = text
                state.listIndent = []
                emit(inline(Substring(stripped), base: style, first: [], rest: []))
                return
            }
            if indent < 4, isRule(content) {
                state.listIndent = []
                emit([WrappedLine(runs: [StyledRun(String(repeating: "─", count: width), style: theme.dim)], width: width, isContinuation: false)])
                return
            }
            if indent < 4, content.first == ">" {
                let quote = quoteBody(content)
                let bar = [StyledRun(String(repeating: "│ ", count: quote.depth), style: theme.quote)]
                state.listIndent = []
                emit(inline(quote.text, base: theme.quote, first: bar, rest: bar))
                return
            }
            if let item = listItem(line) {
                let prefixes = listPrefixes(item, state: state)
                while let last = state.listIndent.last, last.sourceIndent >= item.sourceIndent { state.listIndent.removeLast() }
                state.listIndent.append((item.sourceIndent, prefixes.column))
                emit(inline(item.text, base: theme.text, first: prefixes.first, rest: prefixes.rest))
                return
            }
            if indent > 0, let last = state.listIndent.last {
                // A continuation of the list item above: under its text.
                let hanging = [StyledRun(String(repeating: " ", count: last.column), style: theme.text)]
                emit(inline(content, base: theme.text, first: hanging, rest: hanging))
                return
            }
            state.listIndent = []
            let lines = inline(content, base: theme.text, first: [], rest: [])
            emit(lines)
            if line.utf8.contains(UInt8(ascii: "|")) { state.headerCandidate = (cells(of: line), lines.count) }
        }

        /// Inline text wrapped under its prefixes; what of it was laid out for good while it
        /// arrived is kept.
        private mutating func inline(_ body: Substring, base: Style, first: [StyledRun], rest: [StyledRun]) -> [WrappedLine] {
            if let streamed = arriving {
                arriving = nil
                let utf8 = body.base.utf8
                if let done = streamed.finishedLines(
                    body.base, bodyStart: utf8.distance(from: utf8.startIndex, to: body.startIndex),
                    bodyEnd: utf8.distance(from: utf8.startIndex, to: body.endIndex), base: base, first: first, rest: rest, theme: theme)
                {
                    reusedArriving = true
                    work += done.work
                    return done.lines
                }
            }
            return wrap(MarkdownInline.runs(body, base: base, theme: theme), first: first, rest: rest)
        }
    }
}
