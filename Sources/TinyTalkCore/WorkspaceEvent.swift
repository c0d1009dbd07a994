import TinyTalkAPI

/// A tab as it is when it opens: everything the app needs to show it.
public struct TabSnapshot: Sendable, Equatable {
    public let id: TabID
    public let bot: BotProfile
    public let conversation: Conversation
    /// The newest messages, oldest first (a saved conversation's older ones load on demand).
    public let messages: [Message]
    /// Another tinytalk writes this conversation: it can be read here, not added to.
    public let isReadOnly: Bool
}

/// Something that went wrong carrying out a command, in words for the status bar.
public struct WorkspaceFailure: Sendable, Equatable, CustomStringConvertible {
    /// The tab the command was for, if any.
    public let tab: TabID?
    public let message: String
    /// The text of a message that could not be sent, to put back in the input.
    public let unsent: String?

    public init(tab: TabID?, message: String, unsent: String? = nil) {
        self.tab = tab
        self.message = message
        self.unsent = unsent
    }

    public var description: String { message }
}

/// Everything the ``Workspace`` tells its observer, in order: the app learns every change to
/// its tabs from these and never from its own guesses.
public enum WorkspaceEvent: Sendable, Equatable {
    case tabOpened(TabSnapshot, at: Int)
    /// The tab's conversation was replaced by a new one (`/clear`), in the same place.
    case tabReplaced(TabID, by: TabSnapshot)
    case tabClosed(TabID)
    case tabMoved(TabID, to: Int)
    /// The selected tab (nil: none is open).
    case tabSelected(TabID?)
    /// What the tab's session reports.
    case session(TabID, SessionEvent)
    /// A setting of the tab's conversation changed (``WorkspaceCommand/configure(_:_:)``);
    /// the conversation as it now is.
    case settingsChanged(TabID, Conversation, changed: ChatSession.Setting)
    /// Older messages, oldest first; none when the conversation's start is reached.
    case olderLoaded(TabID, [Message])
    case searchFinished(query: String, hits: [SearchHit])
    /// A page of saved conversations, for the list and cursor it was asked with.
    case conversationsListed(after: Store.ConversationCursor?, filter: String, [ConversationSummary])
    case conversationRenamed(Int64, title: String)
    case conversationDeleted(Int64)
    case exported(TabID, path: String)
    /// The export would replace a file: the same command with `replace` does.
    case exportWouldReplace(TabID, path: String)
    /// Every reply has been cancelled (after ``WorkspaceCommand/stopAll``).
    case stopped
    case failed(WorkspaceFailure)
}
