import TerminalKit
import TinyTalkCore

extension App {
    /// Ctrl+O and `/history`: the saved conversations, newest first.
    func openBrowser() {
        mode = .browser(Browser())
        workspace.send(.listConversations(after: nil, filter: "", limit: Browser.pageSize))
    }

    /// Rows of the list on screen, for paging.
    private var browserRows: Int { max(1, paneSize.rows - BrowserView.headerRows) }

    func browserKey(_ press: KeyPress, _ action: Action?, _ browser: Browser) {
        var browser = browser
        defer {
            // Still browsing: keep what changed, and page in more when the choice nears the end.
            if case .browser = mode {
                if browser.wantsMore {
                    browser.loading = true
                    workspace.send(.listConversations(after: browser.cursor, filter: browser.filter.text, limit: Browser.pageSize))
                }
                mode = .browser(browser)
            }
        }
        // The list moves the same way whether the filter or the list has the keys.
        if browser.focus == .list || browser.focus == .filter, let action, browser.move(for: action, rows: browserRows) { return }
        switch browser.focus {
        case .list:
            switch action {
            case .listChoose: open(browser.chosenItem)
            case .listClose: mode = .normal
            case .listRename:
                guard let item = browser.chosenItem else { return }
                browser.focus = .renaming(LineEditor(text: item.conversation.title))
            case .listDelete:
                if browser.chosenItem != nil { browser.focus = .confirmingDelete }
            case .listFilter: browser.focus = .filter
            default:
                // Anything typed starts the filter.
                guard case .character(let character) = press.key, !press.alt else { return }
                browser.focus = .filter
                browser.filter.insert(String(character))
                refilter(&browser)
            }
        case .filter:
            switch action {
            case .listChoose:
                if browser.loading { browser.opensWhenListed = true } else { open(browser.chosenItem) }
            case .listClose: browser.focus = .list
            default:
                let before = browser.filter.text
                edit(&browser.filter, with: press)
                if browser.filter.text != before { refilter(&browser) }
            }
        case .renaming(var editor):
            switch action {
            case .listChoose:
                if let item = browser.chosenItem {
                    workspace.send(.rename(conversation: item.conversation.id, title: editor.text))
                }
                browser.focus = .list
            case .listClose: browser.focus = .list
            default:
                edit(&editor, with: press)
                browser.focus = .renaming(editor)
            }
        case .confirmingDelete:
            browser.focus = .list
            if press == KeyPress(.character("y")), let item = browser.chosenItem {
                workspace.send(.delete(conversation: item.conversation.id))
            } else {
                message = "Kept."
            }
        }
    }

    /// A line typed into (the filter, a title): characters go in, and the input line's
    /// editing keys edit it as they edit the input.
    private func edit(_ editor: inout LineEditor, with press: KeyPress) {
        if case .character(let character) = press.key, !press.alt {
            editor.insert(String(character))
            return
        }
        switch keyMap.action(for: press) {
        case .deleteBackward: editor.deleteBackward()
        case .deleteForward: editor.deleteForward()
        case .characterLeft: editor.moveLeft()
        case .characterRight: editor.moveRight()
        case .lineStart: editor.moveToLineStart()
        case .lineEnd: editor.moveToLineEnd()
        case .wordLeft: editor.moveWordLeft()
        case .wordRight: editor.moveWordRight()
        case .killToStart: editor.killToLineStart()
        case .killToEnd: editor.killToLineEnd()
        case .killWord: editor.killWordBackward()
        case .yank: editor.yank()
        default: break
        }
    }

    /// The filter changed: the list starts again from the newest match.
    func refilter(_ browser: inout Browser) {
        browser.chosen = 0
        browser.top = 0
        browser.loading = true
        browser.reachedEnd = false
        // Asked once typing pauses: a common word matches most of a long history, and a query
        // per key would queue up behind the keys. The answer for an older filter is dropped.
        let filter = browser.filter.text
        Task { @MainActor [weak self, clock = frames.clock] in
            await clock.sleep(for: Self.filterPause)
            guard let self, case .browser(let now) = self.mode, now.filter.text == filter else { return }
            self.workspace.send(.listConversations(after: nil, filter: filter, limit: Browser.pageSize))
        }
    }

    /// How long typing in the browser's filter pauses before the list is asked again.
    static let filterPause: Duration = .milliseconds(120)

    /// Opens the conversation in a tab, or selects its tab when it is open.
    private func open(_ item: ConversationSummary?) {
        guard let conversation = item?.conversation else { return }
        mode = .normal
        let known = profiles.first { $0.name == conversation.botName || $0.id == conversation.botId }
        guard let profile = known ?? currentTab?.bot ?? profiles.first else {
            message = "No bot to open that conversation with."
            return
        }
        if let index = tabs.firstIndex(where: { $0.id.conversation == conversation.id }) {
            select(index)
        } else {
            workspace.send(.open(profile, conversation: conversation.id))
        }
    }

    /// The browser's share of the workspace's events.
    func applyToBrowser(_ event: WorkspaceEvent) {
        guard case .browser(var browser) = mode else { return }
        switch event {
        case .conversationsListed(let after, let filter, let page):
            guard browser.receive(page, after: after, filter: filter) else { return }
            if browser.opensWhenListed {
                browser.opensWhenListed = false
                mode = .browser(browser)
                open(browser.chosenItem)
                return
            }
        case .conversationRenamed(let id, let title):
            guard let index = browser.items.firstIndex(where: { $0.conversation.id == id }) else { return }
            browser.items[index].conversation.title = title
        case .conversationDeleted(let id):
            browser.items.removeAll { $0.conversation.id == id }
            browser.chosen = min(browser.chosen, max(0, browser.items.count - 1))
            browser.top = min(browser.top, browser.chosen)
        default:
            return
        }
        mode = .browser(browser)
    }
}
