/// What a backend last put on screen, as far as telling the next frame's changes goes: the
/// grid's identity, each row's stamp (see `CellGrid`) and the cells themselves. A backend diffs
/// frames with it and hands the screen only the cells that changed.
public struct PresentedFrame: Sendable {
    /// The cells of one row that differ from what is on screen: `columns` of `row`.
    public struct Span: Sendable, Equatable {
        public var row: Int
        public var columns: Range<Int>

        public init(row: Int, columns: Range<Int>) {
            self.row = row
            self.columns = columns
        }
    }

    private var grid: UInt64?
    private var stamps: [UInt64] = []
    /// What is on screen, row by row (as `CellGrid.cells`).
    private var shown: [Cell] = []

    public init() {}

    /// Rows of the screen whose content the terminal can move (its scroll region) instead of
    /// having them sent again: a pane that streamed a line more, or was scrolled back.
    public struct Scroll: Sendable, Equatable {
        /// The rows of the region, full width.
        public var rows: Range<Int>
        /// How far the region's content moves: up for a positive count (its top rows leave and
        /// blank rows come in at its bottom), down for a negative one.
        public var by: Int

        public init(rows: Range<Int>, by: Int) {
            self.rows = rows
            self.by = by
        }
    }

    /// The changes of `grid` to hand over: on each row written to since the frame presented last
    /// (its stamp changed), from the first cell that differs from what is on screen to the last,
    /// in two spans or more where more than ``gap`` unchanged cells lie between two changes (a
    /// row written again the same gives none); or every row whole (`whole`) when nothing of this
    /// grid is on screen (another grid, a new size, after ``forget()``). A span never starts or
    /// ends inside a wide glyph, on screen or in `grid`. Remembers `grid` as presented.
    /// - Parameter scrolling: whether the backend can scroll a region of full rows; then a block
    ///   of at least ``minimumScroll`` rows that shows what other rows showed comes as `scroll`,
    ///   done before the spans are written (which no longer include those rows).
    public mutating func take(_ grid: CellGrid, scrolling: Bool = false) -> (whole: Bool, scroll: Scroll?, spans: [Span]) {
        let columns = grid.columns
        let whole = self.grid != grid.identity || stamps.count != grid.rows || shown.count != grid.cells.count
        self.grid = grid.identity
        if whole {
            stamps = (0..<grid.rows).map { grid.stamp(ofRow: $0) }
            shown = grid.cells
            return (true, nil, (0..<grid.rows).map { Span(row: $0, columns: 0..<columns) })
        }
        var spans: [Span] = []
        var scroll: Scroll?
        grid.cells.withUnsafeBufferPointer { cells in
            if scrolling, let found = findScroll(grid, cells) {
                scroll = found
                move(found, columns)
            }
            for row in 0..<grid.rows {
                let stamp = grid.stamp(ofRow: row)
                guard stamps[row] != stamp else { continue }
                stamps[row] = stamp
                let start = row * columns
                guard let first = (0..<columns).first(where: { cells[start + $0] != shown[start + $0] }) else { continue }
                let last = (first..<columns).last { cells[start + $0] != shown[start + $0] }!
                var piece = first, changed = first
                for column in first...last where cells[start + column] != shown[start + column] {
                    if column - changed - 1 > Self.gap {
                        spans.append(hand(row, piece...changed, cells, columns))
                        piece = column
                    }
                    changed = column
                }
                spans.append(hand(row, piece...last, cells, columns))
            }
        }
        return (false, scroll, spans)
    }

    /// The fewest rows a scroll must save from being sent again.
    public static let minimumScroll = 3

    /// The block of rows of `grid` that shows what the rows a fixed distance below (or above)
    /// it show on screen now, and that saves the most rows from being sent again (rows that
    /// already show what they should, blank ones among them, count for nothing).
    private func findScroll(_ grid: CellGrid, _ cells: UnsafeBufferPointer<Cell>) -> Scroll? {
        let rows = grid.rows, columns = grid.columns
        // A token's frame writes a row or three (the reply, the bars); a scroll, every row of its pane.
        guard (0..<rows).count(where: { stamps[$0] != grid.stamp(ofRow: $0) }) > Self.minimumScroll else { return nil }
        func same(_ row: Int, _ shownRow: Int) -> Bool {
            let a = row * columns, b = shownRow * columns
            for column in 0..<columns where cells[a + column] != shown[b + column] { return false }
            return true
        }
        let differs = (0..<rows).map { stamps[$0] != grid.stamp(ofRow: $0) && !same($0, $0) }
        guard differs.count(where: { $0 }) >= Self.minimumScroll else { return nil }
        var best: (rows: Range<Int>, saved: Int, by: Int)?
        for distance in 1...max(1, rows / 2) {
            for by in [distance, -distance] {
                var row = max(0, -by)
                let end = min(rows, rows - by)
                while row < end {
                    guard same(row, row + by) else {
                        row += 1
                        continue
                    }
                    var last = row
                    while last + 1 < end, same(last + 1, last + 1 + by) { last += 1 }
                    // The run, trimmed to the rows it saves.
                    if let first = (row...last).first(where: { differs[$0] }), let final = (row...last).last(where: { differs[$0] }) {
                        let saved = (first...final).count(where: { differs[$0] })
                        if saved > (best?.saved ?? 0) { best = (first..<final + 1, saved, by) }
                    }
                    row = last + 1
                }
            }
        }
        guard let best, best.saved >= Self.minimumScroll else { return nil }
        return best.by > 0
            ? Scroll(rows: best.rows.lowerBound..<best.rows.upperBound + best.by, by: best.by)
            : Scroll(rows: best.rows.lowerBound + best.by..<best.rows.upperBound, by: best.by)
    }

    /// Moves what is on screen as the terminal will once `scroll` is done: the region's rows
    /// shift and the rows that come in are blank. Every row of the region is compared again.
    private mutating func move(_ scroll: Scroll, _ columns: Int) {
        let by = scroll.by
        let moved = by > 0 ? Array(scroll.rows.lowerBound..<scroll.rows.upperBound - by) : Array((scroll.rows.lowerBound - by..<scroll.rows.upperBound).reversed())
        for row in moved {
            for column in 0..<columns { shown[row * columns + column] = shown[(row + by) * columns + column] }
        }
        let blank = by > 0 ? scroll.rows.upperBound - by..<scroll.rows.upperBound : scroll.rows.lowerBound..<scroll.rows.lowerBound - by
        for row in blank {
            for column in 0..<columns { shown[row * columns + column] = .blank }
        }
        for row in scroll.rows { stamps[row] = .max }
    }

    /// Unchanged cells between two changes of a row that split it into two spans: moving the
    /// cursor over them takes fewer bytes than sending them.
    static let gap = 8

    /// The span of `range` of `row` (of a grid `width` columns wide), widened to whole glyphs (a continuation cell is drawn by
    /// the cell to its left, and the cell after a glyph may be its right half), now shown.
    private mutating func hand(_ row: Int, _ range: ClosedRange<Int>, _ cells: UnsafeBufferPointer<Cell>, _ width: Int) -> Span {
        let start = row * width
        var first = range.lowerBound, last = range.upperBound
        while first > 0, cells[start + first].isContinuation || shown[start + first].isContinuation { first -= 1 }
        while last + 1 < width, cells[start + last + 1].isContinuation || shown[start + last + 1].isContinuation { last += 1 }
        for column in first...last { shown[start + column] = cells[start + column] }
        return Span(row: row, columns: first..<last + 1)
    }

    /// Forgets what is on screen: the next frame is handed over whole.
    public mutating func forget() {
        grid = nil
    }
}
