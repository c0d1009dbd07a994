import Synchronization

/// Where grids take their identities from: no two grids made in a process share one.
private let gridIdentities = Atomic<UInt64>(0)

/// An in-memory screen: rows × columns of cells that views render into and a backend presents.
///
/// A grid lives from frame to frame and each frame is drawn over the last. Every write takes a
/// new stamp from the grid's clock, and the row and each cell it wrote keep it: that is how the
/// app tells what changed since the last frame. A backend hands over only rows whose stamp
/// changed since it presented them; a view that skips what it would draw the same (a pane's
/// rows) keeps the clock after its drawing, and its cells are still its own when none of them
/// has a later stamp, whatever was drawn beside them on the same row. A new grid has a new
/// ``identity``, so nothing drawn on another grid is taken for its own. A grid and its copies
/// share an identity: present and draw over one line of copies.
///
/// Text goes in through `write`, which measures each grapheme cluster with `TextWidth`, gives a
/// wide glyph its cell plus a continuation cell, and never lets a glyph straddle the right edge.
/// Cells outside the grid read as `Cell.blank` and ignore writes, so views may draw past their
/// edges without checks and the app survives any size down to 1×1.
public struct CellGrid: Sendable, Equatable {
    /// The width in cells.
    public let columns: Int
    /// The height in cells.
    public let rows: Int
    /// All cells, row by row (`row * columns + column`).
    public private(set) var cells: [Cell]
    /// This grid's own number, different from every other grid's (see the type's overview).
    public let identity: UInt64
    /// Each row's stamp: changed by every write to the row.
    private var stamps: [UInt64]
    /// Each cell's stamp: that of the write that last set it.
    private var cellStamps: [UInt64]
    /// The last stamp given: a view that keeps this after drawing can tell later whether
    /// anything wrote over it since (``lastWritten(row:columns:)``).
    public private(set) var clock: UInt64 = 0

    /// A grid of blank cells; negative sizes count as 0.
    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        cells = Array(repeating: .blank, count: self.columns * self.rows)
        stamps = Array(repeating: 0, count: self.rows)
        cellStamps = Array(repeating: 0, count: self.columns * self.rows)
        identity = gridIdentities.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Grids are equal when their cells are; identities and stamps do not matter.
    public static func == (lhs: CellGrid, rhs: CellGrid) -> Bool {
        lhs.columns == rhs.columns && lhs.rows == rhs.rows && lhs.cells == rhs.cells
    }

    /// The stamp of a row (0 outside the grid and for a row never written to).
    public func stamp(ofRow row: Int) -> UInt64 {
        row >= 0 && row < rows ? stamps[row] : 0
    }

    /// The newest stamp among the cells `columns` of `row` (0 when none was written, or
    /// outside the grid).
    public func lastWritten(row: Int, columns range: Range<Int>) -> UInt64 {
        guard row >= 0, row < rows else { return 0 }
        let start = row * columns + max(0, range.lowerBound), end = row * columns + min(columns, range.upperBound)
        var newest: UInt64 = 0
        var index = start
        while index < end {
            newest = max(newest, cellStamps[index])
            index += 1
        }
        return newest
    }

    /// Sets the cell at `index` with the current stamp.
    @inline(__always)
    private mutating func set(_ index: Int, _ cell: Cell) {
        cells[index] = cell
        cellStamps[index] = clock
    }

    /// A new stamp for a row that is being written to.
    @inline(__always)
    private mutating func touch(_ row: Int) {
        clock &+= 1
        stamps[row] = clock
    }

    /// The whole grid as a rectangle at the origin.
    public var bounds: Rect { Rect(column: 0, row: 0, columns: columns, rows: rows) }

    /// The cell at a position; outside the grid, reads give `Cell.blank` and writes are ignored.
    ///
    /// Setting a cell stores it as given. Use `write` for text: it keeps wide glyphs whole.
    public subscript(column column: Int, row row: Int) -> Cell {
        get {
            guard column >= 0, column < columns, row >= 0, row < rows else { return .blank }
            return cells[row * columns + column]
        }
        set {
            guard column >= 0, column < columns, row >= 0, row < rows else { return }
            touch(row)
            set(row * columns + column, newValue)
        }
    }

    /// Writes text on one row, one grapheme cluster per cell, and returns the column after it.
    ///
    /// A wide glyph takes its cell and a continuation cell; one that would not fit before the
    /// right edge (or `maxColumn`) is replaced by a space and writing stops there. Zero-width
    /// clusters join the cell to their left. Control characters appear as Control Pictures (`␛`),
    /// a tab as spaces to the next multiple of 4 columns. Overwriting half of a wide glyph blanks
    /// its other half. Cells left of column 0 are skipped; nothing beyond the limit is written.
    /// - Parameters:
    ///   - text: the text; its newlines show as `␊`, as it is written on one row.
    ///   - column: where the first cluster goes.
    ///   - row: the row.
    ///   - style: the style of every cell written.
    ///   - maxColumn: an exclusive right limit narrower than the grid, e.g. a view's edge.
    /// - Returns: the column after the last cell written (where the next text would go).
    @discardableResult
    public mutating func write(_ text: some StringProtocol, column: Int, row: Int, style: Style, maxColumn: Int? = nil) -> Int {
        guard row >= 0, row < rows else { return column }
        let limit = min(columns, maxColumn ?? columns)
        var column = column
        guard column < limit else { return column }
        touch(row)
        let rowStart = row * columns
        let string = String(text)
        // Printable ASCII (most of any reply): a cell per byte, in one pass, with no cluster
        // breaking, measuring or neutralizing to do.
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return writeASCII(string.utf8, from: column, rowStart: rowStart, limit: limit, style: style)
        }
        let safe = TerminalSafeText.neutralize(string)
        // Where the previous cluster went, for zero-width clusters to join.
        var previous = column > 0 && column <= columns ? column - 1 : -1
        for grapheme in safe {
            let utf8 = grapheme.utf8
            if utf8.count == 1 {
                let byte = utf8.first!
                if byte >= 0x20 && byte < 0x7F {
                    guard column < limit else { return column }
                    if column >= 0 { place(Cell(String(grapheme), style: style), at: rowStart, column) }
                    previous = column
                    column += 1
                    continue
                }
                if byte == 0x09 {
                    let stop = (column / 4 + 1) * 4
                    while column < stop {
                        guard column < limit else { return column }
                        if column >= 0 { place(Cell(" ", style: style), at: rowStart, column) }
                        previous = column
                        column += 1
                    }
                    continue
                }
                if byte == 0x0A {
                    guard column < limit else { return column }
                    if column >= 0 { place(Cell("\u{240A}", style: style), at: rowStart, column) }
                    previous = column
                    column += 1
                    continue
                }
            }
            let width = TextWidth.of(grapheme)
            if width == 0 {
                var target = previous
                if target >= 0, target < columns, cells[rowStart + target].isContinuation, target > 0 { target -= 1 }
                if target >= 0, target < columns {
                    cells[rowStart + target].text.append(grapheme)
                    cellStamps[rowStart + target] = clock
                }
                continue
            }
            guard column + width <= limit else {
                if column < limit, column >= 0 { place(Cell(" ", style: style), at: rowStart, column) }
                return column < limit ? column + 1 : column
            }
            if column >= 0 {
                if width == 2 {
                    place(Cell(String(grapheme), style: style), at: rowStart, column)
                    place(.continuation(style: style), at: rowStart, column + 1)
                } else {
                    place(Cell(String(grapheme), style: style), at: rowStart, column)
                }
            } else if column + width > 0 {
                // A wide glyph cut by the left edge: show its visible half as a space.
                place(Cell(" ", style: style), at: rowStart, 0)
            }
            previous = column
            column += width
        }
        return column
    }

    /// One cell's text for each printable ASCII character, made once.
    private static let asciiTexts: [String] = (0x20..<0x7F).map { String(UnicodeScalar(UInt8($0))) }

    /// `write` for text of printable ASCII only: one cell per byte from `start` up to `limit`.
    private mutating func writeASCII(_ bytes: String.UTF8View, from start: Int, rowStart: Int, limit: Int, style: Style) -> Int {
        let first = max(0, start)
        let end = min(limit, start + bytes.count)
        guard first < end else { return end }
        // Only a wide glyph cut by the span's ends can leave half of itself behind.
        breakWideGlyph(at: rowStart, first)
        breakWideGlyph(at: rowStart, end - 1)
        let stamp = clock
        cells.withUnsafeMutableBufferPointer { cells in
            cellStamps.withUnsafeMutableBufferPointer { stamps in
                var column = start
                for byte in bytes {
                    guard column < end else { break }
                    if column >= 0 {
                        cells[rowStart + column] = Cell(Self.asciiTexts[Int(byte) &- 0x20], style: style)
                        stamps[rowStart + column] = stamp
                    }
                    column += 1
                }
            }
        }
        return end
    }

    /// Sets every cell of `rect` (clipped to the grid) to `cell`, blanking wide glyphs it cuts.
    /// - Parameters:
    ///   - rect: the area to fill.
    ///   - cell: what to fill it with; a blank cell by default.
    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        for row in area.row..<area.endRow {
            let rowStart = row * columns
            touch(row)
            breakWideGlyph(at: rowStart, area.column)
            if area.endColumn < columns { breakWideGlyph(at: rowStart, area.endColumn - 1) }
            let stamp = clock
            cells.withUnsafeMutableBufferPointer { cells in
                cellStamps.withUnsafeMutableBufferPointer { stamps in
                    for index in rowStart + area.column..<rowStart + area.endColumn {
                        cells[index] = cell
                        stamps[index] = stamp
                    }
                }
            }
        }
    }

    /// The text of a row: continuation cells skipped, trailing spaces trimmed.
    public func line(_ row: Int) -> String {
        guard row >= 0, row < rows else { return "" }
        var text = ""
        text.reserveCapacity(columns)
        var visibleLength = 0
        for index in row * columns..<(row + 1) * columns {
            let cell = cells[index]
            if cell.isContinuation { continue }
            text += cell.text
            if cell.text != " " { visibleLength = text.utf8.count }
        }
        return String(decoding: text.utf8.prefix(visibleLength), as: UTF8.self)
    }

    /// All rows' text joined by newlines, for tests and debugging.
    public var text: String {
        (0..<rows).map(line).joined(separator: "\n")
    }

    /// Stores a cell, first blanking the other half of any wide glyph it overwrites part of.
    @inline(__always)
    private mutating func place(_ cell: Cell, at rowStart: Int, _ column: Int) {
        breakWideGlyph(at: rowStart, column)
        set(rowStart + column, cell)
    }

    /// If the cell at `column` is half of a wide glyph, blanks the other half so no orphan remains.
    private mutating func breakWideGlyph(at rowStart: Int, _ column: Int) {
        let index = rowStart + column
        if cells[index].isContinuation {
            if column > 0 { set(index - 1, Cell(" ", style: cells[index - 1].style)) }
            set(index, Cell(" ", style: cells[index].style))
        } else if column + 1 < columns, cells[index + 1].isContinuation {
            set(index + 1, Cell(" ", style: cells[index + 1].style))
        }
    }
}
