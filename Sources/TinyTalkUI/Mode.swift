import TinyTalkCore

/// What the app is doing with the keys: one mode at a time, each reading keys in its own
/// ``KeyContext``.
enum Mode {
    /// Typing in the input line.
    case normal
    /// F1: keys and commands over the scrollback, scrolled to row `top`.
    case help(top: Int)
    /// Ctrl+T: the bots a new tab can open, one of them chosen.
    case botPicker(chosen: Int)
    /// `/search`: the hits, one of them chosen.
    case search(query: String, hits: [SearchHit], chosen: Int)
    /// Ctrl+O: the saved conversations.
    case browser(Browser)
    /// Ctrl+S: an entry of the current tab's transcript is selected.
    case select(entry: Int)
    /// Select mode past the last message: the current tab's queued message `index` is selected.
    case selectQueued(index: Int)
    /// A form asks for an API key for a tab's bot (a private agent answered 401, or `/key`).
    case keyForm(Form, tab: TabID)
    /// Closing a tab whose reply is streaming: the close key again confirms.
    case confirmClose(TabID)

    var context: KeyContext {
        switch self {
        case .normal, .keyForm, .confirmClose: .normal
        case .help: .help
        case .botPicker, .search, .browser: .list
        case .select, .selectQueued: .select
        }
    }

    /// Whether the scrollback is covered by something else.
    var coversScrollback: Bool {
        switch self {
        case .help, .botPicker, .search, .keyForm, .browser: true
        case .normal, .select, .selectQueued, .confirmClose: false
        }
    }
}
