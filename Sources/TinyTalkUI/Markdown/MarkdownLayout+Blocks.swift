import TerminalKit

/// Fenced code and tables: the blocks whose lines are laid out apart from the inline text.
extension MarkdownLayout.Renderer {
    // MARK: Code

    func labelLine(_ language: String) -> WrappedLine {
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

    /// Every tab scalar as a space (scalar by scalar: a tab followed by a combining mark is
    /// missed by a character-wise replace).
    static func tabsAsSpaces(_ text: String) -> String {
        guard text.utf8.contains(0x09) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\t" ? " " : $0 }))
    }

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

    func trimmed(_ text: Substring) -> Substring {
        var result = text.drop(while: { $0 == " " || $0 == "\t" })
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }

    func delimiterRow(_ line: Substring) -> [MarkdownLayout.Alignment]? {
        guard line.utf8.contains(UInt8(ascii: "-")) else { return nil }
        var alignments: [MarkdownLayout.Alignment] = []
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

    /// Opens a table at its header: its layout, and the lines it draws so far.
    mutating func openTable(header: [Substring], alignments: [MarkdownLayout.Alignment]) -> MarkdownLayout.TableLayout {
        var table = MarkdownLayout.TableLayout(alignments: alignments)
        addRow(styledCells(header, header: true), to: &table)
        return table
    }

    /// Adds a row to an open table. A row that widens no column costs that row: its line is
    /// appended. One that widens a column lays the rows out again, which happens at most once
    /// per column of the pane's width while the table fits (widths only grow), and never once
    /// it is stacked; so a table streamed row by row costs linear time, not the square of its
    /// rows (laying every row out again at each one made a long table quadratic).
    mutating func addRow(_ cells: [[StyledRun]], to table: inout MarkdownLayout.TableLayout) {
        let columns = table.alignments.count
        // A cell is drawn as it is measured: controls made visible, a tab as one space (a
        // tab cannot align inside a cell).
        let row: [[StyledRun]] = (0..<columns).map { column in
            guard column < cells.count else { return [] }
            return cells[column].map { run in StyledRun(Self.tabsAsSpaces(TerminalSafeText.neutralize(run.text)), style: run.style) }
        }
        let measures = row.map { $0.reduce(0) { $0 + TextWidth.of($1.text) } }
        let wasStacked = table.isStacked(width: width)
        var widened = false
        for (column, measure) in measures.enumerated() where measure > table.widths[column] {
            table.widths[column] = measure
            widened = true
        }
        table.rows.append(row)
        table.measures.append(measures)
        table.bytes.append(row.reduce(0) { $0 + $1.reduce(0) { $0 + $1.text.utf8.count } })
        if table.isStacked(width: width) {
            if wasStacked {
                table.lines += stackedLines(row, header: table.rows[0])
                work += table.bytes.last!
            } else {
                table.lines = table.rows.dropFirst().flatMap { stackedLines($0, header: table.rows[0]) }
                work += table.bytes.reduce(0, +)
            }
        } else if widened {
            table.lines = []
            for index in table.rows.indices { table.lines += alignedLines(table, row: index) }
            work += table.bytes.reduce(0, +)
        } else {
            table.lines += alignedLines(table, row: table.rows.count - 1)
            work += table.bytes.last!
        }
    }

    /// Row `index` of a table that fits, aligned (and the rule under the header).
    private func alignedLines(_ table: MarkdownLayout.TableLayout, row index: Int) -> [WrappedLine] {
        let columns = table.alignments.count
        let total = table.total
        let separator = StyledRun(" │ ", style: theme.dim)
        var runs: [StyledRun] = []
        // The last cell's padding after it is not drawn (the line ends there), whatever its
        // alignment: a centred last column used to count it (found by the markdown fuzzer).
        var undrawn = 0
        for (column, cell) in table.rows[index].enumerated() {
            if column > 0 { runs.append(separator) }
            let room = table.widths[column] - table.measures[index][column]
            let (before, after): (Int, Int) =
                switch table.alignments[column] {
                case .left: (0, room)
                case .right: (room, 0)
                case .center: (room / 2, room - room / 2)
                }
            if before > 0 { runs.append(StyledRun(String(repeating: " ", count: before), style: theme.text)) }
            runs += cell
            if after > 0 && column < columns - 1 { runs.append(StyledRun(String(repeating: " ", count: after), style: theme.text)) }
            if column == columns - 1 { undrawn = after }
        }
        var lines = [WrappedLine(runs: runs, width: total - undrawn, isContinuation: false)]
        if index == 0 {
            let rule = table.widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")
            lines.append(WrappedLine(runs: [StyledRun(rule, style: theme.dim)], width: total, isContinuation: false))
        }
        return lines
    }

    /// A row of a table too wide for the pane (rows after the header only): as `header: value`
    /// lines, set apart from the other rows by a bullet.
    func stackedLines(_ row: [[StyledRun]], header: [[StyledRun]]) -> [WrappedLine] {
        var lines: [WrappedLine] = []
        for (column, cell) in row.enumerated() {
            let name = header[column].map { StyledRun($0.text, style: $0.style) } + [StyledRun(": ", style: theme.text)]
            let lead = StyledRun(column == 0 ? "• " : "  ", style: theme.dim)
            lines += wrap(name + cell, first: [lead], rest: [StyledRun("  ", style: theme.text)])
        }
        return lines
    }
}

extension MarkdownLayout {
    /// An open table as laid out so far: its rows as drawn, their cells' widths, the columns'
    /// widths, and its lines.
    struct TableLayout: Sendable {
        let alignments: [Alignment]
        var rows: [[[StyledRun]]] = []
        var measures: [[Int]] = []
        /// Each row's bytes (what laying it out counts as work).
        var bytes: [Int] = []
        var widths: [Int]
        var lines: [WrappedLine] = []

        init(alignments: [Alignment]) {
            self.alignments = alignments
            widths = [Int](repeating: 1, count: alignments.count)
        }

        /// The width of an aligned row: the columns and the separators between them.
        var total: Int { widths.reduce(0, +) + 3 * (alignments.count - 1) }

        /// Wider than the pane: each row is drawn as `header: value` lines.
        func isStacked(width: Int) -> Bool { total > width }
    }
}
