/// Where the API key was found, in the order tinytalk looks.
public enum KeySource: Sendable, Equatable, CustomStringConvertible {
    /// The bot's own `api_key_command`.
    case botCommand
    /// A key file: the bot's own (`api_key_file`, or `keys/NAME`), or the shared `api_key`, mode 0600.
    case keyFile(String)
    /// The `TINYTALK_API_KEY` environment variable.
    case environment
    /// The first line printed by `api_key_command` from the configuration.
    case command
    /// `api_key` written in the configuration file itself, mode 0600.
    case configFile

    public var description: String {
        switch self {
        case .botCommand: return "the bot's api_key_command"
        case .keyFile(let path): return "the key file \(path)"
        case .environment: return "TINYTALK_API_KEY"
        case .command: return "api_key_command"
        case .configFile: return "api_key in the configuration file"
        }
    }
}
