import TerminalKit

/// What a view drew on each row of its rectangle, and the grid's clock after it did: a row it
/// would draw the same is left alone while no cell of it has a later stamp (see `CellGrid`).
/// Whatever else writes over those cells (an overlay, a new grid after a resize) makes the row
/// drawn again without anyone having to say so; what is drawn beside it on the same row (the
/// next pane) does not.
public struct DrawnRows<Key: Equatable> {
    private var rect = Rect(column: 0, row: 0, columns: 0, rows: 0)
    private var grid: UInt64 = 0
    private var keys: [Key?] = []
    private var drawnAt: [UInt64] = []

    public init() {}

    /// Draws row `row` of `rect` with `body` unless it shows `key` already; `body` draws only
    /// within the row's part of `rect`.
    public mutating func draw(
        row: Int, of rect: Rect, key: Key, into grid: inout CellGrid, _ body: (inout CellGrid) -> Void
    ) {
        if rect != self.rect || grid.identity != self.grid {
            self.rect = rect
            self.grid = grid.identity
            keys = Array(repeating: nil, count: rect.rows)
            drawnAt = Array(repeating: 0, count: rect.rows)
        }
        guard row >= 0, row < rect.rows else { return }
        let gridRow = rect.row + row
        // A row's stamp is at least that of any of its cells: when it is not newer than this
        // view's drawing, no cell needs looking at.
        if keys[row] == key,
            grid.stamp(ofRow: gridRow) <= drawnAt[row] || grid.lastWritten(row: gridRow, columns: rect.column..<rect.endColumn) <= drawnAt[row]
        {
            return
        }
        body(&grid)
        keys[row] = key
        drawnAt[row] = grid.clock
    }
}

/// A whole-width row (the tab bar, the status bar) drawn from its content: composed only when
/// the content or the width differs from the last frame's, and written to the frame only when
/// it comes out different from what is there. A spinner that did not turn or a status that
/// did not change costs neither composing, nor cell writes, nor terminal output.
public struct ComposedRow<Content: Equatable> {
    private var drawn = DrawnRows<[Cell]>()
    private var composed: (content: Content, columns: Int, cells: [Cell])?

    public init() {}

    /// Puts the row for `content` on row `row` of `grid`, composing it with `compose` (which
    /// draws on row 0 of a grid as wide as `grid`) unless the last frame composed the same.
    public mutating func draw(row: Int, into grid: inout CellGrid, content: Content, _ compose: (inout CellGrid) -> Void) {
        let cells: [Cell]
        if let composed, composed.columns == grid.columns, composed.content == content {
            cells = composed.cells  // the same storage: comparing it with the drawn key is immediate
        } else {
            var scratch = CellGrid(columns: grid.columns, rows: 1)
            compose(&scratch)
            cells = (0..<grid.columns).map { scratch[column: $0, row: 0] }
            composed = (content, grid.columns, cells)
        }
        drawn.draw(row: 0, of: Rect(column: 0, row: row, columns: grid.columns, rows: 1), key: cells, into: &grid) { grid in
            for (column, cell) in cells.enumerated() { grid[column: column, row: row] = cell }
        }
    }
}
