/// What a backend last put on screen, as far as telling the next frame's changes goes: the
/// grid's identity and each row's stamp (see `CellGrid`). Every backend diffs frames with it,
/// the real terminal and the test fake alike.
public struct PresentedFrame: Sendable {
    private var grid: UInt64?
    private var stamps: [UInt64] = []

    public init() {}

    /// The rows of `grid` to hand over: those written to since the frame presented last, or
    /// every row (`whole`) when nothing of this grid is on screen (another grid, a new size,
    /// after ``forget()``). Remembers `grid` as presented.
    public mutating func take(_ grid: CellGrid) -> (whole: Bool, rows: [Int]) {
        let whole = self.grid != grid.identity || stamps.count != grid.rows
        var rows: [Int] = []
        if whole { stamps = Array(repeating: 0, count: grid.rows) }
        for row in 0..<grid.rows {
            let stamp = grid.stamp(ofRow: row)
            if whole || stamps[row] != stamp {
                rows.append(row)
                stamps[row] = stamp
            }
        }
        self.grid = grid.identity
        return (whole, rows)
    }

    /// Forgets what is on screen: the next frame is handed over whole.
    public mutating func forget() {
        grid = nil
    }
}
