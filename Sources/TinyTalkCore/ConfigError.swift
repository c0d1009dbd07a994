/// A problem with the configuration file, located as precisely as the file allows.
///
/// Its description reads like a compiler diagnostic, so a user can jump to the line:
/// `~/.config/tinytalk/config.toml:7: temprature: unknown key; did you mean temperature? (known: endpoint, …)`.
/// It never contains the value of `api_key`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file, as it was named to the parser.
    public var path: String
    /// The 1-based line of the problem, when it is known.
    public var line: Int?
    /// The key at fault (for example `temperature`), when the problem is about one key.
    public var key: String?
    /// The `[[bot]]` entry the problem is in: its name in quotes, or `#2` for an unnamed second entry.
    public var bot: String?
    /// What is wrong and, where it helps, how to fix it.
    public var message: String

    /// A problem in the file at `path`, on `line` when known, about `key` (inside `bot`) when known.
    public init(path: String, line: Int? = nil, key: String? = nil, bot: String? = nil, message: String) {
        self.path = path
        self.line = line
        self.key = key
        self.bot = bot
        self.message = message
    }

    /// `path:line: bot "name": key: message`, leaving out the parts that are unknown. One line,
    /// its control characters escaped: keys and messages quote the file, which may hold any.
    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": "
        if let bot { text += "bot \(bot): " }
        if let key { text += "\(key): " }
        return VisibleText.escaped(text + message)
    }
}
