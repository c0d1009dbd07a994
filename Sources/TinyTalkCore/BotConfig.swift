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
    /// The model to ask for instead of the bot's own (it must be on the plan).
    public var model: String?
    /// A shell command that prints this bot's API key (a key of another account than the default).
    public var apiKeyCommand: String?
    /// A file holding this bot's API key (mode 0600); relative paths are in the config directory.
    public var apiKeyFile: String?

    /// A bot entry; the optional settings default to "not set here".
    public init(
        name: String, id: String, temperature: Double? = nil, system: String? = nil,
        origin: String? = nil, endpoint: String? = nil, model: String? = nil, apiKeyCommand: String? = nil,
        apiKeyFile: String? = nil
    ) {
        self.name = name
        self.id = id
        self.temperature = temperature
        self.system = system
        self.origin = origin
        self.endpoint = endpoint
        self.model = model
        self.apiKeyCommand = apiKeyCommand
        self.apiKeyFile = apiKeyFile
    }

    /// The keys a `[[bot]]` table may hold, in the order the documentation lists them.
    public static let knownKeys = [
        "name", "id", "temperature", "system", "model", "origin", "endpoint", "api_key_command", "api_key_file",
    ]

    /// Whether `name` can be typed as `--bot NAME` and `/new NAME` and used as a file name:
    /// letters (any script), digits, `.`, `_` and `-`, not starting with `.` or `-`, at most 64.
    public static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64, first != ".", first != "-" else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }
}
