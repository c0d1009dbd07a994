/// Where the API key was found, in the order tinytalk looks.
public enum KeySource: Sendable, Equatable {
    /// The `TINYTALK_API_KEY` environment variable.
    case environment
    /// The first line printed by `api_key_command` from the configuration.
    case command
    /// The first line of the key file (`api_key` in the config directory), mode 0600.
    case keyFile
    /// `api_key` written in the configuration file itself, mode 0600.
    case configFile
}
