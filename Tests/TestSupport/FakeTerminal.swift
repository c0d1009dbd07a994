import TerminalKit

/// An in-memory terminal: frames land in `grid`, keys come from the test.
@MainActor
public final class FakeTerminal: TerminalBackend {
    public var size: (columns: Int, rows: Int)
    public private(set) var grid = CellGrid(columns: 0, rows: 0)
    public private(set) var cursor: (column: Int, row: Int)?
    public private(set) var closed = false

    public init(columns: Int = 60, rows: Int = 16) {
        size = (columns, rows)
    }

    /// The cells each frame handed over, as the real terminal would write them: those that
    /// changed since the frame before (every row whole for a new grid or after `invalidate`).
    /// A test may empty it to look at the frames from then on.
    public var changedSpans: [[PresentedFrame.Span]] = []
    /// The rows of ``changedSpans``, frame by frame.
    public var changedRows: [[Int]] { changedSpans.map { $0.map(\.row) } }
    private var presented = PresentedFrame()

    public func present(_ grid: CellGrid, cursor: (column: Int, row: Int)?) {
        self.grid = grid
        self.cursor = cursor
        changedSpans.append(presented.take(grid).spans)
    }

    public func readEvents() -> [InputEvent] { [] }
    public private(set) var suspensions = 0
    public func suspend(while body: () -> Void) {
        suspensions += 1
        body()
    }
    public func invalidate() { presented.forget() }
    /// The alerts rung, in order: the desktop notification's title and body, or nil for the bell.
    public private(set) var alerts: [(title: String, body: String)?] = []
    public func alert(desktop: Bool, title: String, body: String) {
        alerts.append(desktop ? (title, body) : nil)
    }
    public func close() { closed = true }
    /// What was put on the clipboard; nil makes copies fail as on a terminal without OSC 52.
    public var clipboard: [String]? = []
    public func copyToClipboard(_ text: String) -> Bool {
        guard clipboard != nil else { return false }
        clipboard!.append(text)
        return true
    }
}
