import TerminalKit
import TinyTalkCore

extension App {
    /// Reacts to one input event.
    public func handle(_ event: InputEvent) {
        switch event {
        case .resize:
            markDirty()
            return
        case .focus(let focused):
            terminalFocused = focused
            return
        case .paste(let text):
            switch mode {
            case .keyForm: handleKeyForm(event)
            case .browser(var browser):
                // One line: a pasted newline becomes a space.
                let line = text.replacingOccurrences(of: "\n", with: " ")
                switch browser.focus {
                case .filter:
                    browser.filter.insert(line)
                    refilter(&browser)
                case .renaming(var editor):
                    editor.insert(line)
                    browser.focus = .renaming(editor)
                case .list, .confirmingDelete:
                    break
                }
                mode = .browser(browser)
            default: currentTab?.editor.insert(text)
            }
        case .mouse(.wheelUp(let column, let row)):
            scroll(by: -3, paneAt: (column, row))
        case .mouse(.wheelDown(let column, let row)):
            scroll(by: 3, paneAt: (column, row))
        case .mouse(.press(let column, let row)):
            // A click in another pane gives it the focus, as in tmux.
            guard case .normal = mode, let id = pane(at: column, row: row), id != selectedID,
                let index = tabs.firstIndex(where: { $0.id == id })
            else { return }
            select(index)
        case .key(let press):
            if press.key != .control("c") { lastInterrupt = nil }
            message = nil
            handleKey(press)
        }
        markDirty()
    }

    private func handleKey(_ press: KeyPress) {
        if case .keyForm = mode {
            handleKeyForm(.key(press))
            return
        }
        let context = mode.context
        var action: Action?
        if let prefix = pendingPrefix {
            pendingPrefix = nil
            // A prefix and a key that make no binding: the key counts on its own.
            action = keyMap.action(for: KeySequence(prefix, press), in: context)
        }
        if action == nil {
            action = keyMap.action(for: press, in: context)
            if action == nil, keyMap.isPrefix(press, in: context) {
                pendingPrefix = press
                message = prefixHint(press, in: context)
                return
            }
        }
        switch mode {
        case .normal, .keyForm:
            normalKey(press, action)
        case .confirmClose(let id):
            mode = .normal
            let closing = action == .closeTab || (action == .killWord && currentTab?.editor.isEmpty == true)
            if closing, currentTab?.id == id {
                close(id)
            } else {
                normalKey(press, action)
            }
        case .help(let top):
            let page = max(1, paneSize.rows - 3)
            let moved: Int
            switch action {
            case .helpClose:
                mode = .normal
                return
            case .helpUp: moved = top - 1
            case .helpDown: moved = top + 1
            case .helpPageUp: moved = top - page
            case .helpPageDown: moved = top + page
            default: return
            }
            mode = .help(top: HelpView.clampedTop(moved, keyMap: keyMap, columns: paneSize.columns, visibleRows: paneSize.rows))
        case .botPicker(let chosen):
            pickerKey(press, action, chosen: chosen)
        case .search(let query, let hits, let chosen):
            switch action {
            case .listPrevious: mode = .search(query: query, hits: hits, chosen: max(0, chosen - 1))
            case .listNext: mode = .search(query: query, hits: hits, chosen: min(max(0, hits.count - 1), chosen + 1))
            case .listChoose:
                mode = .normal
                if hits.indices.contains(chosen) { openConversation(hits[chosen]) }
            default:
                mode = .normal
            }
        case .select(let entry):
            selectionKey(press, action, entry: entry)
        case .selectQueued(let index):
            queuedSelectionKey(action, index: index)
        case .browser(let browser):
            browserKey(press, action, browser)
        }
    }

    /// What the keys after `prefix` do, for the status bar.
    private func prefixHint(_ prefix: KeyPress, in context: KeyContext) -> String {
        let following = Action.allCases.filter { $0.context == context }.flatMap { action in
            keyMap.keys(for: action).filter { $0.presses.count == 2 && $0.presses[0] == prefix }.map { "\($0.presses[1]) \(action.summary)" }
        }
        return "\(prefix): " + following.joined(separator: " · ")
    }

    private func normalKey(_ press: KeyPress, _ action: Action?) {
        if press.alt, case .character(let digit) = press.key, let number = digit.wholeNumberValue, number >= 1 {
            select(number - 1)
            return
        }
        if let action {
            perform(action)
        } else if case .character(let character) = press.key, !press.alt {
            currentTab?.editor.insert(String(character))
        }
    }

    private func pickerKey(_ press: KeyPress, _ action: Action?, chosen: Int) {
        if case .character(let digit) = press.key, !press.alt, let number = digit.wholeNumberValue, profiles.indices.contains(number - 1) {
            mode = .normal
            openTab(profiles[number - 1])
            return
        }
        switch action {
        case .listPrevious: mode = .botPicker(chosen: max(0, chosen - 1))
        case .listNext: mode = .botPicker(chosen: min(max(0, profiles.count - 1), chosen + 1))
        case .listChoose:
            mode = .normal
            if profiles.indices.contains(chosen) { openTab(profiles[chosen]) }
        default:
            mode = .normal  // any other key: never mind
        }
    }

    /// What a key bound in the normal context does.
    func perform(_ action: Action) {
        let tab = currentTab
        switch action {
        case .send: submit()
        case .newline: tab?.editor.insertNewline()
        case .cancel: cancelReply()
        case .quit: quitUnlessUnsent()
        case .redraw: backend.invalidate()
        case .help: mode = .help(top: 0)
        case .regenerate: regenerate()
        case .nextTab: if let index = tabs.indices.first(where: { tabs[$0].id == selectedID }) { select((index + 1) % tabs.count) }
        case .previousTab: if let index = tabs.indices.first(where: { tabs[$0].id == selectedID }) { select((index + tabs.count - 1) % tabs.count) }
        case .nextUnreadTab:
            let start = selected
            if !tabs.isEmpty, let index = (1...max(1, tabs.count)).lazy.map({ (start + $0) % self.tabs.count }).first(where: { self.tabs[$0].hasUnread }) {
                select(index)
            }
        case .newTab:
            if profiles.isEmpty {
                message = "No bots are configured: /new BOT_ID opens one by id."
            } else {
                mode = .botPicker(chosen: 0)
            }
        case .closeTab: closeTab()
        case .scrollUp: scroll(by: -max(1, paneSize.rows / 2))
        case .scrollDown: scroll(by: max(1, paneSize.rows / 2))
        case .scrollLineUp: scroll(by: -3)
        case .scrollLineDown: scroll(by: 3)
        case .scrollTop:
            if let tab {
                ScrollbackView.scrollToTop(&tab.scroll, in: tab.transcript, width: paneSize.columns, rows: paneSize.rows)
                loadOlderIfAtTop(tab)
            }
        case .scrollBottom: tab?.scroll.anchor = nil
        case .editInEditor: editInEditor()
        case .select: startSelection()
        case .interrupt: interrupt()
        case .deleteOrQuit: if let tab, !tab.editor.isEmpty { tab.editor.deleteForward() } else { quitUnlessUnsent() }
        case .lineStart: tab?.editor.moveToLineStart()
        case .lineEnd: tab?.editor.moveToLineEnd()
        case .characterLeft: tab?.editor.moveLeft()
        case .characterRight: tab?.editor.moveRight()
        case .wordLeft: tab?.editor.moveWordLeft()
        case .wordRight: tab?.editor.moveWordRight()
        case .killToEnd: tab?.editor.killToLineEnd()
        case .killToStart: tab?.editor.killToLineStart()
        case .killWord: if let tab, !tab.editor.isEmpty { tab.editor.killWordBackward() } else { closeTab() }
        case .yank: tab?.editor.yank()
        case .deleteBackward: tab?.editor.deleteBackward()
        case .deleteForward: tab?.editor.deleteForward()
        case .lineUp: if let tab, !tab.editor.moveUp(widthOf: TextWidth.of) { tab.editor.historyPrevious(tab.sent) }
        case .lineDown: if let tab, !tab.editor.moveDown(widthOf: TextWidth.of) { tab.editor.historyNext(tab.sent) }
        case .complete: if let tab { completeCommand(tab) }
        case .browse: openBrowser()
        case .splitSideBySide: splitPanes(stacked: false)
        case .splitStacked: splitPanes(stacked: true)
        case .onlyPane: onlyPane()
        case .closePane: closePane()
        case .nextPane: focusPane(by: 1)
        case .previousPane: focusPane(by: -1)
        case .broadcast: toggleBroadcast()
        case .selectPrevious, .selectNext, .copyMessage, .copyCode, .selectDone, .editMessage, .forkHere, .previousVariant,
            .nextVariant, .dropQueued, .listPrevious, .listNext, .listChoose, .listClose,
            .listPageUp, .listPageDown, .listRename, .listDelete, .listFilter, .helpClose, .helpUp, .helpDown, .helpPageUp,
            .helpPageDown:
            break  // bound in other contexts only
        }
    }

    func scroll(by lines: Int) {
        guard let tab = currentTab else { return }
        ScrollbackView.scroll(&tab.scroll, by: lines, in: tab.transcript, width: paneSize.columns, rows: paneSize.rows)
        loadOlderIfAtTop(tab)
    }

    /// The mouse wheel scrolls the pane under the pointer, focused or not.
    private func scroll(by lines: Int, paneAt position: (column: Int, row: Int)) {
        guard let shown = panePlaces.first(where: { $0.place.body.contains(column: position.column, row: position.row) }),
            shown.tab != selectedID, let tab = tab(shown.tab)
        else { return scroll(by: lines) }
        let body = shown.place.body
        ScrollbackView.scroll(&tab.scroll, by: lines, in: tab.transcript, width: body.columns, rows: body.rows)
        loadOlderIfAtTop(tab)
    }

    /// At the top of what a tab holds, the next older page comes in from the store above it;
    /// the view stays on the same lines, so the next PgUp shows them.
    private func loadOlderIfAtTop(_ tab: TabView) {
        guard tab.scroll.anchor == ScrollState.Position(entry: 0, line: 0), tab.mayHaveOlder, !tab.loadingOlder else { return }
        tab.loadingOlder = true
        workspace.send(.loadOlder(tab.id))
    }

    private func interrupt() {
        guard let tab = currentTab else {
            quit()  // nothing open: nothing to lose
            return
        }
        if tab.state != .idle {
            cancelReply(takingBackQueued: false)  // Ctrl+C stops the reply, queue or not
        } else if let last = lastInterrupt, ContinuousClock.now - last < .seconds(3) {
            quitUnlessUnsent()
        } else {
            lastInterrupt = .now
            message = "Press Ctrl+C again to quit."
        }
    }

    /// Esc: leaves editing an earlier message; on an empty input takes the last queued message
    /// back; else cancels the reply.
    func cancelReply(takingBackQueued: Bool = true) {
        if let tab = currentTab, let editing = tab.editing {
            // Esc while editing an earlier message: the original stays, the draft comes back.
            tab.editing = nil
            tab.editor.replace(with: editing.draft)
            message = "Not edited: the conversation is as it was."
            return
        }
        guard let tab = currentTab else { return }
        if takingBackQueued, takeBackQueued(in: tab) { return }
        guard tab.state != .idle else { return }
        workspace.send(.cancel(tab.id))
    }

    func closeTab() {
        guard let tab = currentTab else { return }
        if tab.state != .idle {
            mode = .confirmClose(tab.id)
            message = "A reply is still arriving: close again to cancel it and close the tab."
            return
        }
        close(tab.id)
    }

    /// Opens the conversation of a search hit in a tab (switching to it when it is open).
    private func openConversation(_ hit: SearchHit) {
        guard let profile = profiles.first(where: { $0.name == hit.botName }) ?? currentTab?.bot ?? profiles.first else {
            message = "No bot to open that conversation with."
            return
        }
        workspace.send(.open(profile, conversation: hit.conversationId))
    }
}
