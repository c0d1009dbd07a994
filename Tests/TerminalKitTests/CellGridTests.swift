import Testing
import TerminalKit

@Suite struct CellGridTests {
    @Test func textIsWrittenOneClusterPerCell() {
        var grid = CellGrid(columns: 10, rows: 2)
        let end = grid.write("hello", column: 0, row: 0, style: .plain)
        #expect(end == 5)
        #expect(grid.text == "hello\n")
        grid.write("world", column: 3, row: 1, style: .plain)
        #expect(grid.text == "hello\n   world")
        #expect(grid[column: 3, row: 1].text == "w")
    }

    @Test func sizesAreClampedAndOutsideReadsAreBlank() {
        let grid = CellGrid(columns: -3, rows: 2)
        #expect(grid.columns == 0 && grid.rows == 2)
        var small = CellGrid(columns: 1, rows: 1)
        #expect(small[column: -1, row: 0] == .blank && small[column: 1, row: 0] == .blank && small[column: 0, row: 5] == .blank)
        #expect(small.write("xyz", column: 0, row: 3, style: .plain) == 0)
        small[column: 4, row: 4] = Cell("q")
        small.write("xyz", column: 0, row: 0, style: .plain)
        #expect(small.text == "x")
    }

    @Test func wideGlyphsTakeTwoCellsAndNeverStraddleTheEdge() {
        var grid = CellGrid(columns: 5, rows: 1)
        let end = grid.write("ab你好", column: 0, row: 0, style: .plain)
        #expect(end == 5)
        #expect(grid.text == "ab你")
        #expect(grid[column: 2, row: 0].text == "你")
        #expect(grid[column: 3, row: 0].isContinuation)
        #expect(grid[column: 4, row: 0].text == " ")
    }

    @Test func maxColumnLimitsWriting() {
        var grid = CellGrid(columns: 8, rows: 1)
        #expect(grid.write("你好", column: 0, row: 0, style: .plain, maxColumn: 3) == 3)
        #expect(grid.text == "你")
        #expect(grid.write("abcdef", column: 4, row: 0, style: .plain, maxColumn: 6) == 6)
        #expect(grid.text == "你  ab")
    }

    @Test func overwritingHalfAWideGlyphBlanksTheOtherHalf() {
        var grid = CellGrid(columns: 6, rows: 1)
        grid.write("你好", column: 0, row: 0, style: .plain)
        grid.write("x", column: 1, row: 0, style: .plain)
        #expect(grid.text == " x好")
        grid.write("y", column: 2, row: 0, style: .plain)
        #expect(grid.text == " xy")
        #expect(!grid[column: 3, row: 0].isContinuation)
        grid.write("世界", column: 1, row: 0, style: .plain)
        grid.write("z", column: 2, row: 0, style: .plain)
        #expect(grid.text == "  z界")
    }

    @Test func combiningMarksStayInTheirBaseCell() {
        var grid = CellGrid(columns: 6, rows: 1)
        #expect(grid.write("e\u{301}te\u{301}", column: 0, row: 0, style: .plain) == 3)
        #expect(grid[column: 0, row: 0].text == "e\u{301}")
        #expect(grid.text == "e\u{301}te\u{301}")
        // A mark written on its own joins the cell to its left.
        grid.write("a", column: 4, row: 0, style: .plain)
        #expect(grid.write("\u{308}", column: 5, row: 0, style: .plain) == 5)
        #expect(grid[column: 4, row: 0].text == "a\u{308}")
    }

    @Test func emojiSequencesAreOneWideCell() {
        var grid = CellGrid(columns: 10, rows: 1)
        #expect(grid.write("👩‍👩‍👧‍👦🇯🇵❤️x", column: 0, row: 0, style: .plain) == 7)
        #expect(grid[column: 0, row: 0].text == "👩‍👩‍👧‍👦")
        #expect(grid[column: 2, row: 0].text == "🇯🇵")
        #expect(grid[column: 4, row: 0].text == "\u{2764}\u{FE0F}")
        #expect(grid[column: 6, row: 0].text == "x")
        #expect(grid.text == "👩‍👩‍👧‍👦🇯🇵❤️x")
    }

    @Test func tabsExpandToTheNextMultipleOfFour() {
        var grid = CellGrid(columns: 12, rows: 2)
        #expect(grid.write("a\tb\tc", column: 0, row: 0, style: .plain) == 9)
        #expect(grid.text.hasPrefix("a   b   c\n"))
        #expect(grid.write("\tb", column: 2, row: 1, style: .plain) == 5)
        #expect(grid.line(1) == "    b")
    }

    @Test func controlCharactersAreShownNotObeyed() {
        var grid = CellGrid(columns: 12, rows: 1)
        grid.write("a\u{1B}[0m\r\u{7}x\ny", column: 0, row: 0, style: .plain)
        #expect(grid.text == "a␛[0m␍␇x␊y")
    }

    @Test func stylesAreStoredPerCell() {
        var grid = CellGrid(columns: 4, rows: 1)
        let bold = Style(foreground: .ansi(1), attributes: .bold)
        grid.write("你", column: 0, row: 0, style: bold)
        #expect(grid[column: 0, row: 0].style == bold)
        #expect(grid[column: 1, row: 0] == Cell.continuation(style: bold))
        #expect(grid[column: 2, row: 0].style == .plain)
    }

    @Test func fillClipsToTheGridAndBlanksCutWideGlyphs() {
        var grid = CellGrid(columns: 6, rows: 2)
        grid.write("你好世", column: 0, row: 0, style: .plain)
        grid.fill(Rect(column: 1, row: 0, columns: 2, rows: 5), with: Cell("#"))
        #expect(grid.text == " ## 世\n ##")
        grid.fill(grid.bounds)
        #expect(grid.text == "\n")
    }

    @Test func rectIntersection() {
        let a = Rect(column: 0, row: 0, columns: 10, rows: 5)
        let b = Rect(column: 8, row: 3, columns: 5, rows: 5)
        #expect(a.intersection(b) == Rect(column: 8, row: 3, columns: 2, rows: 2))
        #expect(a.intersection(Rect(column: 20, row: 0, columns: 3, rows: 3)).isEmpty)
        #expect(Rect(column: 0, row: 0, columns: -4, rows: 2).isEmpty)
        #expect(a.inset(top: 1, left: 2).contains(column: 2, row: 1))
    }

    @Test func everyWriteChangesItsRowsStampAndReadsChangeNone() {
        var grid = CellGrid(columns: 6, rows: 3)
        let before = (0..<3).map(grid.stamp(ofRow:))
        _ = grid.line(0)
        _ = grid[column: 1, row: 1]
        #expect((0..<3).map(grid.stamp(ofRow:)) == before)

        grid.write("a", column: 0, row: 0, style: .plain)
        let afterWrite = grid.stamp(ofRow: 0)
        #expect(afterWrite != before[0] && grid.stamp(ofRow: 1) == before[1])
        grid[column: 2, row: 1] = Cell("b")
        #expect(grid.stamp(ofRow: 1) != before[1])
        let rowTwo = grid.stamp(ofRow: 2)
        grid.fill(Rect(column: 0, row: 0, columns: 3, rows: 3))
        #expect(grid.stamp(ofRow: 0) != afterWrite && grid.stamp(ofRow: 2) != rowTwo)
        // The same text again is still a write: the stamp says written, not changed.
        let filled = grid.stamp(ofRow: 0)
        grid.write("a", column: 0, row: 0, style: .plain)
        #expect(grid.stamp(ofRow: 0) != filled)
        // Nothing written (off the grid, past the limit) leaves the stamp alone.
        let written = grid.stamp(ofRow: 0)
        grid.write("x", column: 9, row: 0, style: .plain)
        grid[column: -1, row: 0] = Cell("y")
        #expect(grid.stamp(ofRow: 0) == written && grid.stamp(ofRow: 7) == 0)
    }

    @Test func aPresentedFrameHandsOverOnlyTheRowsWrittenSince() {
        var grid = CellGrid(columns: 4, rows: 3)
        var presented = PresentedFrame()
        func rows(_ change: (whole: Bool, scroll: PresentedFrame.Scroll?, spans: [PresentedFrame.Span])) -> (Bool, [Int]) { (change.whole, change.spans.map(\.row)) }
        #expect(rows(presented.take(grid)) == (true, [0, 1, 2]))
        #expect(rows(presented.take(grid)) == (false, []))
        grid.write("hi", column: 0, row: 1, style: .plain)
        #expect(rows(presented.take(grid)) == (false, [1]))
        #expect(rows(presented.take(grid)) == (false, []))
        presented.forget()
        #expect(presented.take(grid).spans == (0..<3).map { PresentedFrame.Span(row: $0, columns: 0..<4) })
        // Another grid, even of the same size and text, is drawn whole.
        var other = CellGrid(columns: 4, rows: 3)
        other.write("hi", column: 0, row: 1, style: .plain)
        #expect(other.identity != grid.identity)
        #expect(rows(presented.take(other)) == (true, [0, 1, 2]))
    }

    @Test func aPresentedFrameHandsOverOnlyTheCellsThatChanged() {
        var grid = CellGrid(columns: 10, rows: 2)
        var presented = PresentedFrame()
        grid.write("hello", column: 0, row: 0, style: .plain)
        _ = presented.take(grid)
        // A streamed line that grows: only the new word (the space was blank already).
        grid.write("hello you", column: 0, row: 0, style: .plain)
        #expect(presented.take(grid).spans == [.init(row: 0, columns: 6..<9)])
        // Written again the same (a view drew its row anew): nothing.
        grid.fill(Rect(column: 0, row: 0, columns: 10, rows: 1))
        grid.write("hello you", column: 0, row: 0, style: .plain)
        #expect(presented.take(grid).spans.isEmpty)
        // A style is a change too; the cells between two changes go with them.
        grid.write("h", column: 0, row: 0, style: Style(attributes: .bold))
        grid.write("U", column: 6, row: 0, style: .plain)
        #expect(presented.take(grid).spans == [.init(row: 0, columns: 0..<7)])
        // Changes far apart (a status bar's spinner and its figures) go as two spans.
        var bar = CellGrid(columns: 30, rows: 1)
        bar.write("⠋ streaming          12 tok/s", column: 0, row: 0, style: .plain)
        _ = presented.take(bar)
        bar.write("⠙", column: 0, row: 0, style: .plain)
        bar.write("14", column: 21, row: 0, style: .plain)
        #expect(presented.take(bar).spans == [.init(row: 0, columns: 0..<1), .init(row: 0, columns: 22..<23)])
        bar.write("⠹", column: 0, row: 0, style: .plain)
        bar.write("5", column: 9, row: 0, style: .plain)
        #expect(presented.take(bar).spans == [.init(row: 0, columns: 0..<10)])
    }

    @Test func aPresentedFrameFindsRowsThatMovedAsAScroll() {
        var grid = CellGrid(columns: 12, rows: 10)
        var presented = PresentedFrame()
        func show(_ lines: Range<Int>) {
            for (row, line) in lines.enumerated() {
                grid.fill(Rect(column: 0, row: row + 1, columns: 12, rows: 1))
                grid.write("line \(line)", column: 0, row: row + 1, style: .plain)
            }
        }
        show(0..<6)
        _ = presented.take(grid, scrolling: true)
        // Two lines more: rows 1–6 move up by two, the two rows that came in are written.
        show(2..<8)
        let up = presented.take(grid, scrolling: true)
        #expect(up.scroll == PresentedFrame.Scroll(rows: 1..<7, by: 2))
        #expect(up.spans.map(\.row) == [5, 6])
        // Back by one: down by one, the row that came in written.
        show(1..<7)
        let down = presented.take(grid, scrolling: true)
        #expect(down.scroll == PresentedFrame.Scroll(rows: 1..<7, by: -1))
        #expect(down.spans.map(\.row) == [1])
        // Unless the backend asks, or fewer rows than a scroll saves moved, there is none.
        show(0..<6)
        #expect(presented.take(grid).scroll == nil)
        grid.write("x", column: 0, row: 1, style: .plain)
        grid.write("y", column: 0, row: 8, style: .plain)
        #expect(presented.take(grid, scrolling: true).scroll == nil)
        // Blank rows that stay blank are not a scroll, however many of them there are.
        for row in 0..<10 { grid.fill(Rect(column: 0, row: row, columns: 12, rows: 1)) }
        _ = presented.take(grid, scrolling: true)
        for row in [0, 3, 6, 9] { grid.write("row \(row)", column: 0, row: row, style: .plain) }
        #expect(presented.take(grid, scrolling: true).scroll == nil)
    }

    @Test func aPresentedSpanKeepsWideGlyphsWhole() {
        var grid = CellGrid(columns: 10, rows: 1)
        var presented = PresentedFrame()
        grid.write("a漢b", column: 0, row: 0, style: .plain)
        _ = presented.take(grid)
        // Another wide glyph in its place: the glyph and its right half.
        grid.write("字", column: 1, row: 0, style: .plain)
        #expect(presented.take(grid).spans == [.init(row: 0, columns: 1..<3)])
        // A cell set over the right half of what is on screen: drawn from the glyph's left half.
        grid[column: 2, row: 0] = Cell("x")
        #expect(presented.take(grid).spans == [.init(row: 0, columns: 1..<3)])
        // A wide glyph where narrow ones were: its right half goes with it.
        grid.write("ab", column: 4, row: 0, style: .plain)
        _ = presented.take(grid)
        grid[column: 4, row: 0] = Cell("漢")
        grid[column: 5, row: 0] = .continuation(style: .plain)
        #expect(presented.take(grid).spans == [.init(row: 0, columns: 4..<6)])
    }

    @Test func cellsRememberTheirLastWriteSoPanesOnOneRowKeepTheirOwn() {
        var grid = CellGrid(columns: 20, rows: 2)
        grid.write("left", column: 0, row: 0, style: .plain, maxColumn: 10)
        let leftDrawn = grid.clock
        // The pane beside it writes on the same row: the left pane's cells are still its own.
        grid.write("right", column: 11, row: 0, style: .plain)
        #expect(grid.lastWritten(row: 0, columns: 0..<10) <= leftDrawn)
        #expect(grid.lastWritten(row: 0, columns: 11..<20) > leftDrawn)
        // Something drawn over them (an overlay) is seen, and so is a wide glyph broken at the edge.
        grid.write("x", column: 3, row: 0, style: .plain)
        #expect(grid.lastWritten(row: 0, columns: 0..<10) > leftDrawn)
        grid.write("你", column: 9, row: 1, style: .plain)
        let wideDrawn = grid.clock
        grid.write("z", column: 10, row: 1, style: .plain)
        #expect(grid.lastWritten(row: 1, columns: 0..<10) > wideDrawn)
        #expect(grid.lastWritten(row: 5, columns: 0..<10) == 0)
    }
}
