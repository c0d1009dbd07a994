/// A rectangle of cells: a view's area on the screen.
public struct Rect: Sendable, Equatable {
    /// The leftmost column (0-based).
    public var column: Int
    /// The top row (0-based).
    public var row: Int
    /// The width in cells.
    public var columns: Int
    /// The height in cells.
    public var rows: Int

    /// - Parameters:
    ///   - column: the leftmost column.
    ///   - row: the top row.
    ///   - columns: the width; negative widths count as 0.
    ///   - rows: the height; negative heights count as 0.
    public init(column: Int, row: Int, columns: Int, rows: Int) {
        self.column = column
        self.row = row
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    /// The empty rectangle at the origin.
    public static let zero = Rect(column: 0, row: 0, columns: 0, rows: 0)

    /// The column just right of the rectangle.
    public var endColumn: Int { column + columns }
    /// The row just below the rectangle.
    public var endRow: Int { row + rows }
    /// Whether the rectangle covers no cell.
    public var isEmpty: Bool { columns <= 0 || rows <= 0 }

    /// Whether the cell at (`column`, `row`) lies inside.
    public func contains(column: Int, row: Int) -> Bool {
        column >= self.column && column < endColumn && row >= self.row && row < endRow
    }

    /// The cells both rectangles cover; empty (with a zero size) when they do not overlap.
    public func intersection(_ other: Rect) -> Rect {
        let left = max(column, other.column), top = max(row, other.row)
        let right = min(endColumn, other.endColumn), bottom = min(endRow, other.endRow)
        guard right > left, bottom > top else { return Rect(column: left, row: top, columns: 0, rows: 0) }
        return Rect(column: left, row: top, columns: right - left, rows: bottom - top)
    }

    /// The rectangle shrunk by the given margins (never below an empty size).
    public func inset(top: Int = 0, left: Int = 0, bottom: Int = 0, right: Int = 0) -> Rect {
        Rect(column: column + left, row: row + top, columns: columns - left - right, rows: rows - top - bottom)
    }
}
