import TinyTalkCore

/// Queued prompts: Enter while a reply is arriving keeps the message in the tab's queue, shown
/// dim above the input; each goes out when the reply before it is in, in order, with that reply
/// as context. A reply that fails or is cancelled leaves the queue waiting (Enter on an empty
/// input sends on); Esc on an empty input takes the last one back into the input, and select
/// mode reaches every queued message under the last one of the transcript.
extension App {
    /// Sends `text` now, or queues it while a reply arrives or other messages wait before it.
    func sendOrQueue(_ text: String, in view: TabView) {
        guard view.isBusy || !view.queued.isEmpty else { return sendNow(text, in: view) }
        enqueue(text, in: view)
        sendNextQueued(in: view)  // a queue left waiting by a failed reply goes on
    }

    /// Puts `text` at the end of `view`'s queue.
    func enqueue(_ text: String, in view: TabView) {
        view.queued.append(text)
        if view === currentTab {
            message = "Queued (\(view.queued.count)): it goes when the reply is in. Esc on an empty input takes it back."
        }
    }

    /// The reply in `view` ended: the next queued message goes when it ended well; otherwise
    /// the queue waits and the status line says so.
    func replyEnded(in view: TabView, _ outcome: ReplyOutcome) {
        guard !view.queued.isEmpty else { return }
        guard outcome == .complete else {
            let count = view.queued.count
            message = "\(count) queued message\(count == 1 ? "" : "s") wait\(count == 1 ? "s" : ""): the reply did not finish. Enter on an empty input sends on; Esc takes the last back."
            return
        }
        // The session is idle by the time the workspace carries this out, although its
        // state change is the next event to come here.
        sendNextQueued(in: view, evenIfBusy: true)
    }

    /// Sends the first queued message of `view`, when the tab is idle.
    func sendNextQueued(in view: TabView, evenIfBusy: Bool = false) {
        guard !view.isBusy || evenIfBusy, !view.queued.isEmpty else { return }
        sendNow(view.queued.removeFirst(), in: view)
    }

    /// Hands `text` to the workspace for `view`'s session, following the reply from the bottom.
    func sendNow(_ text: String, in view: TabView) {
        view.scroll = ScrollState()
        view.sendsInFlight += 1
        workspace.send(.send(view.id, text))
    }

    /// Quits, unless messages are queued or files attached that quitting would drop: then the
    /// status bar says so, and the same key again within 3 s quits.
    func quitUnlessUnsent() {
        let queued = tabs.reduce(0) { $0 + $1.queued.count }, files = tabs.reduce(0) { $0 + $1.attachments.count }
        if queued + files == 0 || quitWarned.map({ ContinuousClock.now - $0 < .seconds(3) }) == true {
            return quit()
        }
        quitWarned = .now
        var unsent: [String] = []
        if queued > 0 { unsent.append("\(queued) queued message\(queued == 1 ? "" : "s")") }
        if files > 0 { unsent.append("\(files) attached file\(files == 1 ? "" : "s")") }
        message = "Unsent: \(unsent.joined(separator: ", ")). Quit again to drop it."
    }

    /// Esc on an empty input: the last queued message comes back to be edited. Returns false
    /// when nothing is queued.
    func takeBackQueued(in view: TabView) -> Bool {
        guard view.editor.isEmpty, !view.queued.isEmpty else { return false }
        takeBack(view.queued.count - 1, in: view)
        return true
    }

    /// Queued message `index` of `view` out of the queue and into its (empty) input.
    private func takeBack(_ index: Int, in view: TabView) {
        view.editor.replace(with: view.queued.remove(at: index))
        message = view.queued.isEmpty ? "Taken back from the queue: Enter queues or sends it again." : "Taken back; \(view.queued.count) still queued."
    }

    static let queuedSelectionHint = "e take back · d drop · y copy · ↑↓ move · Esc done"

    /// Select mode on queued message `index` of the current tab.
    func selectQueued(_ index: Int) {
        mode = .selectQueued(index: index)
        message = Self.queuedSelectionHint
    }

    /// A key in select mode while queued message `index` is selected.
    func queuedSelectionKey(_ action: Action?, index: Int) {
        guard let tab = currentTab, tab.queued.indices.contains(index) else {
            mode = .normal
            return
        }
        switch action {
        case .selectPrevious:
            if index > 0 { return selectQueued(index - 1) }
            if tab.transcript.entries.contains(where: { $0.messageId != nil }) { startSelection() }  // the last message
        case .selectNext:
            selectQueued(min(index + 1, tab.queued.count - 1))
        case .editMessage:
            guard tab.editor.isEmpty else {
                message = "The input has text: send or clear it, then take the queued message back."
                return
            }
            mode = .normal
            takeBack(index, in: tab)
        case .dropQueued:
            tab.queued.remove(at: index)
            if tab.queued.isEmpty {
                mode = .normal
                message = "Dropped from the queue; nothing is queued now."
            } else {
                mode = .selectQueued(index: min(index, tab.queued.count - 1))
                message = "Dropped; \(tab.queued.count) still queued. " + Self.queuedSelectionHint
            }
        case .copyMessage:
            copy(tab.queued[index], what: "the queued message")
            mode = .normal
        case .selectDone:
            mode = .normal
            message = nil
        default:
            message = Self.queuedSelectionHint
        }
    }
}
