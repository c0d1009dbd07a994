import TinyTalkAPI

/// Chooses what history a request carries: the system prompt, the new message, and as many of
/// the latest earlier turns as fit the budget. The oldest turns go first; the system prompt and
/// the new message always go.
public struct ContextWindow: Sendable {
    /// Characters of message content a request may carry.
    public var budget: Int

    public init(budget: Int = 24_000) {
        self.budget = budget
    }

    /// The messages to send, and how many earlier turns were left out.
    public func messages(system: String?, history: [Message], latest: ChatMessage) -> (messages: [ChatMessage], dropped: Int) {
        var used = (system?.count ?? 0) + latest.content.count
        let eligible = history.filter(\.isContext)
        var kept: [ChatMessage] = []
        var index = eligible.count - 1
        while index >= 0 {
            let size = eligible[index].content.count
            guard used + size <= budget else { break }
            used += size
            kept.append(ChatMessage(role: eligible[index].role, content: eligible[index].content))
            index -= 1
        }
        var result: [ChatMessage] = []
        if let system, !system.isEmpty { result.append(ChatMessage(role: .system, content: system)) }
        result += kept.reversed()
        result.append(latest)
        return (result, index + 1)
    }
}
