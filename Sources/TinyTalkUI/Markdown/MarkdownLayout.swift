import Foundation
import TerminalKit

/// A reply's Markdown as styled, wrapped lines at one width, built as the reply streams in.
///
/// The source is handled a line at a time: each finished source line is styled and wrapped
/// once, in the context of the lines before it (inside a code fence, a list, a quote, a table),
/// and kept. Only the line still arriving is styled again when text is appended, provisionally;
/// a table is laid out again when one of its rows is finished. So a token costs the line it
/// lands on, however long the reply. After ``finish()`` the lines are exactly those of
/// rendering the whole text at once.
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
    /// The line still arriving, styled provisionally.
    private var tail: [WrappedLine] = []
    private var state = BlockState()
    /// Text came since the tail was laid out.
    private var tailIsStale = false
    /// The arriving paragraph line's plain start, wrapped once (see `settleParagraph`).
    private var paragraph: Paragraph?

    private struct Paragraph: Sendable {
        var lineStart: String.Index
        /// Up to here the line is plain text, wrapped in `wrapper`.
        var plainEnd: String.Index
        /// Inline markup came: the plain start grows no further.
        var blocked: Bool
        var wrapper: LineWrapper
    }
    /// Where the unfinished last source line starts in `source`.
    private var partialStart: String.Index
    public private(set) var isFinished = false

    public init(width: Int, theme: Theme) {
        self.width = max(1, width)
        self.theme = theme
        partialStart = source.startIndex
    }

    /// Renders a whole reply at once: the same lines as appending it in any pieces, then
    /// finishing.
    public static func render(_ text: String, width: Int, theme: Theme) -> [WrappedLine] {
        var layout = MarkdownLayout(width: width, theme: theme)
        layout.append(text)
        layout.finish()
        return layout.lines
    }

    /// How many lines there are (as of the last ``settle()`` while streaming).
    public var count: Int { finished.count + state.tableLines.count + tail.count }

    /// Line `index` (0 ..< ``count``).
    public func line(_ index: Int) -> WrappedLine {
        if index < finished.count { return finished[index] }
        let inTable = index - finished.count
        if inTable < state.tableLines.count { return state.tableLines[inTable] }
        return tail[inTable - state.tableLines.count]
    }

    /// All lines (for tests; the app reads them by index).
    public var lines: [WrappedLine] { finished + state.tableLines + tail }

    /// Appends streamed text: finished source lines are laid out for good; the line still
    /// arriving is laid out by the next ``settle()``, so a burst of pieces between two frames
    /// costs one layout of it, not one per piece.
    public mutating func append(_ text: String) {
        guard !text.isEmpty, !isFinished else { return }
        let offset = source.utf8.distance(from: source.startIndex, to: partialStart)
        source += text
        partialStart = source.utf8.index(source.startIndex, offsetBy: offset)
        if text.utf8.contains(UInt8(ascii: "\n")) {
            var renderer = Renderer(width: width, theme: theme)
            while let newline = source.utf8[partialStart...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = source[partialStart..<newline]
                renderer.process(line, state: &state, into: &finished, provisional: false)
                partialStart = source.index(after: newline)
            }
        }
        tailIsStale = true
    }

    /// Lays out the line still arriving, provisionally, if text came since the last time. Call
    /// before reading ``count`` and ``line(_:)`` while the reply streams.
    public mutating func settle() {
        guard tailIsStale, !isFinished else { return }
        tailIsStale = false
        // While the reply streams, its last line is the one being written, even when empty
        // (the text so far ends with a newline): that is where the cursor mark goes.
        tail = [Renderer.blank]
        let partial = source[partialStart...]
        guard !partial.isEmpty else { return }
        tail = []
        if let lines = settleParagraph(partial) {
            tail = lines
            return
        }
        // The open table stays drawn above; the arriving line is styled on its own.
        var scratch = state
        scratch.tableLines = []
        var renderer = Renderer(width: width, theme: theme)
        renderer.process(partial, state: &scratch, into: &tail, provisional: true)
    }

    /// A long paragraph line arriving piece by piece (a reply that is one long line, say) is
    /// wrapped incrementally: its start, up to the last space before any inline markup, is
    /// plain text whatever follows, so it goes into a kept wrapper once; only the rest is
    /// styled and wrapped again. Nil when the arriving line is not a plain paragraph line.
    private mutating func settleParagraph(_ partial: Substring) -> [WrappedLine]? {
        guard state.fence == nil, state.table == nil, state.listIndent.isEmpty, let first = partial.utf8.first,
            first >= 0x80 || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A)
        else { return nil }
        if paragraph?.lineStart != partialStart {
            paragraph = Paragraph(lineStart: partialStart, plainEnd: partialStart, blocked: false, wrapper: LineWrapper(width: width))
        }
        var cached = paragraph!
        paragraph = nil  // let go of the storage, so appending does not copy it
        if !cached.blocked {
            let bytes = source.utf8
            var position = cached.plainEnd
            var lastSpace = cached.plainEnd
            var previous: UInt8 = cached.plainEnd > partialStart ? bytes[bytes.index(before: cached.plainEnd)] : 0x20
            while position < source.endIndex {
                let byte = bytes[position]
                let next = bytes.index(after: position)
                if "\\`*_[<".utf8.contains(byte)
                    || (byte == UInt8(ascii: "h") && previous == 0x20 && source.utf8[position...].starts(with: "http".utf8))
                {
                    cached.blocked = true
                    break
                }
                if byte == 0x20 { lastSpace = next }
                previous = byte
                position = next
            }
            if lastSpace > cached.plainEnd {
                cached.wrapper.append(String(source[cached.plainEnd..<lastSpace]), style: theme.text)
                cached.plainEnd = lastSpace
            }
        }
        var wrapper = cached.wrapper
        wrapper.append(contentsOf: MarkdownInline.runs(source[cached.plainEnd...], base: theme.text, theme: theme))
        paragraph = cached
        var lines = wrapper.lines.isEmpty ? [Renderer.blank] : wrapper.lines
        if state.pendingBlank && state.started { lines.insert(Renderer.blank, at: 0) }
        return lines
    }

    /// The reply is complete: its last line is laid out for good and open blocks are closed.
    public mutating func finish() {
        guard !isFinished else { return }
        var renderer = Renderer(width: width, theme: theme)
        let partial = source[partialStart...]
        if !partial.isEmpty {
            // A plain paragraph line laid out as it arrived is final as it is.
            if let lines = settleParagraph(partial) {
                finished += lines
            } else {
                renderer.process(partial, state: &state, into: &finished, provisional: false)
            }
            partialStart = source.endIndex
        }
        finished += state.tableLines
        state.tableLines = []
        state.table = nil
        tail = []
        tailIsStale = false
        paragraph = nil
        isFinished = true
    }
}

extension MarkdownLayout {
    /// What the lines before a source line say about it.
    struct BlockState: Sendable {
        /// Inside a fenced code block: its fence and language.
        var fence: (marker: Character, length: Int, indent: Int, language: SyntaxHighlighter.Language?)?
        /// An open table: its rows (cells as source text) and column alignments.
        var table: (rows: [[[StyledRun]]], alignments: [Alignment])?
        var tableLines: [WrappedLine] = []
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

        static let blank = WrappedLine(runs: [], width: 0, isContinuation: false)

        mutating func process(_ rawLine: Substring, state: inout BlockState, into output: inout [WrappedLine], provisional: Bool) {
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
                    state.table!.rows.append(styledCells(cells(of: line), header: false))
                    state.tableLines = tableLines(state.table!)
                    return
                }
                output += state.tableLines
                state.tableLines = []
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
                let info = content.dropFirst(run).trimmingCharacters(in: .whitespaces)
                if run >= 3, marker == "~" || !info.utf8.contains(UInt8(ascii: "`")) {
                    let language = info.split(separator: " ").first.map(String.init) ?? ""
                    state.fence = (marker, run, indent, SyntaxHighlighter.language(named: language))
                    state.listIndent = []
                    emit([labelLine(language)])
                    return
                }
            }
            if !provisional, let candidate, let alignments = delimiterRow(line), alignments.count == candidate.cells.count {
                output.removeLast(min(candidate.lineCount, output.count))
                let table = (rows: [styledCells(candidate.cells, header: true)], alignments: alignments)
                state.table = table
                state.tableLines = tableLines(table)
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
                emit(wrap(MarkdownInline.runs(Substring(stripped), base: style, theme: theme), first: [], rest: []))
                return
            }
            if indent < 4, isRule(content) {
                state.listIndent = []
                emit([WrappedLine(runs: [StyledRun(String(repeating: "─", count: width), style: theme.dim)], width: width, isContinuation: false)])
                return
            }
            if indent < 4, content.first == ">" {
                var rest = content
                var depth = 0
                while rest.first == ">" {
                    depth += 1
                    rest = rest.dropFirst()
                    if rest.first == " " { rest = rest.dropFirst() }
                    let spaces = rest.prefix(while: { $0 == " " }).count
                    if rest.dropFirst(spaces).first == ">" { rest = rest.dropFirst(spaces) }
                }
                let bar = [StyledRun(String(repeating: "│ ", count: depth), style: theme.quote)]
                state.listIndent = []
                emit(wrap(MarkdownInline.runs(rest, base: theme.quote, theme: theme), first: bar, rest: bar))
                return
            }
            if let item = listItem(line) {
                while let last = state.listIndent.last, last.sourceIndent >= item.sourceIndent { state.listIndent.removeLast() }
                let depth = state.listIndent.count
                let lead = String(repeating: "  ", count: depth)
                let marker = item.number.map { "\($0) " } ?? (["• ", "◦ ", "▪ "][depth % 3])
                let column = TextWidth.of(lead + marker)
                state.listIndent.append((item.sourceIndent, column))
                let first = [StyledRun(lead, style: theme.text), StyledRun(marker, style: item.number == nil ? theme.dim : theme.text)]
                let hanging = [StyledRun(String(repeating: " ", count: column), style: theme.text)]
                emit(wrap(MarkdownInline.runs(item.text, base: theme.text, theme: theme), first: first, rest: hanging))
                return
            }
            if indent > 0, let last = state.listIndent.last {
                // A continuation of the list item above: under its text.
                let hanging = [StyledRun(String(repeating: " ", count: last.column), style: theme.text)]
                emit(wrap(MarkdownInline.runs(content, base: theme.text, theme: theme), first: hanging, rest: hanging))
                return
            }
            state.listIndent = []
            let lines = wrap(MarkdownInline.runs(content, base: theme.text, theme: theme), first: [], rest: [])
            emit(lines)
            if line.utf8.contains(UInt8(ascii: "|")) { state.headerCandidate = (cells(of: line), lines.count) }
        }

        // MARK: Blocks

        private func headingLevel(_ content: Substring) -> Int? {
            let hashes = content.prefix(while: { $0 == "#" }).count
            guard (1...6).contains(hashes) else { return nil }
            let after = content.dropFirst(hashes)
            return after.isEmpty || after.first == " " || after.first == "\t" ? hashes : nil
        }

        private func isRule(_ content: Substring) -> Bool {
            guard let first = content.first, first == "-" || first == "*" || first == "_" else { return false }
            var count = 0
            for character in content {
                if character == first {
                    count += 1
                } else if character != " " && character != "\t" {
                    return false
                }
            }
            return count >= 3
        }

        private func listItem(_ line: Substring) -> (sourceIndent: Int, number: String?, text: Substring)? {
            let indent = line.prefix(while: { $0 == " " }).count
            let content = line.dropFirst(indent)
            if let first = content.first, "-*+".contains(first) {
                let rest = content.dropFirst()
                guard rest.isEmpty || rest.first == " " else { return nil }
                return (indent, nil, rest.drop(while: { $0 == " " }))
            }
            let digits = content.prefix(while: { $0.isASCII && $0.isNumber })
            guard (1...9).contains(digits.count) else { return nil }
            let rest = content.dropFirst(digits.count)
            guard let delimiter = rest.first, delimiter == "." || delimiter == ")" else { return nil }
            let after = rest.dropFirst()
            guard after.isEmpty || after.first == " " else { return nil }
            return (indent, String(digits) + String(delimiter), after.drop(while: { $0 == " " }))
        }

        /// Wraps runs to the width, with `first` before the first line and `rest` (as wide)
        /// before the others; a prefix that leaves too little room is dropped.
        private func wrap(_ runs: [StyledRun], first: [StyledRun], rest: [StyledRun]) -> [WrappedLine] {
            let prefixWidth = first.reduce(0) { $0 + TextWidth.of($1.text) }
            if prefixWidth < width, let fits = Self.singleLine(runs, width: width - prefixWidth) {
                return [WrappedLine(runs: first + runs, width: prefixWidth + fits, isContinuation: false)]
            }
            guard prefixWidth > 0, width - prefixWidth >= 8 || width - prefixWidth >= width / 2 else {
                let lines = LineWrapper.wrap(runs, width: width)
                return lines.isEmpty ? [Self.blank] : lines
            }
            var lines = LineWrapper.wrap(runs, width: width - prefixWidth)
            if lines.isEmpty { lines = [Self.blank] }
            return lines.enumerated().map { index, line in
                WrappedLine(runs: (index == 0 ? first : rest) + line.runs, width: prefixWidth + line.width, isContinuation: index > 0)
            }
        }

        /// The width of `runs` when they are printable ASCII that fits on one line with no
        /// space at either end (wrapping would leave them as they are); nil otherwise.
        private static func singleLine(_ runs: [StyledRun], width: Int) -> Int? {
            var total = 0
            for run in runs {
                for byte in run.text.utf8 {
                    guard byte >= 0x20, byte < 0x7F else { return nil }
                }
                total += run.text.utf8.count
                if total > width { return nil }
            }
            guard total > 0, runs.first?.text.utf8.first != 0x20, runs.last?.text.utf8.last != 0x20 else { return nil }
            return total
        }

        // MARK: Code

        private func labelLine(_ language: String) -> WrappedLine {
            let label = TerminalSafeText.neutralize(" \(language.isEmpty ? "code" : language) ")
            var runs = [StyledRun(label, style: theme.codeLabel)]
            var used = TextWidth.of(label)
            if used > width {
                runs = [StyledRun(String(repeating: " ", count: width), style: theme.codeLabel)]
                used = width
            }
            if used < width { runs.append(StyledRun(String(repeating: " ", count: width - used), style: theme.codeBlock)) }
            return WrappedLine(runs: runs, width: width, isContinuation: false)
        }

        /// A code line, never re-flowed: cut at the width into pieces, each continuation marked
        /// `↪`, every piece filled to the width with the block's background.
        func codeLines(_ text: String, language: SyntaxHighlighter.Language?) -> [WrappedLine] {
            var expanded = ""
            var column = 0
            for character in TerminalSafeText.neutralize(text) {
                if character == "\t" {
                    let stop = (column / 4 + 1) * 4
                    expanded += String(repeating: " ", count: stop - column)
                    column = stop
                } else {
                    expanded.append(character)
                    column += 1
                }
            }
            let runs = SyntaxHighlighter.runs(expanded, language: language, theme: theme, base: theme.codeBlock)
            var lines: [WrappedLine] = []
            var current: [StyledRun] = []
            var used = 0
            func close(continued: Bool) {
                if used < width { current.append(StyledRun(String(repeating: " ", count: width - used), style: theme.codeBlock)) }
                lines.append(WrappedLine(runs: current, width: width, isContinuation: !lines.isEmpty))
                current = continued && width > 2 ? [StyledRun("↪", style: theme.codeLabel)] : []
                used = current.isEmpty ? 0 : 1
            }
            for run in runs {
                // Printable ASCII that fits goes in whole (the common case).
                if used + run.text.utf8.count <= width, run.text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                    current.append(run)
                    used += run.text.utf8.count
                    continue
                }
                var piece = ""
                for character in run.text {
                    // Controls are pictures and tabs spaces by now: ASCII is one column.
                    let cell = character.isASCII ? 1 : max(0, TextWidth.of(String(character)))
                    if used + cell > width {
                        if !piece.isEmpty { current.append(StyledRun(piece, style: run.style)) }
                        piece = ""
                        close(continued: true)
                        if cell > width - used { continue }  // wider than a whole line
                    }
                    piece.append(character)
                    used += cell
                }
                if !piece.isEmpty { current.append(StyledRun(piece, style: run.style)) }
            }
            close(continued: false)
            return lines
        }

        // MARK: Tables

        func cells(of line: Substring) -> [Substring] {
            var text = trimmed(line)
            if text.hasPrefix("|") { text = text.dropFirst() }
            if text.hasSuffix("|") && !text.hasSuffix("\\|") { text = text.dropLast() }
            var cells: [Substring] = []
            var start = text.startIndex
            var index = text.startIndex
            while index < text.endIndex {
                if text[index] == "\\" {
                    index = text.index(after: index)
                    if index < text.endIndex { index = text.index(after: index) }
                    continue
                }
                if text[index] == "|" {
                    cells.append(text[start..<index])
                    start = text.index(after: index)
                }
                index = text.index(after: index)
            }
            cells.append(text[start...])
            return cells.map(trimmed)
        }

        private func trimmed(_ text: Substring) -> Substring {
            var result = text.drop(while: { $0 == " " || $0 == "\t" })
            while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
            return result
        }

        private func delimiterRow(_ line: Substring) -> [Alignment]? {
            guard line.utf8.contains(UInt8(ascii: "-")) else { return nil }
            var alignments: [Alignment] = []
            for cell in cells(of: line) {
                guard !cell.isEmpty, cell.allSatisfy({ $0 == "-" || $0 == ":" }), cell.utf8.contains(UInt8(ascii: "-")) else { return nil }
                let left = cell.hasPrefix(":")
                let right = cell.hasSuffix(":")
                alignments.append(left && right ? .center : right ? .right : .left)
            }
            return alignments
        }

        /// A row's cells styled once, when the row arrives (the table is laid out again with
        /// each new row, its cells are not styled again).
        func styledCells(_ cells: [Substring], header: Bool) -> [[StyledRun]] {
            var base = theme.text
            if header { base.attributes.insert(.bold) }
            return cells.map { MarkdownInline.runs($0, base: base, theme: theme) }
        }

        func tableLines(_ table: (rows: [[[StyledRun]]], alignments: [Alignment])) -> [WrappedLine] {
            let columns = table.alignments.count
            let rows: [[[StyledRun]]] = table.rows.map { cells in
                (0..<columns).map { column in column < cells.count ? cells[column] : [] }
            }
            func measure(_ runs: [StyledRun]) -> Int {
                runs.reduce(0) { $0 + TextWidth.of(TerminalSafeText.neutralize($1.text).replacingOccurrences(of: "\t", with: "    ")) }
            }
            var widths = [Int](repeating: 1, count: columns)
            for row in rows {
                for (column, runs) in row.enumerated() { widths[column] = max(widths[column], measure(runs)) }
            }
            let separator = StyledRun(" │ ", style: theme.dim)
            let total = widths.reduce(0, +) + 3 * (columns - 1)
            guard total <= width else { return stackedRows(rows) }
            var lines: [WrappedLine] = []
            for (index, row) in rows.enumerated() {
                var runs: [StyledRun] = []
                for (column, cell) in row.enumerated() {
                    if column > 0 { runs.append(separator) }
                    let room = widths[column] - measure(cell)
                    let (before, after): (Int, Int) =
                        switch table.alignments[column] {
                        case .left: (0, room)
                        case .right: (room, 0)
                        case .center: (room / 2, room - room / 2)
                        }
                    if before > 0 { runs.append(StyledRun(String(repeating: " ", count: before), style: theme.text)) }
                    runs += cell
                    if after > 0 && column < columns - 1 { runs.append(StyledRun(String(repeating: " ", count: after), style: theme.text)) }
                }
                let used = total - (table.alignments[columns - 1] == .left ? widths[columns - 1] - measure(row[columns - 1]) : 0)
                lines.append(WrappedLine(runs: runs, width: used, isContinuation: false))
                if index == 0 {
                    let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")
                    lines.append(WrappedLine(runs: [StyledRun(rule, style: theme.dim)], width: total, isContinuation: false))
                }
            }
            return lines
        }

        /// A table too wide for the pane: each row as `header: value` lines, rows set apart by
        /// a bullet.
        private func stackedRows(_ rows: [[[StyledRun]]]) -> [WrappedLine] {
            guard let header = rows.first else { return [] }
            var lines: [WrappedLine] = []
            for row in rows.dropFirst() {
                for (column, cell) in row.enumerated() {
                    let name = header[column].map { StyledRun($0.text, style: $0.style) } + [StyledRun(": ", style: theme.text)]
                    let lead = StyledRun(column == 0 ? "• " : "  ", style: theme.dim)
                    lines += wrap(name + cell, first: [lead], rest: [StyledRun("  ", style: theme.text)])
                }
            }
            return lines
        }
    }
}
