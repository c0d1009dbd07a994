import Foundation

/// Where tinytalk keeps the files a user touches: configuration, key, themes, history and log.
///
/// The directories follow the XDG Base Directory specification, so they move with
/// `XDG_CONFIG_HOME`, `XDG_DATA_HOME` and `XDG_STATE_HOME`.
public struct Paths: Sendable, Equatable {
    /// `$XDG_CONFIG_HOME/tinytalk` (default `~/.config/tinytalk`).
    public var configDirectory: URL
    /// `config.toml` in the config directory.
    public var configFile: URL
    /// `api_key` in the config directory: a key file that must be mode 0600.
    public var apiKeyFile: URL
    /// `keys/` in the config directory: one key file per bot that has a key of its own.
    public var botKeysDirectory: URL
    /// `themes/` in the config directory: the user's own themes.
    public var userThemesDirectory: URL
    /// `$XDG_DATA_HOME/tinytalk` (default `~/.local/share/tinytalk`).
    public var dataDirectory: URL
    /// `tinytalk.sqlite` in the data directory: conversations, messages, open tabs.
    public var databaseFile: URL
    /// `$XDG_STATE_HOME/tinytalk` (default `~/.local/state/tinytalk`).
    public var stateDirectory: URL
    /// `tinytalk.log` in the state directory.
    public var logFile: URL

    /// The application's directory name inside each XDG base directory.
    public static let applicationName = "tinytalk"

    /// Derives every file from the three directories.
    public init(configDirectory: URL, dataDirectory: URL, stateDirectory: URL) {
        self.configDirectory = configDirectory
        self.configFile = configDirectory.appendingPathComponent("config.toml", isDirectory: false)
        self.apiKeyFile = configDirectory.appendingPathComponent("api_key", isDirectory: false)
        self.botKeysDirectory = configDirectory.appendingPathComponent("keys", isDirectory: true)
        self.userThemesDirectory = configDirectory.appendingPathComponent("themes", isDirectory: true)
        self.dataDirectory = dataDirectory
        self.databaseFile = dataDirectory.appendingPathComponent("tinytalk.sqlite", isDirectory: false)
        self.stateDirectory = stateDirectory
        self.logFile = stateDirectory.appendingPathComponent("tinytalk.log", isDirectory: false)
    }

    /// The key file of the bot called `name` (`keys/NAME`, the name lowercased), or nil when the
    /// name cannot be a file name.
    public func keyFile(forBot name: String) -> URL? {
        guard BotConfig.isPlainName(name) else { return nil }
        return botKeysDirectory.appendingPathComponent(name.lowercased(), isDirectory: false)
    }

    /// A path written in the configuration: `~/` is the home directory, a relative path is in
    /// the config directory.
    public func configured(path: String, home: String) -> URL {
        if path == "~" { return URL(fileURLWithPath: home, isDirectory: true) }
        if path.hasPrefix("~/") { return URL(fileURLWithPath: home).appendingPathComponent(String(path.dropFirst(2))) }
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        return configDirectory.appendingPathComponent(path)
    }

    /// The home folder a `~` in a path the user gives stands for: `$HOME`, as the shell has it.
    public static var home: String { ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory() }

    /// Resolves the directories from an environment (normally `ProcessInfo.processInfo.environment`).
    ///
    /// An XDG variable that is unset, empty or relative is ignored, as the specification says,
    /// and the default under `$HOME` applies. Without a usable `$HOME`, the user's home from the
    /// password database is used.
    public static func resolve(environment: [String: String]) -> Paths {
        let home = absolute(environment["HOME"]) ?? FileManager.default.homeDirectoryForCurrentUser.path
        func base(_ variable: String, default relative: String) -> URL {
            let root = absolute(environment[variable]) ?? (home as NSString).appendingPathComponent(relative)
            return URL(fileURLWithPath: root, isDirectory: true)
                .appendingPathComponent(applicationName, isDirectory: true)
        }
        return Paths(
            configDirectory: base("XDG_CONFIG_HOME", default: ".config"),
            dataDirectory: base("XDG_DATA_HOME", default: ".local/share"),
            stateDirectory: base("XDG_STATE_HOME", default: ".local/state")
        )
    }

    /// The value when it is an absolute path; `nil` for unset, empty or relative values.
    private static func absolute(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/") else { return nil }
        return value
    }
}
