import Foundation
import TinyTalkAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the API key. The first source that is there wins:
///
/// 1. `TINYTALK_API_KEY` in the environment (when not empty);
/// 2. `api_key_command` from the configuration, run with `/bin/sh -c` (first line of its output);
/// 3. the key file (`api_key` in the config directory), which must be private to the user;
/// 4. `api_key` in the configuration file, which must then be private to the user too.
///
/// A source that is there but unusable — a failing command, a key file others can read — is an
/// error rather than a reason to try the next one: quietly using another key would hide the
/// problem. Like ssh with a private key, a key that other users can read is refused.
/// No error ever contains the key, nor the output of the command.
public struct Credentials: Sendable {
    /// The environment variable checked first.
    public static let environmentVariable = "TINYTALK_API_KEY"

    /// Resolves the key.
    ///
    /// - Parameters:
    ///   - environment: the process environment; also the environment `api_key_command` runs with.
    ///   - config: the parsed configuration (for `api_key_command` and `api_key`).
    ///   - paths: where the key file and the configuration file are.
    ///   - commandTimeout: how long `api_key_command` may run before it is stopped.
    /// - Returns: the key and where it came from.
    public static func resolve(
        environment: [String: String], config: Config, paths: Paths, commandTimeout: Duration = .seconds(10)
    ) throws(CredentialError) -> (key: APIKey, source: KeySource) {
        if let value = environment[environmentVariable] {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty {
                return (try usable(APIKey(trimmed), from: "\(environmentVariable)"), .environment)
            }
        }
        if let command = config.apiKeyCommand, !command.trimmingCharacters(in: .whitespaces).isEmpty {
            let key = try KeyCommand.run(
                command, environment: environment, timeout: commandTimeout, configPath: paths.configFile.path)
            return (try usable(key, from: "the output of api_key_command"), .command)
        }
        if let key = try keyFile(paths.apiKeyFile.path) {
            return (try usable(key, from: paths.apiKeyFile.path), .keyFile)
        }
        if let key = config.apiKey {
            try requirePrivateConfig(paths)
            return (try usable(key, from: "api_key in \(paths.configFile.path)"), .configFile)
        }
        throw noKey(paths)
    }

    /// The first line of the key file; `nil` when there is no key file.
    private static func keyFile(_ path: String) throws(CredentialError) -> APIKey? {
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
        let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
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

    private static func noKey(_ paths: Paths) -> CredentialError {
        let config = paths.configFile.path
        let keyFile = paths.apiKeyFile.path
        return CredentialError(
            .noKey,
            """
            No API key found. Give tinytalk your Tiny Talk API key in one of these ways (the first found wins):
              1. the environment variable \(environmentVariable);
              2. api_key_command = "…" in \(config): a command that prints the key, e.g. a password manager ("pass show tinytalk");
              3. the key file \(keyFile), with the key on its first line and only you able to read it (chmod 600 \(keyFile));
              4. api_key = "…" in \(config), when only you can read that file (chmod 600 \(config)).
            """
        )
    }
}
