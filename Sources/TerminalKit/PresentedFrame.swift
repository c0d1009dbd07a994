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

    /// The cells of `grid` to hand over, one span per row at most: on each row written to since
    /// the frame presented last (its stamp changed), from the first cell that differs from what
    /// is on screen to the last (a row written again the same gives none); or every row whole
    /// (`whole`) when nothing of this grid is on screen (another grid, a new size, after
    /// ``forget()``). A span never starts or ends inside a wide glyph, on screen or in `grid`.
    /// Remembers `grid` as presented.
    public mutating func take(_ grid: CellGrid) -> (whole: Bool, spans: [Span]) {
        let columns = grid.columns
        let whole = self.grid != grid.identity || stamps.count != grid.rows || shown.count != grid.cells.count
        self.grid = grid.identity
        if whole {
            stamps = (0..<grid.rows).map { grid.stamp(ofRow: $0) }
            shown = grid.cells
            return (true, (0..<grid.rows).map { Span(row: $0, columns: 0..<columns) })
        }
        var spans: [Span] = []
        grid.cells.withUnsafeBufferPointer { cells in
            for row in 0..<grid.rows {
                let stamp = grid.stamp(ofRow: row)
                guard stamps[row] != stamp else { continue }
                stamps[row] = stamp
                let start = row * columns
                guard var first = (0..<columns).first(where: { cells[start + $0] != shown[start + $0] }) else { continue }
                var last = (first..<columns).last { cells[start + $0] != shown[start + $0] }!
                // Whole glyphs only: a continuation cell is drawn by the cell to its left, and
                // the cell after a glyph may be its right half.
                while first > 0, cells[start + first].isContinuation || shown[start + first].isContinuation { first -= 1 }
                while last + 1 < columns, cells[start + last + 1].isContinuation || shown[start + last + 1].isContinuation { last += 1 }
                for column in first...last { shown[start + column] = cells[start + column] }
                spans.append(Span(row: row, columns: first..<last + 1))
            }
        }
        return (false, spans)
    }

    /// Forgets what is on screen: the next frame is handed over whole.
    public mutating func forget() {
        grid = nil
    }
}
