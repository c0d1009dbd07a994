import Foundation
import TinyTalkAPI

/// The files setting up writes: bots into `config.toml` (edited in place, see ``ConfigEditor``)
/// and API keys into key files of mode 0600. Every write is atomic: a crash leaves the old
/// file or the new one, never half of one.
public struct ConfigFiles: Sendable {
    public let paths: Paths

    public init(paths: Paths) {
        self.paths = paths
    }

    /// A failure to read or write, or a refused edit.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }

        public init(message: String) {
            self.message = message
        }
    }

    /// Adds a `[[bot]]` entry, creating the file when there is none; returns the new configuration.
    @discardableResult
    public func addBot(_ bot: BotConfig) throws(Failure) -> Config {
        let path = configPath
        let (text, mode) = try read(path)
        let edited: String
        do {
            edited = try ConfigEditor.adding(bot, to: text, path: path)
        } catch {
            throw Failure(message: error.message)
        }
        return try write(edited, to: path, mode: mode)
    }

    /// Removes the `[[bot]]` entry called `name` (and the bot's own key file, if any); returns
    /// the new configuration.
    @discardableResult
    public func removeBot(named name: String) throws(Failure) -> Config {
        let path = configPath
        let (text, mode) = try read(path)
        let edited: String
        do {
            edited = try ConfigEditor.removing(bot: name, from: text, path: path)
        } catch {
            throw Failure(message: error.message)
        }
        let config = try write(edited, to: path, mode: mode)
        if let keyFile = paths.keyFile(forBot: name) { try? FileManager.default.removeItem(at: keyFile) }
        return config
    }

    /// The configuration file, followed through a symbolic link (dotfile managers link it), so
    /// the edit replaces the file and not the link.
    private var configPath: String {
        var path = paths.configFile.path
        // Followed by hand: a link to a file not written yet is not resolved by Foundation.
        for _ in 0..<16 {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { break }
            path = target.hasPrefix("/") ? target : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
        }
        return path
    }

    /// Where `saveKey(_:forBot:)` writes: the bot's `api_key_file` when it names one, else
    /// `keys/NAME`; without a bot, the shared key file.
    public func keyFile(forBot bot: BotConfig?) throws(Failure) -> URL {
        guard let bot else { return paths.apiKeyFile }
        if bot.apiKeyCommand != nil {
            throw Failure(
                message: "the bot \(bot.name) gets its key from its api_key_command in \(paths.configFile.path); change that command instead")
        }
        if let file = bot.apiKeyFile {
            return paths.configured(path: file, home: Paths.home)
        }
        guard let file = paths.keyFile(forBot: bot.name) else {
            throw Failure(message: "the bot name \(bot.name) cannot name a key file: give the bot an api_key_file in \(paths.configFile.path)")
        }
        return file
    }

    /// Writes `key` (one line) to the bot's key file, or to the shared one; returns its path.
    @discardableResult
    public func saveKey(_ key: APIKey, forBot bot: BotConfig?) throws(Failure) -> String {
        guard !key.isEmpty, !key.secret.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Failure(message: "the key is empty or holds control characters: paste the key alone, on one line")
        }
        let path = try keyFile(forBot: bot).path
        if case .failure(let failure) = PrivateFile.writeAtomically(Array((key.secret + "\n").utf8), to: path, mode: 0o600) {
            throw Failure(message: "cannot write the key file \(path): \(failure.reason)")
        }
        return path
    }

    /// The file's text and mode; an absent file is empty, mode 0600 (it may come to hold a key).
    private func read(_ path: String) throws(Failure) -> (String, UInt32) {
        switch PrivateFile.readAll(path) {
        case .success(let contents):
            guard let text = String(bytes: contents.bytes, encoding: .utf8) else {
                throw Failure(message: "\(path) is not valid UTF-8 text")
            }
            return (text, contents.mode)
        case .failure(let failure) where failure.code == ENOENT:
            return ("", 0o600)
        case .failure(let failure):
            throw Failure(message: "cannot read \(path): \(failure.reason)")
        }
    }

    private func write(_ text: String, to path: String, mode: UInt32) throws(Failure) -> Config {
        let config: Config
        do {
            config = try Config.parse(text, path: path)
        } catch {
            throw Failure(message: error.description)
        }
        if case .failure(let failure) = PrivateFile.writeAtomically(Array(text.utf8), to: path, mode: mode) {
            throw Failure(message: "cannot write \(path): \(failure.reason)")
        }
        return config
    }
}
