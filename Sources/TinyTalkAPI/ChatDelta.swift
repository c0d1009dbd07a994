/// One piece of a reply, in the order the server sent it.
public enum ChatDelta: Sendable, Equatable {
    /// The next piece of the reply's text.
    case text(String)
    /// Knowledge-base sources the reply cited.
    case citations([Citation])
    /// The tokens the reply cost, when the server said (once, at the end).
    case usage(Usage)
}
