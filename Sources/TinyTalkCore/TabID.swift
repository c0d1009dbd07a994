/// A tab, named by the conversation it shows: the same conversation opened again is the same
/// tab, and a tab keeps its id however the tabs around it open, close and move.
public struct TabID: Hashable, Sendable, CustomStringConvertible {
    /// The id of the conversation the tab shows.
    public let conversation: Int64

    public init(_ conversation: Int64) {
        self.conversation = conversation
    }

    public var description: String { "tab \(conversation)" }
}
