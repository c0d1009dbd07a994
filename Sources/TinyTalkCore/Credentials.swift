import Foundation
import TinyTalkAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the API key, which is optional: public agents answer without one, and only private
/// agents need it. For a bot, the first source that is there wins:
///
/// 1. the bot's own `api_key_command` or `api_key_file` from its `[[bot]]` entry;
/// 2. the bot's key file `keys/NAME` in the config directory (what `config set-key --bot` writes);
/// 3. `TINYTALK_API_KEY` in the environment (when not empty);
/// 4. `api_key_command` from the configuration, run with `/bin/sh -c` (first line of its output);
/// 5. the key file (`api_key` in the config directory), which must be private to the user;
/// 6. `api_key` in the configuration file, which must then be private to the user too.
///
/// None of them: no key is sent. A source that is there but unusable — a failing command, a
/// key file others can read — is an error rather than a reason to try the next one: quietly
/// using another key would hide the problem. Like ssh with a private key, a key that other
/// users can read is refused. No error ever contains the key, nor the output of the command.
public struct Credentials: Sendable {
    /// The environment variable checked before the configuration's sources.
    public static let environmentVariable = "TINYTALK_API_KEY"

    /// Resolves the key for `bot` (nil: a bot the configuration does not name).
    ///
    /// - Parameters:
    ///   - bot: the bot's configuration entry, for its own key sources.
    ///   - environment: the process environment; also the environment key commands run with.
    ///   - config: the parsed configuration (for `api_key_command` and `api_key`).
    ///   - paths: where the key files and the configuration file are.
    ///   - commandTimeout: how long a key command may run before it is stopped.
    /// - Returns: the key and where it came from, or nil when no source has one.
    public static func resolve(
        for bot: BotConfig? = nil, environment: [String: String], config: Config, paths: Paths,
        commandTimeout: Duration = .seconds(10)
    ) throws(CredentialError) -> (key: APIKey, source: KeySource)? {
        if let bot, let own = try botKey(bot, environment: environment, paths: paths, commandTimeout: commandTimeout) {
            return own
        }
        if let value = environment[environmentVariable] {
            let trimmed = value.trimmingWhitespace()
            if !trimmed.isEmpty {
                return (try usable(APIKey(trimmed), from: "\(environmentVariable)"), .environment)
            }
        }
        if let command = config.apiKeyCommand, !command.trimmingSpaces().isEmpty {
            let key = try KeyCommand.run(
                command, environment: environment, timeout: commandTimeout, subject: "api_key_command (in \(paths.configFile.path))")
            return (try usable(key, from: "the output of api_key_command"), .command)
        }
        if let key = try keyFile(paths.apiKeyFile.path) {
            return (try usable(key, from: paths.apiKeyFile.path), .keyFile(paths.apiKeyFile.path))
        }
        if let key = config.apiKey {
            try requirePrivateConfig(paths)
            return (try usable(key, from: "api_key in \(paths.configFile.path)"), .configFile)
        }
        return nil
    }

    /// A key of the bot's own: its `api_key_command`, its `api_key_file` (which must exist), or
    /// its file under `keys/` when there is one; nil when the bot has none of its own.
    public static func botKey(
        _ bot: BotConfig, environment: [String: String], paths: Paths, commandTimeout: Duration
    ) throws(CredentialError) -> (key: APIKey, source: KeySource)? {
        if let command = bot.apiKeyCommand {
            let key = try KeyCommand.run(
                command, environment: environment, timeout: commandTimeout,
                subject: "api_key_command of bot \(VisibleText.quoted(bot.name)) (in \(paths.configFile.path))")
            return (try usable(key, from: "the output of bot \(VisibleText.quoted(bot.name))'s api_key_command"), .botCommand)
        }
        if let file = bot.apiKeyFile {
            let path = paths.configured(path: file, home: environment["HOME"] ?? NSHomeDirectory()).path
            guard let key = try keyFile(path) else {
                throw CredentialError(
                    .unreadable,
                    "The key file \(path), named by api_key_file of bot \(VisibleText.quoted(bot.name)), does not exist. Create it with: tinytalk config set-key --bot \(bot.name)"
                )
            }
            return (try usable(key, from: path), .keyFile(path))
        }
        if let path = paths.keyFile(forBot: bot.name)?.path, let key = try keyFile(path) {
            return (try usable(key, from: path), .keyFile(path))
        }
        return nil
    }

    /// How to give tinytalk a key, for messages about private agents (one line each).
    public static func howToGiveAKey(paths: Paths, bot: String? = nil) -> String {
        let forBot = bot.map { " --bot \($0)" } ?? ""
        return """
            Give tinytalk the key (the first found wins):
              tinytalk config set-key\(forBot)   (reads it without echo; saved with mode 600)
              or the environment variable \(environmentVariable),
              or api_key_command = "…" in \(paths.configFile.path) (a command that prints it, e.g. a password manager),
              or the key file \(paths.apiKeyFile.path) (chmod 600).
            """
    }

    /// The first line of the key file; `nil` when there is no key file.
    static func keyFile(_ path: String) throws(CredentialError) -> APIKey? {
        let contents: PrivateFile.Contents
        switch PrivateFile.readAll(path, limit: 64 * 1024) {
        case .success(let read):
            contents = read
        case .failure(let failure):
            if failure.code == ENOENT { return nil }
            throw CredentialError(.unreadable, "The key file \(path) cannot be read: \(failure.reason).")
        }
        if PrivateFile.isShared(mode: contents.mode) {
            throw CredentialError(
                .sharedFile,
                "\(path) is \(openness(contents.mode)) (mode \(PrivateFile.octal(contents.mode))); the key must be private to you, as ssh requires for its keys. Run: chmod 600 \(path)"
            )
        }
        let text = String(decoding: contents.bytes, as: UTF8.self)
        let firstLine = text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first
            .map { $0.trimmingWhitespace() } ?? ""
        guard !firstLine.isEmpty else {
            throw CredentialError(.unusableKey, "The key file \(path) is empty: put the key on its first line.")
        }
        return APIKey(firstLine)
    }

    /// A key written in the configuration file counts only when that file is private.
    private static func requirePrivateConfig(_ paths: Paths) throws(CredentialError) {
        let path = paths.configFile.path
        switch PrivateFile.mode(of: path) {
        case .failure(let failure):
            throw CredentialError(
                .unreadable, "Cannot check who may read \(path), which holds api_key: \(failure.reason).")
        case .success(let mode):
            if PrivateFile.isShared(mode: mode) {
                throw CredentialError(
                    .sharedFile,
                    "\(path) holds api_key but is \(openness(mode)) (mode \(PrivateFile.octal(mode))); a file with the key must be private to you, as ssh requires for its keys. Run: chmod 600 \(path) (or move the key to \(paths.apiKeyFile.path) with mode 600, or use api_key_command)"
                )
            }
        }
    }

    /// Refuses a key that could not go into a header: it would fail later with a worse message.
    private static func usable(_ key: APIKey, from source: String) throws(CredentialError) -> APIKey {
        if key.secret.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw CredentialError(
                .unusableKey, "The key from \(source) contains control characters; check that it was copied whole and alone.")
        }
        return key
    }

    /// "readable by other users", or the less common case of a file only others may write.
    private static func openness(_ mode: UInt32) -> String {
        mode & 0o044 != 0 ? "readable by other users" : "open to other users"
    }
}
