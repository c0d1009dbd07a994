import TinyTalkAPI

/// What the app asks of the ``Workspace``. Commands are carried out one at a time, in the order
/// they were sent; what comes of each arrives as ``WorkspaceEvent``s.
public enum WorkspaceCommand: Sendable {
    /// Opens a tab on a new conversation with the bot, or on a saved conversation (selecting
    /// its tab when it is open already), after the last tab, and selects it.
    case open(BotProfile, conversation: Int64? = nil)
    /// Closes a tab; its conversation stays in the history. A reply in flight is cancelled.
    case close(TabID)
    case select(TabID)
    /// Moves a tab to another position; the selection stays on the tab it was on.
    case move(TabID, to: Int)
    /// Keep this split with the open tabs (the app arranges the panes; the next run restores them).
    case arrange(PaneSplit)
    /// Starts a new conversation with the same bot in the tab's place (`/clear`).
    case restart(TabID)
    /// Sends the text as the tab's next message (a failure gives the text back).
    case send(TabID, String)
    case cancel(TabID)
    /// Asks the tab's last message again, replacing the reply to it.
    case regenerate(TabID)
    /// Opens a new tab on a copy of the tab's conversation up to message `at`: through it, or,
    /// with `edited`, up to the message before it, then sends `edited` there (an earlier
    /// message edited). The original stays as it is.
    case fork(TabID, at: Int64, edited: String?)
    /// Shows and sends another variant of a reply (one asked again).
    case chooseVariant(TabID, messageId: Int64)
    /// Changes one setting of the tab's conversation, saved first, from the next request on.
    case configure(TabID, ChatSession.Setting)
    /// The next page of messages older than the oldest the tab holds.
    case loadOlder(TabID)
    /// Searches every saved message.
    case search(String)
    /// Writes the tab's conversation to `path` (nil: `tinytalk-ID.FORMAT` in the working
    /// directory); an existing file is replaced only when `replace` is true.
    case export(TabID, ConversationExport.Format, path: String?, replace: Bool)
    /// A page of saved conversations, newest first, after `cursor`, filtered by title and by
    /// the messages' words (the browser).
    case listConversations(after: Store.ConversationCursor?, filter: String, limit: Int)
    /// Gives a saved conversation (open or not) a new title.
    case rename(conversation: Int64, title: String)
    /// Deletes a saved conversation and everything in it (its tab, when open, closes first).
    case delete(conversation: Int64)
    /// From the next request on, every open tab uses the key this gives for its bot.
    case updateKeys(@Sendable (BotProfile) -> APIKey?)
    /// Cancels every reply in flight (the app is quitting); ``WorkspaceEvent/stopped`` follows.
    case stopAll
}
