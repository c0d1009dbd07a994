/// One `[[bot]]` entry of the configuration: a name to call a bot by, and how to talk to it.
///
/// Optional settings fall back to the top-level ones of ``Config`` (and then to the
/// defaults) when the bot leaves them out.
public struct BotConfig: Sendable, Equatable {
    /// What the user types (`--bot support`) and sees in the tab bar; unique, ignoring case.
    public var name: String
    /// The bot's id on Tiny Talk (its details page shows it).
    public var id: String
    /// 0 to 2; `nil` leaves the choice to the top level or the bot's own setting.
    public var temperature: Double?
    /// A system prompt sent at the start of every request.
    public var system: String?
    /// The `Origin` header for this bot, when it differs from the top-level one.
    public var origin: String?
    /// The chat completions URL for this bot, when it differs from the top-level one.
    public var endpoint: String?

    /// A bot entry; the optional settings default to "not set here".
    public init(
        name: String, id: String, temperature: Double? = nil, system: String? = nil,
        origin: String? = nil, endpoint: String? = nil
    ) {
        self.name = name
        self.id = id
        self.temperature = temperature
        self.system = system
        self.origin = origin
        self.endpoint = endpoint
    }

    /// The keys a `[[bot]]` table may hold, in the order the documentation lists them.
    public static let knownKeys = ["name", "id", "temperature", "system", "origin", "endpoint"]
}
