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
        if keys[row] == key, grid.lastWritten(row: gridRow, columns: rect.column..<rect.endColumn) <= drawnAt[row] { return }
        body(&grid)
        keys[row] = key
        drawnAt[row] = grid.clock
    }
}
