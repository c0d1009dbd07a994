import Foundation
import TinyTalkAPI

/// The user's settings from `config.toml`: where to send requests, how, and which bots to offer.
///
/// ```toml
/// endpoint = "https://api.tinytalk.ai/v1/chat/completions"
/// origin = "https://example.com"
/// temperature = 0.2
/// model = "gpt-4o-mini"
/// theme = "dusk"
/// notify = "bell"
/// context_chars = 24000
/// api_key_command = "pass show tinytalk"
///
/// [keys]
/// send = "Enter"
///
/// [[bot]]
/// name = "support"
/// id = "a3e8f869-0c00-4861-8c24-dc06098520f0"
/// temperature = 0.1
/// system = "Answer in one paragraph."
/// ```
///
/// Every key is optional; a missing file is an empty configuration. Anything the parser does not
/// understand is an error that names the line and the key, because a misspelt setting that is
/// silently ignored is worse than a refusal.
public struct Config: Sendable, Equatable {
    /// The default budget of message characters sent as context with each request.
    public static let defaultContextChars = 24_000

    /// The chat completions URL; `nil` means ``Endpoint/defaultURL``.
    public var endpoint: String?
    /// The `Origin` header; `nil` sends none (only bots whose owner restricts origins need one).
    public var origin: String?
    /// 0 to 2; `nil` leaves the choice to each bot's own setting.
    public var temperature: Double?
    /// The model every bot is asked for unless it names its own; `nil` leaves each bot's own.
    public var model: String?
    /// The name of the colour theme.
    public var theme: String?
    /// How a reply that finishes out of view is announced.
    public var notify: Notify = .bell
    /// How many characters of earlier messages each request may carry (always positive).
    public var contextChars: Int
    /// A shell command that prints the API key on its first line (for example a password manager).
    public var apiKeyCommand: String?
    /// A key written in the configuration file itself; used only when that file is private (0600).
    ///
    /// An ``APIKey`` rather than a `String`, so that printing or dumping a configuration can
    /// never show the secret.
    public var apiKey: APIKey?
    /// The optional `[keys]` table: action name → key binding text, for the key map.
    public var keys: [String: String]
    /// The `[[bot]]` entries, in file order.
    public var bots: [BotConfig]

    /// A configuration; the defaults are those of an empty file.
    public init(
        endpoint: String? = nil, origin: String? = nil, temperature: Double? = nil, model: String? = nil, theme: String? = nil,
        contextChars: Int = Config.defaultContextChars, apiKeyCommand: String? = nil, apiKey: APIKey? = nil,
        keys: [String: String] = [:], bots: [BotConfig] = []
    ) {
        self.endpoint = endpoint
        self.origin = origin
        self.temperature = temperature
        self.model = model
        self.theme = theme
        self.contextChars = contextChars
        self.apiKeyCommand = apiKeyCommand
        self.apiKey = apiKey
        self.keys = keys
        self.bots = bots
    }

    /// The top-level keys `config.toml` may hold, in the order the documentation lists them.
    public static let knownKeys = [
        "endpoint", "origin", "temperature", "model", "theme", "notify", "context_chars", "api_key_command", "api_key", "keys", "bot",
    ]

    /// How a reply that finishes (or fails) in a tab not on screen, or while the terminal
    /// window is not focused, is announced: the terminal's bell (tmux and terminal emulators
    /// then mark the window), a desktop notification where the terminal can show one, or not.
    public enum Notify: String, Sendable, CaseIterable {
        case bell, desktop, off
    }

    /// Parses and validates the text of a configuration file.
    ///
    /// - Parameters:
    ///   - text: the TOML document.
    ///   - path: how to name the file in error messages.
    /// - Throws: the first problem in the file (the one on the lowest line).
    public static func parse(_ text: String, path: String) throws(ConfigError) -> Config {
        try ConfigParser(text: text, path: path).parse()
    }

    /// Reads and parses a configuration file. A file that does not exist is the empty default
    /// configuration; one that exists but cannot be read is an error.
    public static func load(from file: URL) throws(ConfigError) -> Config {
        let path = file.path
        let bytes: [UInt8]
        switch PrivateFile.readAll(path) {
        case .success(let read):
            bytes = read.bytes
        case .failure(let failure):
            if failure.code == ENOENT { return Config() }
            throw ConfigError(path: path, message: "cannot be read: \(failure.reason)")
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw ConfigError(path: path, message: "is not valid UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// The bot called `nameOrId`: a name matched ignoring case first, then an id matched exactly.
    public func bot(named nameOrId: String) -> BotConfig? {
        let wanted = nameOrId.lowercased()
        if let byName = bots.first(where: { $0.name.lowercased() == wanted }) {
            return byName
        }
        return bots.first(where: { $0.id == nameOrId })
    }

    /// The URL to send a bot's requests to: the bot's own, else the top-level one, else the service's.
    public func endpoint(for bot: BotConfig?) -> String {
        bot?.endpoint ?? endpoint ?? Endpoint.defaultURL
    }

    /// The `Origin` for a bot's requests: the bot's own, else the top-level one, else none.
    public func origin(for bot: BotConfig?) -> String? {
        bot?.origin ?? origin
    }

    /// The model for a bot's requests: the bot's own, else the top-level one, else `nil` (the
    /// bot's configured model on the service).
    public func model(for bot: BotConfig?) -> String? {
        bot?.model ?? model
    }

    /// The temperature for a bot's requests: the bot's own, else the top-level one, else `nil`
    /// (the bot's setting on the service).
    public func temperature(for bot: BotConfig?) -> Double? {
        bot?.temperature ?? temperature
    }
}
