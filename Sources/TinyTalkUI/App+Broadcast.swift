import TinyTalkCore

/// One prompt to every pane: `/all TEXT`, broadcast mode (Enter does the same), and `/compare`,
/// which opens bots side by side with broadcast on. Each bot gets its own request, with its own
/// conversation as context.
extension App {
    /// Sends `text` to every tab on screen; a tab whose reply is still arriving queues it.
    func sendToPanes(_ text: String) {
        for view in tabsOnScreen.compactMap(tab) {
            view.sent.append(text)
            sendOrQueue(text, in: view)
        }
    }

    /// Broadcast mode on or off: Enter sends to every pane, or to the focused one.
    func toggleBroadcast() {
        broadcasts.toggle()
        message = broadcasts ? "Enter sends to every bot on screen (\(tabsOnScreen.count))." : "Enter sends to this pane only."
    }

    /// `/compare BOT BOT…`: a new conversation with each bot (with one bot: this tab and it),
    /// side by side, broadcasting.
    func compare(_ argument: String) {
        let bots = argument.split(separator: " ").compactMap { profile(named: String($0)) }
        guard !bots.isEmpty else {
            message = "/compare BOT BOT… opens those bots side by side: \(profiles.map(\.name).joined(separator: ", "))"
            return
        }
        let kept = bots.count == 1 ? selectedID : nil
        guard bots.count + (kept == nil ? 0 : 1) <= PaneSplit.maxPanes else {
            message = "/compare takes \(PaneSplit.maxPanes) bots at most."
            return
        }
        pendingCompare = PendingCompare(waiting: bots.count, opened: kept.map { [$0] } ?? [])
        for bot in bots { workspace.send(.open(bot)) }
    }

    /// A tab `/compare` asked for has opened: once all have, they go side by side.
    func compareOpened(_ id: TabID) {
        guard var pending = pendingCompare else { return }
        pending.opened.append(id)
        pending.waiting -= 1
        pendingCompare = pending.waiting > 0 ? pending : nil
        guard pending.waiting == 0, let first = pending.opened.first else { return }
        // The workspace selects a tab it opens, right after saying it opened: that selection
        // is still to come, and is passed over like the one asked for here.
        requestedSelections.append(id)
        arrange(PaneSplit(panes: pending.opened, stacked: false))
        if let index = tabs.firstIndex(where: { $0.id == first }) { select(index) }
        broadcasts = true
        message = "Comparing \(pending.opened.compactMap(tab).map(\.bot.name).joined(separator: ", ")): Enter sends to all (\(keyMap.keys(for: .broadcast).first?.description ?? "/all") toggles)."
    }

    /// What `/compare` waits for: how many tabs are still to open, and those open so far.
    struct PendingCompare {
        var waiting: Int
        var opened: [TabID]
    }
}
