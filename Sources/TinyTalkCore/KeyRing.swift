import TinyTalkAPI

/// The API keys of every bot: the shared key looked up once, a bot's own key when it has one.
/// Looking up runs `api_key_command` (a password manager may ask for a passphrase), so each
/// source is asked once per ring.
public struct KeyRing: Sendable {
    public let environment: [String: String]
    public let config: Config
    public let paths: Paths
    /// The key every bot without one of its own uses, and where it came from; nil: none is set.
    public let shared: (key: APIKey, source: KeySource)?

    /// Looks up the shared key; a source that is there but unusable is an error.
    public init(environment: [String: String], config: Config, paths: Paths) throws(CredentialError) {
        self.environment = environment
        self.config = config
        self.paths = paths
        shared = try Credentials.resolve(environment: environment, config: config, paths: paths)
    }

    /// The key for `bot` (nil: a bot the configuration does not name) and its source, or nil
    /// when no key is set for it: public agents need none.
    public func key(for bot: BotConfig?) throws(CredentialError) -> (key: APIKey, source: KeySource)? {
        if let bot, let own = try Credentials.botKey(bot, environment: environment, paths: paths, commandTimeout: .seconds(10)) {
            return own
        }
        return shared
    }

    /// The key for the bot called `name` (a configured name or id), for profiles built at run time.
    public func key(forBotNamed name: String) throws(CredentialError) -> APIKey? {
        try key(for: config.bot(named: name))?.key
    }
}
