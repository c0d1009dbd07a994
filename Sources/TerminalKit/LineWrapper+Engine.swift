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
