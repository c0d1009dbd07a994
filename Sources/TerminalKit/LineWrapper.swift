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
