import TinyTalkAPI

/// Everything needed to talk to one bot: who it is, where it lives, and its settings.
public struct BotProfile: Sendable, Equatable {
    /// The name shown in tabs and history (a configured name, or the id).
    public var name: String
    /// The id sent on the wire.
    public var id: String
    public var endpoint: Endpoint
    public var temperature: Double?
    public var systemPrompt: String?
    /// The model to ask for instead of the bot's own.
    public var model: String?

    public init(
        name: String, id: String, endpoint: Endpoint, temperature: Double? = nil, systemPrompt: String? = nil, model: String? = nil
    ) {
        self.name = name
        self.id = id
        self.endpoint = endpoint
        self.temperature = temperature
        self.systemPrompt = systemPrompt
        self.model = model
    }
}
