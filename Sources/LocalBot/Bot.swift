import TinyTalkAPI

/// What a bot is asked: the conversation and the request's settings.
public struct BotQuestion: Sendable {
    public var messages: [ChatMessage]
    public var temperature: Double?
    /// The model the request named, if any.
    public var model: String?

    public init(messages: [ChatMessage], temperature: Double? = nil, model: String? = nil) {
        self.messages = messages
        self.temperature = temperature
        self.model = model
    }
}

/// A bot the local server hosts: an id to address it by and a way to answer a conversation.
public struct Bot: Sendable {
    /// The id a request's `botId` names (a short name; the `uuid` is accepted too).
    public var id: String
    public var uuid: String
    public var name: String
    public var summary: String
    /// The reply to a conversation, and the sources it cites.
    public var answer: @Sendable (BotQuestion) -> (text: String, citations: [Citation])

    public init(
        id: String, uuid: String, name: String, summary: String,
        answer: @escaping @Sendable (BotQuestion) -> (text: String, citations: [Citation])
    ) {
        self.id = id
        self.uuid = uuid
        self.name = name
        self.summary = summary
        self.answer = answer
    }

    /// True when `botId` names this bot, by id or by uuid.
    public func matches(_ botId: String) -> Bool {
        botId == id || botId.lowercased() == uuid
    }
}
