import TerminalKit

/// The unfinished last source line of a streaming reply, once it is long, laid out as it
/// grows at a cost that follows what arrived rather than the line so far.
///
/// A paragraph, list item, list continuation or quote line keeps the wrapped lines of its text
/// up to the inline parser's last safe cut — no emphasis, code span or link before it that
/// later text could still close — and parses and wraps only what follows; when that part
/// grows long without a safe cut (an opener that stays open), it is shown as written and
/// parsed again only when it has doubled, so the cost stays linear. Those kept lines are
/// exactly the finished line's, so finishing it parses only the rest. A code line is cut as
/// it comes, without colours; any other line (a heading, say) is shown as written, wrapped.
/// Either way the finished line is laid out afresh, as when the whole reply is rendered.
struct StreamedLine: Sendable {
    /// Where the line starts in the source (a UTF-8 offset).
    let lineStart: Int
    /// An empty line goes before it (a blank line came before it).
    let blankBefore: Bool
    private var inline: InlineStream?
    private var code: CodeStream?
    private var plain: PlainStream?

    /// What the line is, as far as its start tells.
    enum Kind: Sendable {
        /// Inline Markdown from `bodyStart` (a UTF-8 offset in the source) in `base`, wrapped
        /// under the `first` and `rest` prefixes as `Renderer` wraps it.
        case inline(bodyStart: Int, base: Style, first: [StyledRun], rest: [StyledRun])
        /// A line of fenced code from `codeStart`.
        case code(codeStart: Int)
        /// Anything else, or not known yet.
        case other

        var isOther: Bool {
            if case .other = self { return true }
            return false
        }
    }

    init(lineStart: Int, kind: Kind, blankBefore: Bool, width: Int, theme: Theme) {
        self.lineStart = lineStart
        self.blankBefore = blankBefore
        switch kind {
        case .inline(let bodyStart, let base, let first, let rest):
            inline = InlineStream(bodyStart: bodyStart, base: base, first: first, rest: rest, width: width)
        case .code(let codeStart):
            code = CodeStream(start: codeStart, width: width, theme: theme)
        case .other:
            plain = PlainStream(start: lineStart, width: width, style: theme.text)
        }
    }

    /// Shown as written because its kind was not known: it may be worth asking again.
    var isPlain: Bool { plain != nil }

    /// Some of it is shown otherwise than it will be once finished: as written, or (code)
    /// without colours.
    var isProvisional: Bool { plain != nil || code != nil || inline?.showsWritten == true }

    /// Lays out what arrived up to `end` (a UTF-8 offset in `source`, the end of the line so
    /// far). Returns the UTF-8 bytes it handed to the parser and the wrapper.
    mutating func update(_ source: String, end: Int, threshold: Int, theme: Theme) -> Int {
        if inline != nil { return inline!.update(source, end: end, threshold: threshold, theme: theme) }
        if code != nil { return code!.update(source, end: end) }
        return plain!.update(source, end: end)
    }

    var count: Int { (blankBefore ? 1 : 0) + bodyCount }

    private var bodyCount: Int {
        if let inline { return inline.count }
        if let code { return code.count }
        return plain!.count
    }

    func line(_ index: Int) -> WrappedLine {
        let index = blankBefore ? index - 1 : index
        if index < 0 { return WrappedLine(runs: [], width: 0, isContinuation: false) }
        if let inline { return inline.line(index) }
        if let code { return code.line(index) }
        return plain!.line(index)
    }

    /// The finished line's lines, when it is the inline text this line was streamed as and
    /// ends at `bodyEnd`; nil when that is not so (it is then laid out afresh).
    func finishedLines(
        _ source: String, bodyStart: Int, bodyEnd: Int, base: Style, first: [StyledRun], rest: [StyledRun], theme: Theme
    ) -> (lines: [WrappedLine], work: Int)? {
        guard let inline, inline.matches(bodyStart: bodyStart, base: base, first: first, rest: rest) else { return nil }
        return inline.finishedLines(source, bodyEnd: bodyEnd, theme: theme)
    }
}

extension StreamedLine {
    /// Inline text wrapped up to its last safe cut for good, the rest laid out provisionally.
    struct InlineStream: Sendable {
        let bodyStart: Int
        let base: Style
        let first: [StyledRun]
        let rest: [StyledRun]
        /// As `Renderer.wrap` does it: prefixes that leave too little room are dropped.
        let usesPrefix: Bool
        let prefixWidth: Int
        /// Up to here (a UTF-8 offset in the source) the text is parsed and wrapped for good.
        private var safe: Int
        private var previous: Character?
        /// The wrapper after the kept text, holding only its open lines; `keptLines` are the
        /// ones before them.
        private var kept: LineWrapper
        private var keptLines: [WrappedLine] = []
        /// How long the text after `safe` was when it was last parsed.
        private var parsedLength = 0
        /// The text after the kept text when it is long: as laid out when it was last parsed,
        /// then what came since as written. Its wrapper (after `kept`), its finished lines, where
        /// it ends, and whether all of it is as written (no markup in it took effect).
        private var written: LineWrapper?
        private var writtenLines: [WrappedLine] = []
        private var writtenEnd = 0
        private var writtenIsVerbatim = true
        /// The last lines: the open ones of `written`, or of the kept text and what follows it.
        private var open: [WrappedLine] = []

        init(bodyStart: Int, base: Style, first: [StyledRun], rest: [StyledRun], width: Int) {
            self.bodyStart = bodyStart
            self.base = base
            self.first = first
            self.rest = rest
            let prefixWidth = first.reduce(0) { $0 + TextWidth.of($1.text) }
            usesPrefix = prefixWidth > 0 && (width - prefixWidth >= 8 || width - prefixWidth >= width / 2)
            self.prefixWidth = usesPrefix ? prefixWidth : 0
            kept = LineWrapper(width: width - self.prefixWidth)
            safe = bodyStart
        }

        var showsWritten: Bool { written != nil }

        func matches(bodyStart: Int, base: Style, first: [StyledRun], rest: [StyledRun]) -> Bool {
            bodyStart == self.bodyStart && base == self.base && first == self.first && rest == self.rest
        }

        mutating func update(_ source: String, end: Int, threshold: Int, theme: Theme) -> Int {
            // A carriage return at the end goes if the line ends there.
            var end = end
            if end > safe, source.utf8[source.utf8.index(source.utf8.startIndex, offsetBy: end - 1)] == 0x0D { end -= 1 }
            var work = 0
            let length = end - safe
            // Parsing the text after the safe cut on every frame costs at most `threshold`;
            // longer, it is parsed again only once it has doubled, which keeps the total linear.
            if length <= threshold || length >= 2 * parsedLength {
                let text = Self.slice(source, safe, end)
                var parser = InlineParser(text, previous: previous, isComplete: false, theme: theme)
                parser.parse()
                work += length
                let cut = parser.safeCut
                if cut.offset > 0 {
                    kept.append(contentsOf: parser.runs(base: base, from: InlineParser.Cut(offset: 0, atom: 0, splits: false), to: cut))
                    keptLines += kept.removeStableLines()
                    work += cut.offset
                    previous = parser.character(before: cut.offset)
                    safe += cut.offset
                    written = nil
                    writtenLines = []
                }
                parsedLength = end - safe
                let after = parser.runs(base: base, from: cut, to: InlineParser.Cut(offset: length, atom: Int.max, splits: false))
                work += parsedLength
                if parsedLength <= threshold {
                    var wrapper = kept
                    wrapper.append(contentsOf: after)
                    open = wrapper.lines
                    return work
                }
                // Long, and some opener or link in it may yet close: laid out as it stands now.
                // When nothing in it is markup so far, the text as written already is that.
                let verbatim = after.isEmpty || after.count == 1 && after[0].style == base && after[0].text == text[text.utf8.index(text.startIndex, offsetBy: cut.offset)...]
                if written == nil || !verbatim || !writtenIsVerbatim {
                    var wrapper = kept
                    wrapper.append(contentsOf: after)
                    writtenLines = wrapper.removeStableLines()
                    written = wrapper
                    writtenEnd = end
                    writtenIsVerbatim = verbatim
                }
            }
            if written == nil {
                written = kept
                writtenLines = []
                writtenEnd = safe
                writtenIsVerbatim = true
            }
            if end > writtenEnd {
                written!.append(String(Self.slice(source, writtenEnd, end)), style: base)
                work += end - writtenEnd
                writtenEnd = end
                writtenLines += written!.removeStableLines()
            }
            open = written!.lines
            return work
        }

        /// The kept lines, then the ones of the text after them, parsed now that the line is
        /// complete: the same lines as wrapping the whole line, unless they would fit on one
        /// line (`Renderer.wrap` has a shortcut there), when it is nil.
        func finishedLines(_ source: String, bodyEnd: Int, theme: Theme) -> (lines: [WrappedLine], work: Int)? {
            guard bodyEnd >= safe else { return nil }
            let text = Self.slice(source, safe, bodyEnd)
            var parser = InlineParser(text, previous: previous, isComplete: true, theme: theme)
            parser.parse()
            let runs = parser.runs(base: base)
            var work = bodyEnd - safe
            let body: [WrappedLine]
            if var written, writtenIsVerbatim, writtenEnd <= bodyEnd, runs.count == 1, runs[0].style == base, runs[0].text == text {
                // Nothing in it was markup after all: as written is as laid out.
                written.append(String(Self.slice(source, writtenEnd, bodyEnd)), style: base)
                work += bodyEnd - writtenEnd
                body = keptLines + writtenLines + written.lines
            } else {
                var wrapper = kept
                wrapper.append(contentsOf: runs)
                work += bodyEnd - safe
                body = keptLines + wrapper.lines
            }
            guard body.count > 1 else { return nil }
            guard usesPrefix else { return (body, work) }
            let lines = body.enumerated().map { index, line in
                MarkdownLayout.prefixed(line, by: index == 0 ? first : rest, width: prefixWidth, continuation: index > 0)
            }
            return (lines, work)
        }

        var count: Int { max(1, keptLines.count + (written == nil ? 0 : writtenLines.count) + open.count) }

        func line(_ index: Int) -> WrappedLine {
            var position = index
            var body: WrappedLine
            if position < keptLines.count {
                body = keptLines[position]
            } else {
                position -= keptLines.count
                if written != nil, position < writtenLines.count {
                    body = writtenLines[position]
                } else {
                    if written != nil { position -= writtenLines.count }
                    body = position < open.count ? open[position] : WrappedLine(runs: [], width: 0, isContinuation: false)
                }
            }
            guard usesPrefix else { return body }
            return MarkdownLayout.prefixed(body, by: index == 0 ? first : rest, width: prefixWidth, continuation: index > 0)
        }

        static func slice(_ source: String, _ start: Int, _ end: Int) -> Substring {
            let utf8 = source.utf8
            return source[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)]
        }
    }

    /// A line of text shown as written, wrapped as it comes.
    struct PlainStream: Sendable {
        private var wrapper: LineWrapper
        private var lines: [WrappedLine] = []
        private var end: Int
        private let style: Style

        init(start: Int, width: Int, style: Style) {
            wrapper = LineWrapper(width: width)
            end = start
            self.style = style
        }

        mutating func update(_ source: String, end: Int) -> Int {
            guard end > self.end else { return 0 }
            let work = end - self.end
            wrapper.append(String(InlineStream.slice(source, self.end, end)), style: style)
            self.end = end
            lines += wrapper.removeStableLines()
            return work
        }

        var count: Int { max(1, lines.count + wrapper.lines.count) }

        func line(_ index: Int) -> WrappedLine {
            if index < lines.count { return lines[index] }
            let open = index - lines.count
            return open < wrapper.lines.count ? wrapper.lines[open] : WrappedLine(runs: [], width: 0, isContinuation: false)
        }
    }

    /// A line of fenced code cut at the width as it comes (`Renderer.codeLines` without the
    /// colours, which need the whole line).
    struct CodeStream: Sendable {
        private let width: Int
        private let blockStyle: Style
        private let labelStyle: Style
        private var lines: [WrappedLine] = []
        private var current: [StyledRun] = []
        private var piece = ""
        private var used = 0
        /// Characters so far, for tab stops.
        private var column = 0
        private var end: Int

        init(start: Int, width: Int, theme: Theme) {
            self.width = width
            blockStyle = theme.codeBlock
            labelStyle = theme.codeLabel
            end = start
        }

        mutating func update(_ source: String, end: Int) -> Int {
            guard end > self.end else { return 0 }
            let work = end - self.end
            for character in TerminalSafeText.neutralize(String(InlineStream.slice(source, self.end, end))) {
                if character == "\t" {
                    let stop = (column / 4 + 1) * 4
                    for _ in column..<stop { put(" ") }
                    column = stop
                } else {
                    put(character)
                    column += 1
                }
            }
            self.end = end
            return work
        }

        private mutating func put(_ character: Character) {
            let cell = character.isASCII ? 1 : max(0, TextWidth.of(character))
            if used + cell > width {
                lines.append(closed())
                current = width > 2 ? [StyledRun("↪", style: labelStyle)] : []
                used = current.isEmpty ? 0 : 1
                piece = ""
                if cell > width - used { return }  // wider than a whole line
            }
            piece.append(character)
            used += cell
        }

        private func closed() -> WrappedLine {
            var runs = current
            if !piece.isEmpty { runs.append(StyledRun(piece, style: blockStyle)) }
            if used < width { runs.append(StyledRun(String(repeating: " ", count: width - used), style: blockStyle)) }
            return WrappedLine(runs: runs, width: width, isContinuation: !lines.isEmpty)
        }

        var count: Int { lines.count + 1 }

        func line(_ index: Int) -> WrappedLine {
            index < lines.count ? lines[index] : closed()
        }
    }
}
