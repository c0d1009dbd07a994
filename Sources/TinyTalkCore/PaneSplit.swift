/// Which tabs are on screen side by side (or stacked) and how: none when one tab fills the
/// screen. The app decides it; the workspace keeps it with the open tabs, so the next run shows
/// the same split.
public struct PaneSplit: Sendable, Equatable {
    /// The most panes a split has.
    public static let maxPanes = 4

    /// The tabs in the panes, left to right (top to bottom when stacked): two to four, or none.
    public private(set) var panes: [TabID]
    /// One above the other rather than side by side (never, without a split).
    public private(set) var stacked: Bool

    /// No split: one tab fills the screen.
    public static let none = PaneSplit(panes: [], stacked: false)

    /// A split of `panes` (repeats dropped, at most ``maxPanes``); fewer than two is no split.
    public init(panes: [TabID], stacked: Bool) {
        var unique: [TabID] = []
        for id in panes where !unique.contains(id) && unique.count < Self.maxPanes { unique.append(id) }
        self.panes = unique.count >= 2 ? unique : []
        self.stacked = unique.count >= 2 && stacked
    }

    public var isSplit: Bool { !panes.isEmpty }

    /// Without the tab `id` (closed); a split left with one pane is no split.
    public func removing(_ id: TabID) -> PaneSplit {
        PaneSplit(panes: panes.filter { $0 != id }, stacked: stacked)
    }

    /// With `new` where `old` was (a conversation started again in its tab).
    public func replacing(_ old: TabID, with new: TabID) -> PaneSplit {
        PaneSplit(panes: panes.map { $0 == old ? new : $0 }, stacked: stacked)
    }

    /// Only the panes whose tabs are among `open`.
    public func keeping(_ open: [TabID]) -> PaneSplit {
        PaneSplit(panes: panes.filter(open.contains), stacked: stacked)
    }
}
