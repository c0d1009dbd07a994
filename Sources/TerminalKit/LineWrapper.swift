/// Word-wraps styled text to a width in display columns, incrementally, for the scrollback.
///
/// Lines break at spaces (the spaces at a break are dropped; a paragraph's leading spaces are
/// kept as its indent), before and after wide glyphs such as CJK ideographs (but not before
/// closing punctuation), and a word longer than the width breaks at a grapheme boundary. A
/// grapheme cluster is never split. `\n` ends a paragraph; tabs expand to the next multiple of 4
/// columns of the line; a wide glyph that does not fit moves to the next line, and one wider
/// than the whole width (width 1) is drawn as `…`.
///
/// A streaming reply grows token by token, so `append` continues from where the last append
/// stopped: it keeps the wrap state from before the text's last grapheme cluster (the only one
/// that later text can still change, e.g. `e` + U+0301 or the second half of a flag) and only
/// redoes that cluster, the new text and the line they land on. Its cost follows the appended
/// text, not the message. Whatever the pieces, the result equals wrapping the whole text at once.
public struct LineWrapper: Sendable {
    /// The wrap width in columns (at least 1).
    public let width: Int
    /// The wrapped lines so far. The last ones may still change as text is appended; read them
    /// by index rather than keeping a copy of the array across appends, which would make the next
    /// append copy it.
    public private(set) var lines: [WrappedLine] = []
    /// How many of the first `lines` no further append can change.
    public private(set) var stableLineCount = 0

    /// The wrap state after every cluster but the last; its finished lines are the stable ones.
    private var committed: Engine
    /// The text's last grapheme cluster, which the next append may extend.
    private var heldBack = ""
    private var heldBackStyle = Style.plain

    /// An empty wrapper.
    /// - Parameter width: the width in display columns; less than 1 counts as 1.
    public init(width: Int) {
        self.width = max(1, width)
        committed = Engine(width: self.width)
    }

    /// Wraps styled text in one go.
    /// - Parameters:
    ///   - runs: the text in style runs; a cluster split across runs takes its first part's style.
    ///   - width: the width in display columns; less than 1 counts as 1.
    /// - Returns: the lines, as `LineWrapper.lines` would hold them after appending `runs`.
    public static func wrap(_ runs: [StyledRun], width: Int) -> [WrappedLine] {
        var wrapper = LineWrapper(width: width)
        wrapper.append(contentsOf: runs)
        return wrapper.lines
    }

    /// Appends text in one style and re-wraps only what it can have changed.
    /// - Parameters:
    ///   - text: the new text; control characters show as Control Pictures.
    ///   - style: its style.
    public mutating func append(_ text: String, style: Style = .plain) {
        append(contentsOf: CollectionOfOne(StyledRun(text, style: style)))
    }

    /// Appends styled runs and re-wraps only what they can have changed.
    /// - Parameter runs: the new text in style runs.
    public mutating func append(contentsOf runs: some Sequence<StyledRun>) {
        var source = heldBack
        var marks: [Engine.Mark] = heldBack.isEmpty ? [] : [Engine.Mark(offset: 0, style: heldBackStyle)]
        for run in runs {
            let safe = TerminalSafeText.neutralize(run.text)
            guard !safe.isEmpty else { continue }
            if marks.last?.style != run.style { marks.append(Engine.Mark(offset: source.utf8.count, style: run.style)) }
            source += safe
        }
        guard source.utf8.count > heldBack.utf8.count else { return }

        lines.removeSubrange(stableLineCount...)
        var engine = committed
        var markIndex = 0
        // ASCII after `neutralize` is printable, spaces, tabs and line feeds: each byte is a
        // cluster of its own (no carriage return is left to join a line feed), and only the
        // last can be extended by later text.
        if source.utf8.allSatisfy({ $0 < 0x80 }) {
            let utf8 = source.utf8
            let lastOffset = utf8.count - 1
            // Style by style, all but the last byte; then the last one, held back.
            for (index, mark) in marks.enumerated() where mark.offset < lastOffset {
                let end = index + 1 < marks.count ? min(marks[index + 1].offset, lastOffset) : lastOffset
                let slice = source[utf8.index(utf8.startIndex, offsetBy: mark.offset)..<utf8.index(utf8.startIndex, offsetBy: end)]
                engine.process(ascii: slice, style: mark.style, into: &lines)
            }
            let last = utf8[utf8.index(utf8.startIndex, offsetBy: lastOffset)]
            let lastStyle = marks.last { $0.offset <= lastOffset }!.style
            committed = engine
            stableLineCount = lines.count
            heldBack = String(Unicode.Scalar(last))
            heldBackStyle = lastStyle
            engine.process(ascii: last, style: lastStyle, into: &lines)
            lines.append(engine.currentLine())
            return
        }
        var offset = 0
        var previous: Character?
        var previousStyle = Style.plain
        // Each cluster is processed once the next one is seen, so the last one can be held back.
        for grapheme in source {
            while markIndex + 1 < marks.count, marks[markIndex + 1].offset <= offset { markIndex += 1 }
            if let previous { engine.process(previous, style: previousStyle, into: &lines) }
            previous = grapheme
            previousStyle = marks[markIndex].style
            offset += grapheme.utf8.count
        }
        guard let last = previous else { return }
        committed = engine
        stableLineCount = lines.count
        heldBack = String(last)
        heldBackStyle = previousStyle
        engine.process(last, style: previousStyle, into: &lines)
        lines.append(engine.currentLine())
    }

    /// Entries kept for the spaces waiting for the next word (for tests: a long run of spaces
    /// is one entry, not one per space).
    var waitingSpaceRuns: Int { committed.spaces.count }

    /// Hands over the lines no further append can change and forgets them, so that the wrapper
    /// keeps only its open lines: a copy of it, to wrap more text provisionally, then costs those
    /// rather than the whole text. `lines` and `stableLineCount` count from there on.
    /// - Returns: the first `stableLineCount` lines.
    public mutating func removeStableLines() -> [WrappedLine] {
        guard stableLineCount > 0 else { return [] }
        let stable = Array(lines[..<stableLineCount])
        lines.removeFirst(stableLineCount)
        stableLineCount = 0
        return stable
    }
}

extension LineWrapper {
    /// The greedy wrapping state machine, fed one grapheme cluster at a time.
    ///
    /// The current line is one string with style marks; the current word's start (and where the
    /// text before its preceding spaces ends) is remembered so a word that outgrows the line can
    /// move to the next one.
    struct Engine: Sendable {
        struct Mark: Sendable {
            var offset: Int
            var style: Style
        }

        struct Space: Sendable {
            var style: Style
            var width: Int
        }

        let width: Int
        var lineText = ""
        var lineMarks: [Mark] = []
        var lineWidth = 0
        var lineIsContinuation = false
        /// At a paragraph's start, before its first non-space: spaces there are kept as indent.
        var indenting = true
        /// Whether the last cluster belongs to a word that the next cluster may continue.
        var inWord = false
        var previousIsWide = false
        var previousForbidsBreakAfter = false
        /// UTF-8 length and width of the line before the spaces that precede the current word.
        var headEnd = 0
        var headWidth = 0
        /// UTF-8 offset where the current word starts on the line.
        var wordStart = 0
        /// Spaces waiting for the next word: drawn if it fits on the line, dropped at a break.
        var spaces: [Space] = []
        var spacesWidth = 0

        init(width: Int) {
            self.width = width
        }

        mutating func process(_ grapheme: Character, style: Style, into lines: inout [WrappedLine]) {
            let utf8 = grapheme.utf8
            var byte: UInt8 = 0
            if utf8.count == 1 { byte = utf8.first! }
            if byte == 0x0A {
                finishLine(into: &lines)
                startLine(continuation: false)
                return
            }
            if byte == 0x20 || byte == 0x09 {
                addSpace(tab: byte == 0x09, style: style)
                return
            }

            var glyph = grapheme
            var glyphWidth: Int
            var isWide = false
            var forbidsBreakBefore = false
            var forbidsBreakAfter = false
            if byte > 0x20 && byte < 0x7F {
                glyphWidth = 1
                if previousIsWide {
                    forbidsBreakBefore = Self.forbidsBreakBefore(UInt32(byte))
                }
                forbidsBreakAfter = byte == 0x28 || byte == 0x5B || byte == 0x7B
            } else {
                glyphWidth = TextWidth.of(grapheme)
                if glyphWidth == 2 {
                    isWide = true
                    let first = grapheme.unicodeScalars.first!.value
                    forbidsBreakBefore = Self.forbidsBreakBefore(first)
                    forbidsBreakAfter = Self.forbidsBreakAfter(first)
                } else if previousIsWide {
                    forbidsBreakBefore = Self.forbidsBreakBefore(grapheme.unicodeScalars.first!.value)
                }
            }
            if glyphWidth > width {
                glyph = "…"
                glyphWidth = 1
            }
            makeRoom(for: glyphWidth, isWide: isWide, forbidsBreakBefore: forbidsBreakBefore, into: &lines)
            append(glyph, width: glyphWidth, style: style)
            inWord = true
            if glyphWidth > 0 {
                previousIsWide = isWide
                previousForbidsBreakAfter = forbidsBreakAfter
            }
        }

        /// `process` for an ASCII byte that is a cluster of its own (printable, a space, a tab
        /// or a line feed): the same decisions without building a `Character`.
        @inline(__always)
        mutating func process(ascii byte: UInt8, style: Style, into lines: inout [WrappedLine]) {
            switch byte {
            case 0x0A:
                finishLine(into: &lines)
                startLine(continuation: false)
            case 0x20, 0x09:
                addSpace(tab: byte == 0x09, style: style)
            default:
                let forbidsBreakAfter = byte == 0x28 || byte == 0x5B || byte == 0x7B
                makeRoom(for: 1, isWide: false, forbidsBreakBefore: previousIsWide && Self.forbidsBreakBefore(UInt32(byte)), into: &lines)
                markStyle(style)
                lineText.unicodeScalars.append(Unicode.Scalar(byte))
                lineWidth += 1
                inWord = true
                previousIsWide = false
                previousForbidsBreakAfter = forbidsBreakAfter
            }
        }

        /// `process` for ASCII text after `neutralize` (printable, spaces, tabs, line feeds): a
        /// word's first byte goes through `process(ascii:)`; the rest of it, which can only
        /// continue the word, goes onto the line as many bytes at a time as fit.
        mutating func process(ascii text: Substring, style: Style, into lines: inout [WrappedLine]) {
            let utf8 = text.utf8
            var index = utf8.startIndex
            while index < utf8.endIndex {
                let byte = utf8[index]
                process(ascii: byte, style: style, into: &lines)
                index = utf8.index(after: index)
                guard byte > 0x20 else { continue }
                var end = index
                while end < utf8.endIndex, utf8[end] > 0x20 { utf8.formIndex(after: &end) }
                guard index < end else { continue }
                var rest = utf8.distance(from: index, to: end)
                while rest > 0 {
                    makeRoomInWord(for: 1, into: &lines)
                    let count = min(rest, width - lineWidth)
                    let next = utf8.index(index, offsetBy: count)
                    markStyle(style)
                    lineText += text[index..<next]
                    lineWidth += count
                    index = next
                    rest -= count
                }
                inWord = true
                previousIsWide = false
                previousForbidsBreakAfter = { $0 == 0x28 || $0 == 0x5B || $0 == 0x7B }(utf8[utf8.index(before: end)])
            }
        }

        /// Before a glyph of `glyphWidth` columns: whether it starts a word, and so whether the
        /// spaces waiting before it are drawn or dropped at a break, or the line breaks, or the
        /// word it continues moves to the next line.
        private mutating func makeRoom(for glyphWidth: Int, isWide: Bool, forbidsBreakBefore: Bool, into lines: inout [WrappedLine]) {
            indenting = false
            let startsWord: Bool
            if !inWord {
                startsWord = true
            } else if glyphWidth == 0 || forbidsBreakBefore || previousForbidsBreakAfter {
                startsWord = false
            } else {
                startsWord = isWide || previousIsWide
            }

            if startsWord {
                if !spaces.isEmpty, lineText.isEmpty { clearSpaces() }
                if !spaces.isEmpty {
                    if lineWidth + spacesWidth + glyphWidth <= width {
                        headEnd = lineText.utf8.count
                        headWidth = lineWidth
                        for space in spaces { appendSpaces(space.width, style: space.style) }
                        clearSpaces()
                    } else {
                        breakLine(into: &lines)
                    }
                } else if lineWidth > 0, lineWidth + glyphWidth > width {
                    breakLine(into: &lines)
                } else {
                    headEnd = lineText.utf8.count
                    headWidth = lineWidth
                }
                wordStart = lineText.utf8.count
            } else {
                makeRoomInWord(for: glyphWidth, into: &lines)
            }
        }

        /// Before a glyph that continues the current word: when it does not fit, the word moves
        /// to the next line (or, when the word has the line to itself, the line breaks in it).
        private mutating func makeRoomInWord(for glyphWidth: Int, into lines: inout [WrappedLine]) {
            guard lineWidth + glyphWidth > width else { return }
            if wordStart > 0 {
                moveWordToNextLine(into: &lines)
                if lineWidth + glyphWidth > width { breakLine(into: &lines) }
            } else {
                breakLine(into: &lines)
            }
        }

        /// The current line as it stands, its waiting spaces left out.
        func currentLine() -> WrappedLine {
            WrappedLine(runs: runs(), width: lineWidth, isContinuation: lineIsContinuation)
        }

        private mutating func addSpace(tab: Bool, style: Style) {
            inWord = false
            previousIsWide = false
            previousForbidsBreakAfter = false
            if indenting {
                let spaceWidth = tab ? 4 - lineWidth % 4 : 1
                appendSpaces(min(spaceWidth, width - lineWidth), style: style)
                return
            }
            let column = lineWidth + spacesWidth
            let spaceWidth = tab ? 4 - column % 4 : 1
            // Waiting spaces in one style are drawn (or dropped) together: one entry keeps a long
            // run of them, which every append copies, small.
            if let last = spaces.last, last.style == style {
                spaces[spaces.count - 1].width += spaceWidth
            } else {
                spaces.append(Space(style: style, width: spaceWidth))
            }
            spacesWidth += spaceWidth
        }

        private mutating func clearSpaces() {
            spaces.removeAll(keepingCapacity: true)
            spacesWidth = 0
        }

        /// Ends the line here and starts a continuation line; the current word restarts on it.
        private mutating func breakLine(into lines: inout [WrappedLine]) {
            finishLine(into: &lines)
            startLine(continuation: true)
            indenting = false
        }

        /// Moves the current word (the end of the line) to a new continuation line, dropping the
        /// spaces before it.
        private mutating func moveWordToNextLine(into lines: inout [WrappedLine]) {
            let utf8 = lineText.utf8
            let wordIndex = utf8.index(utf8.startIndex, offsetBy: wordStart)
            let word = String(lineText[wordIndex...])
            var wordMarks: [Mark] = []
            for mark in lineMarks {
                if mark.offset <= wordStart {
                    wordMarks = [Mark(offset: 0, style: mark.style)]
                } else {
                    wordMarks.append(Mark(offset: mark.offset - wordStart, style: mark.style))
                }
            }
            // Measured afresh: a cluster that joined a tab's space when the word started is on
            // its own at the start of the new line.
            let wordWidth = TextWidth.of(word)

            lineText = String(lineText[..<utf8.index(utf8.startIndex, offsetBy: headEnd)])
            while let last = lineMarks.last, last.offset >= headEnd { lineMarks.removeLast() }
            lineWidth = headWidth
            breakLine(into: &lines)
            lineText = word
            lineMarks = wordMarks
            lineWidth = wordWidth
        }

        private mutating func finishLine(into lines: inout [WrappedLine]) {
            lines.append(currentLine())
        }

        private mutating func startLine(continuation: Bool) {
            lineText = ""
            lineMarks.removeAll()
            lineWidth = 0
            lineIsContinuation = continuation
            indenting = !continuation
            inWord = false
            previousIsWide = false
            previousForbidsBreakAfter = false
            headEnd = 0
            headWidth = 0
            wordStart = 0
            clearSpaces()
        }

        @inline(__always)
        private mutating func markStyle(_ style: Style) {
            if lineMarks.last?.style != style { lineMarks.append(Mark(offset: lineText.utf8.count, style: style)) }
        }

        private mutating func append(_ glyph: Character, width glyphWidth: Int, style: Style) {
            var glyphWidth = glyphWidth
            // After a tab, a cluster that starts with an extending scalar (a stray skin tone or
            // mark) was its own cluster; after the tab's spaces it joins the last space, as it
            // will when the line is drawn, so it adds no width and takes the space's style (a
            // style change would split the drawn cluster again).
            if Self.extendsPrevious(glyph), lineText.utf8.last == 0x20 {
                glyphWidth = 0
            } else {
                markStyle(style)
            }
            lineText.append(glyph)
            lineWidth += glyphWidth
        }

        /// Whether `glyph` joins a space before it into one character, by the same
        /// segmentation that measures the line (a combining mark or an emoji modifier does; a
        /// spacing mark such as U+1068 does not).
        static func extendsPrevious(_ glyph: Character) -> Bool {
            guard glyph.utf8.count > 1, let first = glyph.unicodeScalars.first, first.value >= 0x300 else { return false }
            var joined = " "
            joined.append(glyph)
            return joined.count == 1
        }

        private mutating func appendSpaces(_ count: Int, style: Style) {
            guard count > 0 else { return }
            markStyle(style)
            for _ in 0..<count { lineText.append(" ") }
            lineWidth += count
        }

        private func runs() -> [StyledRun] {
            if lineText.isEmpty { return [] }
            if lineMarks.count == 1 { return [StyledRun(lineText, style: lineMarks[0].style)] }
            let utf8 = lineText.utf8
            var runs: [StyledRun] = []
            runs.reserveCapacity(lineMarks.count)
            for (index, mark) in lineMarks.enumerated() {
                let start = utf8.index(utf8.startIndex, offsetBy: mark.offset)
                let end = index + 1 < lineMarks.count ? utf8.index(utf8.startIndex, offsetBy: lineMarks[index + 1].offset) : utf8.endIndex
                if start < end { runs.append(StyledRun(String(lineText[start..<end]), style: mark.style)) }
            }
            return runs
        }

        /// Closing punctuation that must not start a line after a wide glyph.
        static func forbidsBreakBefore(_ value: UInt32) -> Bool {
            switch value {
            case 0x21, 0x29, 0x2C, 0x2E, 0x3A, 0x3B, 0x3F, 0x5D, 0x7D,
                0x3001, 0x3002, 0x3005, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017, 0x3019, 0x301F,
                0x309D, 0x309E, 0x30FC, 0x30FD, 0x30FE,
                0xFF01, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF3D, 0xFF5D:
                return true
            default:
                return false
            }
        }

        /// Opening punctuation that must not end a line before a wide glyph.
        static func forbidsBreakAfter(_ value: UInt32) -> Bool {
            switch value {
            case 0x3008, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014, 0x3016, 0x3018, 0x301D, 0xFF08, 0xFF3B, 0xFF5B:
                return true
            default:
                return false
            }
        }
    }
}
