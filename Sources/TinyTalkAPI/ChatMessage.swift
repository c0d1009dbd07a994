/// Who wrote a message in a conversation, as the API names it.
public enum Role: String, Sendable, Codable, CaseIterable {
    case system
    case user
    case assistant
}

/// One turn of a conversation as it travels on the wire.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}
