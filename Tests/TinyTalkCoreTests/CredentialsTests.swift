import Foundation
import Testing
import TinyTalkAPI
import TinyTalkCore

/// Where the API key comes from, and that refusals explain themselves without showing it.
@Suite struct CredentialsTests {
    /// A private directory standing in for the XDG directories, removed afterwards.
    private struct Sandbox {
        let root: URL
        let paths: Paths

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("tinytalk-keys-\(UUID().uuidString)")
            paths = Paths(
                configDirectory: root.appendingPathComponent("config/tinytalk"),
                dataDirectory: root.appendingPathComponent("data/tinytalk"),
                stateDirectory: root.appendingPathComponent("state/tinytalk"))
            try FileManager.default.createDirectory(at: paths.configDirectory, withIntermediateDirectories: true)
        }

        func remove() {
            try? FileManager.default.removeItem(at: root)
        }

        func write(_ text: String, to file: URL, mode: Int) throws {
            try Data(text.utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
        }

        /// Writes `config.toml` with `text` and returns it parsed.
        func config(_ text: String, mode: Int = 0o600) throws -> Config {
            try write(text, to: paths.configFile, mode: mode)
            return try Config.load(from: paths.configFile)
        }
    }

    /// The test process's environment without a key of its own.
    private static let environment = ProcessInfo.processInfo.environment.filter { $0.key != "TINYTALK_API_KEY" }

    private func resolve(
        _ sandbox: Sandbox, config: Config, environment: [String: String] = CredentialsTests.environment,
        timeout: Duration = .seconds(10)
    ) throws(CredentialError) -> (key: APIKey, source: KeySource) {
        guard let found = try Credentials.resolve(environment: environment, config: config, paths: sandbox.paths, commandTimeout: timeout) else {
            throw CredentialError(.unusableKey, "test: no key found")
        }
        return found
    }

    private func error(_ body: () throws(CredentialError) -> (key: APIKey, source: KeySource)) -> CredentialError? {
        do {
            let found = try body()
            Issue.record("expected an error, got a key from \(found.source)")
            return nil
        } catch {
            return error
        }
    }

    @Test func firstSourceFoundWins() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("file-key-1234\n", to: sandbox.paths.apiKeyFile, mode: 0o600)
        let withCommand = try sandbox.config("api_key_command = \"echo command-key-1234\"\napi_key = \"config-key-1234\"\n")
        var withEnvironment = Self.environment
        withEnvironment["TINYTALK_API_KEY"] = "  env-key-1234\n"

        let fromEnvironment = try resolve(sandbox, config: withCommand, environment: withEnvironment)
        #expect(fromEnvironment.key == APIKey("env-key-1234"))
        #expect(fromEnvironment.source == .environment)

        let fromCommand = try resolve(sandbox, config: withCommand)
        #expect(fromCommand.key == APIKey("command-key-1234"))
        #expect(fromCommand.source == .command)

        let withoutCommand = try sandbox.config("api_key = \"config-key-1234\"\n")
        let fromFile = try resolve(sandbox, config: withoutCommand)
        #expect(fromFile.key == APIKey("file-key-1234"))
        #expect(fromFile.source == .keyFile(sandbox.paths.apiKeyFile.path))

        try FileManager.default.removeItem(at: sandbox.paths.apiKeyFile)
        let fromConfig = try resolve(sandbox, config: withoutCommand)
        #expect(fromConfig.key == APIKey("config-key-1234"))
        #expect(fromConfig.source == .configFile)

        // An empty or blank variable is no key: the next source is used.
        withEnvironment["TINYTALK_API_KEY"] = " "
        #expect(try resolve(sandbox, config: withoutCommand, environment: withEnvironment).source == .configFile)
    }

    @Test func commandsFirstLineIsTheKey() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let config = Config(apiKeyCommand: "printf '  first-line-key  \\nsecond line\\n'; echo noise >&2")
        let found = try resolve(sandbox, config: config)
        #expect(found.key == APIKey("first-line-key"))
        #expect(found.source == .command)
    }

    @Test func failingCommandShowsStatusAndStderrButNotStdout() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let config = Config(
            apiKeyCommand: "echo 'gpg: decryption failed: No secret key' >&2; echo 'more detail' >&2; echo leaked-output-123; exit 2")
        let failure = try #require(error { () throws(CredentialError) in try resolve(sandbox, config: config) })
        #expect(failure.reason == .commandFailed)
        #expect(
            failure.description
                == "api_key_command (in \(sandbox.paths.configFile.path)) failed with exit status 2: gpg: decryption failed: No secret key"
        )
        #expect(!failure.description.contains("leaked-output-123"))

        let silent = try #require(error { () throws(CredentialError) in try resolve(sandbox, config: Config(apiKeyCommand: "true")) })
        #expect(silent.reason == .commandFailed)
        #expect(silent.description.contains("printed nothing on its first line (exit status 0)"))

        let missing = try #require(
            error { () throws(CredentialError) in try resolve(sandbox, config: Config(apiKeyCommand: "no-such-password-manager-xyz")) })
        #expect(missing.description.contains("failed with exit status 127"))
        #expect(missing.description.contains("not found"))
    }

    @Test func commandThatHangsIsStoppedAtTheTimeout() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let started = ContinuousClock.now
        let failure = try #require(
            error { () throws(CredentialError) in
                try resolve(sandbox, config: Config(apiKeyCommand: "sleep 5; echo too-late"), timeout: .seconds(1))
            })
        let elapsed = ContinuousClock.now - started
        #expect(failure.reason == .commandTimedOut)
        #expect(failure.description.hasPrefix("api_key_command (in \(sandbox.paths.configFile.path)) timed out after 1 s and was stopped"))
        #expect(elapsed < .seconds(3))
    }

    @Test func aCommandThatLeavesABackgroundChildIsDoneWhenItExits() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let started = ContinuousClock.now
        let found = try resolve(
            sandbox, config: Config(apiKeyCommand: "setsid sleep 20 >/dev/null 2>&1 </dev/null & echo bg-key-4242"),
            timeout: .seconds(10))
        #expect(found.key == APIKey("bg-key-4242"))
        // Done when the command exits, not when its child does (or the 10 s timeout).
        #expect(ContinuousClock.now - started < .seconds(5))
        // And a child that keeps stdout open does not hold it up either.
        let holding = try resolve(sandbox, config: Config(apiKeyCommand: "echo held-key-77; sleep 20 &"), timeout: .seconds(10))
        #expect(holding.key == APIKey("held-key-77"))
        #expect(ContinuousClock.now - started < .seconds(8))
    }

    @Test func aCommandDoesNotSeeTheKeyVariable() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        var environment = Self.environment
        environment["TINYTALK_API_KEY"] = "  "  // set but empty: the command is asked
        let found = try resolve(
            sandbox, config: Config(apiKeyCommand: "echo \"seen:${TINYTALK_API_KEY-unset}\""), environment: environment)
        #expect(found.key == APIKey("seen:unset"))
    }

    @Test func aFIFOInPlaceOfTheKeyFileOrTheConfigIsRefusedWithoutHanging() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(at: sandbox.paths.configDirectory, withIntermediateDirectories: true)
        #expect(mkfifo(sandbox.paths.apiKeyFile.path, 0o600) == 0)
        #expect(mkfifo(sandbox.paths.configFile.path, 0o600) == 0)
        let failure = try #require(error { () throws(CredentialError) in try resolve(sandbox, config: Config()) })
        #expect(failure.description.contains("not a regular file"))
        #expect(throws: ConfigError.self) { try Config.load(from: sandbox.paths.configFile) }
    }

    @Test func keyFileMustBePrivate() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let keyFile = sandbox.paths.apiKeyFile.path
        try sandbox.write("file-key-5678  \nsecond line\n", to: sandbox.paths.apiKeyFile, mode: 0o644)
        let refused = try #require(error { () throws(CredentialError) in try resolve(sandbox, config: Config()) })
        #expect(refused.reason == .sharedFile)
        #expect(refused.description.hasPrefix("\(keyFile) is readable by other users (mode 0644)"))
        #expect(refused.description.hasSuffix("Run: chmod 600 \(keyFile)"))

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        let accepted = try resolve(sandbox, config: Config())
        #expect(accepted.key == APIKey("file-key-5678"))
        #expect(accepted.source == .keyFile(sandbox.paths.apiKeyFile.path))

        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: keyFile)
        let group = try #require(error { () throws(CredentialError) in try resolve(sandbox, config: Config()) })
        #expect(group.description.contains("(mode 0640)"))
    }

    @Test func keyInConfigNeedsAPrivateConfigFile() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let configFile = sandbox.paths.configFile.path
        let config = try sandbox.config("api_key = \"config-key-5678\"\n", mode: 0o644)
        let refused = try #require(error { () throws(CredentialError) in try resolve(sandbox, config: config) })
        #expect(refused.reason == .sharedFile)
        #expect(refused.description.hasPrefix("\(configFile) holds api_key but is readable by other users (mode 0644)"))
        #expect(refused.description.contains("Run: chmod 600 \(configFile)"))

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configFile)
        let accepted = try resolve(sandbox, config: config)
        #expect(accepted.key == APIKey("config-key-5678"))
        #expect(accepted.source == .configFile)
    }

    @Test func noKeyAnywhereIsNoKeyNotAnError() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        // Public agents answer without a key: having none is normal.
        #expect(try Credentials.resolve(environment: Self.environment, config: Config(), paths: sandbox.paths) == nil)
        let hint = Credentials.howToGiveAKey(paths: sandbox.paths, bot: "support")
        #expect(hint.contains("tinytalk config set-key --bot support"))
        #expect(hint.contains("TINYTALK_API_KEY"))
        #expect(hint.contains("api_key_command = \"…\" in \(sandbox.paths.configFile.path)"))
        #expect(hint.contains("the key file \(sandbox.paths.apiKeyFile.path) (chmod 600)"))
    }

    @Test func noErrorEverContainsTheKey() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let secret = "tiny_server_sk_doNotShow4242"
        var failures: [CredentialError] = []

        // A shared key file holding the key.
        try sandbox.write(secret + "\n", to: sandbox.paths.apiKeyFile, mode: 0o644)
        failures += [error { () throws(CredentialError) in try resolve(sandbox, config: Config()) }].compactMap { $0 }
        try FileManager.default.removeItem(at: sandbox.paths.apiKeyFile)

        // A shared config file holding the key.
        let shared = try sandbox.config("api_key = \"\(secret)\"\n", mode: 0o644)
        failures += [error { () throws(CredentialError) in try resolve(sandbox, config: shared) }].compactMap { $0 }

        // A command that prints the key, then fails and repeats it on stderr.
        let leaky = Config(apiKeyCommand: "echo \(secret); echo \"could not cache \(secret)\" >&2; exit 1")
        failures += [error { () throws(CredentialError) in try resolve(sandbox, config: leaky) }].compactMap { $0 }

        // A key with a control character in it is refused without being shown.
        var environment = Self.environment
        environment["TINYTALK_API_KEY"] = secret + "\u{1b}[0m" + secret
        failures += [error { () throws(CredentialError) in try resolve(sandbox, config: Config(), environment: environment) }]
            .compactMap { $0 }

        #expect(failures.count == 4)
        for failure in failures {
            #expect(!failure.description.contains(secret), "\(failure.description)")
            #expect(!String(reflecting: failure).contains(secret))
        }
    }
}
