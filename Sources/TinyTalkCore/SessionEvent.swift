import TinyTalkAPI

/// What a session is doing.
public enum SessionState: Sendable, Equatable {
    case idle
    /// A request is on its way; `attempt` counts from 1.
    case connecting(attempt: Int)
    /// Reply text is arriving.
    case streaming
    /// Waiting `delay` before attempt `attempt`.
    case retrying(attempt: Int, delay: Duration)
}

/// How a reply ended.
public enum ReplyOutcome: Sendable, Equatable {
    /// The server said the reply is whole.
    case complete
    /// Stopped early, with the text so far kept: cancelled (`nil`), or the stream broke or
    /// reported an error after text had arrived.
    case interrupted(APIError?)
    /// The request failed; the user's message stays, the reason is presentable.
    case failed(APIError)
}

/// Everything a session tells its observers, in order. Sessions never touch the UI: the UI
/// applies these to its view model.
public enum SessionEvent: Sendable, Equatable {
    case userMessageAdded(Message)
    /// The reply's (empty) message exists; text follows as deltas.
    case replyStarted(Message)
    case textDelta(messageId: Int64, text: String)
    case citations(messageId: Int64, [Citation])
    /// The tokens the reply cost, as the server reported them.
    case usage(messageId: Int64, Usage)
    case replyFinished(messageId: Int64, ReplyOutcome)
    /// A failed attempt will be retried after `delay` (the countdown starts now).
    case retryScheduled(attempt: Int, delay: Duration, reason: APIError)
    /// The oldest `droppedTurns` messages did not fit the context budget and were left out.
    case contextTrimmed(droppedTurns: Int)
    /// A message left the conversation (an empty reply being asked again, or `editLast`).
    case messageRemoved(messageId: Int64)
    /// A reply is being asked again: it is kept as a variant, no longer shown nor sent.
    case messageHidden(messageId: Int64)
    /// Another variant of a reply is the one shown and sent from now on (it replaces the one shown).
    case variantChosen(Message)
    /// A user message was rewritten (`editLast`).
    case messageEdited(Message)
    case stateChanged(SessionState)
    /// The conversation could not be written to the store (a full disk): what was shown stays
    /// in memory and the write is tried again.
    case saveFailed(String)
    /// A write that had failed went through; everything shown is saved.
    case saveRecovered
}
