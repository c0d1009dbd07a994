import TerminalKit

/// Where a key is read: each of the app's modes reads keys through one of these, so a key can
/// mean one thing in the input line and another in select mode (weechat's key contexts).
public enum KeyContext: String, Sendable, CaseIterable {
    /// The input line and the tabs.
    case normal
    /// Select mode: a message of the transcript is chosen.
    case select
    /// A list over the scrollback: search hits, the bots a tab can open.
    case list
    case help
}

/// What a key does in the app. The names are the ones the config's `[keys]` table uses; each
/// action belongs to one context.
public enum Action: String, Sendable, CaseIterable {
    // The input line and the tabs.
    case send, newline, cancel, quit, redraw, help, regenerate
    case nextTab = "next-tab", previousTab = "previous-tab", nextUnreadTab = "next-unread-tab"
    case newTab = "new-tab", closeTab = "close-tab"
    case scrollUp = "scroll-up", scrollDown = "scroll-down", scrollLineUp = "scroll-line-up", scrollLineDown = "scroll-line-down"
    case scrollTop = "scroll-top", scrollBottom = "scroll-bottom"
    case editInEditor = "edit-in-editor"
    case select
    /// Cancels the reply; twice on an idle tab, quits.
    case interrupt
    /// Deletes the character under the cursor; on an empty input, quits.
    case deleteOrQuit = "delete-or-quit"
    case lineStart = "line-start", lineEnd = "line-end", characterLeft = "character-left", characterRight = "character-right"
    case wordLeft = "word-left", wordRight = "word-right"
    case killToEnd = "kill-to-end", killToStart = "kill-to-start"
    /// Deletes the word before the cursor; on an empty input, closes the tab.
    case killWord = "kill-word"
    case yank, deleteBackward = "delete-backward", deleteForward = "delete-forward"
    /// Up a line of the input, then through the messages sent before.
    case lineUp = "line-up", lineDown = "line-down"
    case complete
    /// The conversation browser.
    case browse
    /// Split panes: another tab beside this one or under it, back to one pane, this pane off
    /// the screen, the focus to the next or previous pane.
    case splitSideBySide = "split-side-by-side", splitStacked = "split-stacked", onlyPane = "only-pane"
    case closePane = "close-pane", nextPane = "next-pane", previousPane = "previous-pane"
    /// Enter sends to every pane, or to the focused one again.
    case broadcast

    // Select mode.
    case selectPrevious = "select-previous", selectNext = "select-next"
    case copyMessage = "copy-message", copyCode = "copy-code", selectDone = "select-done"
    /// Edit the selected message of yours: sending it forks the conversation there.
    case editMessage = "edit-message"
    /// A new conversation holding the messages up to the selected one.
    case forkHere = "fork-here"
    case previousVariant = "previous-variant", nextVariant = "next-variant"
    /// A queued message selected: out of the queue.
    case dropQueued = "drop-queued"

    // Lists.
    case listPrevious = "list-previous", listNext = "list-next", listChoose = "list-choose", listClose = "list-close"
    case listPageUp = "list-page-up", listPageDown = "list-page-down"
    /// In the conversation browser: rename the chosen one, delete it, type a filter.
    case listRename = "list-rename", listDelete = "list-delete", listFilter = "list-filter"

    // Help.
    case helpClose = "help-close", helpUp = "help-up", helpDown = "help-down", helpPageUp = "help-page-up"
    case helpPageDown = "help-page-down"

    public var context: KeyContext {
        switch self {
        case .selectPrevious, .selectNext, .copyMessage, .copyCode, .selectDone, .editMessage, .forkHere, .previousVariant, .nextVariant,
            .dropQueued:
            .select
        case .listPrevious, .listNext, .listChoose, .listClose, .listPageUp, .listPageDown, .listRename, .listDelete, .listFilter:
            .list
        case .helpClose, .helpUp, .helpDown, .helpPageUp, .helpPageDown: .help
        default: .normal
        }
    }

    /// How help names it.
    public var summary: String {
        switch self {
        case .lineUp: "line up, then earlier sent messages"
        case .lineDown: "line down, then later sent messages"
        case .interrupt: "cancel the reply; twice when idle: quit"
        case .deleteOrQuit: "delete forward; on an empty input: quit"
        case .killWord: "delete the word before; on an empty input: close the tab"
        case .yank: "paste what was deleted"
        case .complete: "complete a /command"
        case .browse: "browse saved conversations"
        case .editMessage: "edit your message (sending it forks), or take a queued one back"
        case .dropQueued: "drop the selected queued message"
        case .forkHere: "fork: a new conversation up to this message"
        case .previousVariant: "the reply's earlier variant (Ctrl+R keeps them)"
        case .nextVariant: "the reply's later variant"
        case .listRename: "rename (conversations)"
        case .listDelete: "delete (conversations)"
        case .listFilter: "type a filter (conversations)"
        case .editInEditor: "edit the input in $EDITOR"
        case .copyCode: "copy its first code block (1…9: block N)"
        case .splitSideBySide: "split: the next tab beside this one"
        case .splitStacked: "split: the next tab under this one"
        case .onlyPane: "one pane again"
        case .closePane: "take this pane off the screen (the tab stays)"
        case .nextPane: "focus the next pane"
        case .previousPane: "focus the previous pane"
        case .broadcast: "Enter sends to every pane / to this one"
        default: rawValue.replacingOccurrences(of: "-", with: " ")
        }
    }
}

/// Keys pressed one after the other that make one binding: `ctrl+x ctrl+e` (two at most).
public struct KeySequence: Sendable, Hashable, CustomStringConvertible {
    public let presses: [KeyPress]

    public init(_ presses: KeyPress...) {
        self.presses = presses
    }

    init(presses: [KeyPress]) {
        self.presses = presses
    }

    /// A binding as the config writes it: one key (`ctrl+r`) or two separated by a space.
    public init?(parsing text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(words.count) else { return nil }
        var presses: [KeyPress] = []
        for word in words {
            guard let press = KeyPress(parsing: String(word)) else { return nil }
            presses.append(press)
        }
        self.presses = presses
    }

    public var description: String { presses.map(\.description).joined(separator: " ") }
}
