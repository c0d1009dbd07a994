import TerminalKit
import TinyTalkCore

/// Split panes: which tabs are on screen and which pane has the focus (its tab is the selected
/// one, which gets the input box and the status bar). The split is the app's to arrange; the
/// workspace keeps it with the tabs so the next run shows the same.
extension App {
    /// The tabs on screen, one per pane, in pane order.
    var tabsOnScreen: [TabID] {
        if split.isSplit { return split.panes }
        return selectedID.map { [$0] } ?? []
    }

    /// Whether `view` is in a pane now (a reply finishing there is seen, not unread).
    func isOnScreen(_ view: TabView) -> Bool { tabsOnScreen.contains(view.id) }

    /// Adds a pane after the others, showing the next tab after this one that is not on
    /// screen, side by side or stacked (`/split`, `/split h`); the focus stays where it is.
    func splitPanes(stacked: Bool) {
        guard let current = selectedID, let start = tabs.firstIndex(where: { $0.id == current }) else { return }
        var panes = split.isSplit ? split.panes : [current]
        guard panes.count < PaneSplit.maxPanes else {
            if split.stacked != stacked { arrange(PaneSplit(panes: panes, stacked: stacked)) } else {
                message = "\(PaneSplit.maxPanes) panes at most: /only goes back to one."
            }
            return
        }
        let next = (1..<max(1, tabs.count)).lazy.map { self.tabs[(start + $0) % self.tabs.count].id }.first { !panes.contains($0) }
        guard let next else {
            if split.isSplit && split.stacked != stacked { arrange(PaneSplit(panes: panes, stacked: stacked)) } else {
                message = "Every open tab is on screen: /new BOT opens another to show beside it."
            }
            return
        }
        panes.append(next)
        arrange(PaneSplit(panes: panes, stacked: stacked))
    }

    /// One pane again: the focused one (`/only`).
    func onlyPane() {
        guard split.isSplit else { return }
        arrange(.none)
    }

    /// Takes the focused pane off the screen (its tab stays open); the focus goes to the pane
    /// that takes its place.
    func closePane() {
        guard split.isSplit, let current = selectedID, let index = split.panes.firstIndex(of: current) else {
            message = "There is one pane: Ctrl+X 3 or /split shows another beside it."
            return
        }
        let remaining = split.panes.filter { $0 != current }
        arrange(PaneSplit(panes: remaining, stacked: split.stacked))
        let next = remaining[min(index, remaining.count - 1)]
        if let position = tabs.firstIndex(where: { $0.id == next }) { select(position) }
    }

    /// Closes tab `id`. The focused pane's tab hands the focus to the pane that takes its place
    /// first, so the focus stays on screen (the workspace would pick the next tab in the bar).
    func close(_ id: TabID) {
        if split.isSplit, id == selectedID, let index = split.panes.firstIndex(of: id) {
            let remaining = split.panes.filter { $0 != id }
            if let position = tabs.firstIndex(where: { $0.id == remaining[min(index, remaining.count - 1)] }) { select(position) }
        }
        workspace.send(.close(id))
    }

    /// Moves the focus to the next pane (`delta` 1) or the previous one (-1).
    func focusPane(by delta: Int) {
        guard split.isSplit, let current = selectedID, let index = split.panes.firstIndex(of: current) else { return }
        let next = split.panes[(index + delta + split.panes.count) % split.panes.count]
        if let position = tabs.firstIndex(where: { $0.id == next }) { select(position) }
    }

    /// The focused pane shows `id` instead of its tab; a tab on screen already trades places
    /// with it (as tmux swaps panes), so a tab is never in two panes.
    /// (When the focused tab left the split some other way, `id` takes the first pane.)
    func showInFocusedPane(_ id: TabID) {
        guard split.isSplit, !split.panes.contains(id) else { return }
        var panes = split.panes
        panes[selectedID.flatMap(panes.firstIndex) ?? 0] = id
        arrange(PaneSplit(panes: panes, stacked: split.stacked))
    }

    /// Shows `newSplit` and has the workspace keep it.
    func arrange(_ newSplit: PaneSplit) {
        split = newSplit
        workspace.send(.arrange(newSplit))
        markDirty()
    }

    /// The pane under a screen position, as the last frame placed it.
    func pane(at column: Int, row: Int) -> TabID? {
        panePlaces.first { shown in
            shown.place.body.contains(column: column, row: row) || shown.place.header?.contains(column: column, row: row) == true
        }?.tab
    }
}
