/// Where the scrollback pane is: following the newest line, or held at a line the user
/// scrolled to. Positions are (entry, line in entry), so scrolling costs the lines moved over,
/// not the history.
public struct ScrollState: Equatable, Sendable {
    /// The top visible line when scrolled up; nil while following the bottom.
    public var anchor: Position?
    /// The last line there was when the user scrolled away from the bottom: a marker line
    /// below it shows where the text they have not seen starts.
    public var unreadAfter: Position?

    public struct Position: Equatable, Sendable {
        public var entry: Int
        public var line: Int
    }

    public init() {}

    /// Keeps the same lines in view after `count` entries were put before the first one.
    public mutating func shift(byPrependedEntries count: Int) {
        anchor?.entry += count
        unreadAfter?.entry += count
    }
}
