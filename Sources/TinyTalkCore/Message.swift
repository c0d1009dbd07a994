import Foundation
import TinyTalkAPI

/// One message of a conversation as the app keeps it: the wire's role and text, plus where
/// the message stands and what went wrong.
public struct Message: Sendable, Equatable, Identifiable {
    /// Where a message stands.
    public enum State: String, Sendable, Equatable {
        /// Written in full (every user message; a reply that reached `[DONE]`).
        case complete
        /// A reply still arriving.
        case streaming
        /// A reply that stopped early (cancelled, or the connection broke); its text is partial.
        case interrupted
        /// A reply that failed before or while arriving; `error` says why.
        case failed
    }

    public var id: Int64
    public var conversationId: Int64
    public var role: Role
    public var content: String
    public var state: State
    /// The presentable reason a reply is interrupted or failed.
    public var error: String?
    public var citations: [Citation]
    /// The tokens a reply cost, when the server said.
    public var usage: Usage?
    public var createdAt: Date
    /// For a reply: the user message it answers (its variants share it).
    public var answers: Int64?
    /// A variant of a reply that is not the chosen one: kept, neither shown nor sent.
    public var isHidden: Bool

    public init(
        id: Int64, conversationId: Int64, role: Role, content: String, state: State = .complete, error: String? = nil,
        citations: [Citation] = [], usage: Usage? = nil, createdAt: Date = Date(), answers: Int64? = nil, isHidden: Bool = false
    ) {
        self.answers = answers
        self.isHidden = isHidden
        self.id = id
        self.conversationId = conversationId
        self.role = role
        self.content = content
        self.state = state
        self.error = error
        self.citations = citations
        self.usage = usage
        self.createdAt = createdAt
    }

    /// Whether this message belongs in the history sent with the next request: user messages,
    /// and replies with text (a partial reply is what the user saw, so it is context too).
    public var isContext: Bool {
        role != .system && !isHidden && !(role == .assistant && content.isEmpty)
    }
}
