import Foundation
import Testing
import TinyTalkAPI
import TinyTalkCore

/// Keys of a bot's own (`api_key_command`, `api_key_file`, `keys/NAME`) and the shared ones
/// they take precedence over; the key ring that hands them out.
@Suite struct BotKeysTests {
    /// The test process's environment without a key of its own.
    private static let environment = ProcessInfo.processInfo.environment.filter { $0.key != Credentials.environmentVariable }

    private static func withKey(_ key: String) -> [String: String] {
        var environment = Self.environment
        environment[Credentials.environmentVariable] = key
        return environment
    }

    private func resolve(
        _ bot: BotConfig?, _ sandbox: ConfigSandbox, config: Config, environment: [String: String] = BotKeysTests.environment
    ) throws(CredentialError) -> (key: APIKey, source: KeySource)? {
        try Credentials.resolve(for: bot, environment: environment, config: config, paths: sandbox.paths, commandTimeout: .seconds(10))
    }

    private func error(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(CredentialError) -> (key: APIKey, source: KeySource)?
    ) -> CredentialError? {
        do {
            let found = try body()
            Issue.record("expected an error, got \(found.map { "a key from \($0.source)" } ?? "no key")", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    @Test func noSourceAtAllIsNoKeyNotAnError() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let config = try sandbox.config("[[bot]]\nname = \"support\"\nid = \"1\"\n")
        #expect(try resolve(config.bots[0], sandbox, config: config) == nil)
        #expect(try resolve(nil, sandbox, config: config) == nil)
        // A blank variable is no key either.
        #expect(try resolve(config.bots[0], sandbox, config: config, environment: Self.withKey("  \n")) == nil)

        let ring = try KeyRing(environment: Self.environment, config: config, paths: sandbox.paths)
        #expect(ring.shared == nil)
        #expect(try ring.key(forBotNamed: "support") == nil)
        #expect(try ring.key(forBotNamed: "not-configured") == nil)
        #expect(try ring.key(for: nil) == nil)
    }

    @Test func aBotsOwnCommandWinsOverEverySharedSource() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        try sandbox.write("shared-file-key-1234\n", to: sandbox.paths.apiKeyFile)
        try sandbox.write("implicit-file-key-1234\n", to: sandbox.paths.botKeysDirectory.appendingPathComponent("vault"))
        let config = try sandbox.config(
            """
            api_key_command = "echo shared-command-key-1234"
            api_key = "config-key-1234"

            [[bot]]
            name = "vault"
            id = "1"
            api_key_command = "printf '  bot-command-key-1234  \\\\nsecond line\\\\n'"
            """)
        let bot = try #require(config.bots.first)
        #expect(bot.apiKeyCommand == "printf '  bot-command-key-1234  \\nsecond line\\n'")
        let found = try #require(try resolve(bot, sandbox, config: config, environment: Self.withKey("env-key-1234")))
        #expect(found.key == APIKey("bot-command-key-1234"))
        #expect(found.source == .botCommand)
        // Without the bot, the shared sources apply as before.
        let shared = try #require(try resolve(nil, sandbox, config: config, environment: Self.withKey("env-key-1234")))
        #expect(shared.source == .environment)
    }

    @Test func aBotsCommandThatFailsIsAnErrorNotAFallBack() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let bot = BotConfig(name: "vault", id: "1", apiKeyCommand: "echo 'vault is sealed' >&2; exit 3")
        let config = Config(bots: [bot])
        let failure = try #require(
            error { () throws(CredentialError) in try resolve(bot, sandbox, config: config, environment: Self.withKey("env-key-1234")) })
        #expect(failure.reason == .commandFailed)
        #expect(
            failure.message
                == "api_key_command of bot \"vault\" (in \(sandbox.paths.configFile.path)) failed with exit status 3: vault is sealed")
    }

    @Test func aBotsKeyFileThatDoesNotExistIsAnErrorSayingHowToCreateIt() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let config = try sandbox.config("[[bot]]\nname = \"work\"\nid = \"1\"\napi_key_file = \"mykeys/work\"\n")
        let bot = try #require(config.bots.first)
        let path = sandbox.paths.configDirectory.appendingPathComponent("mykeys/work").path
        // There is a key in the environment: the bot's own file is still required, not skipped.
        let failure = try #require(
            error { () throws(CredentialError) in try resolve(bot, sandbox, config: config, environment: Self.withKey("env-key-1234")) })
        #expect(failure.reason == .unreadable)
        #expect(failure.message.contains(path))
        #expect(failure.message.contains("api_key_file of bot \"work\""))
        #expect(failure.message.hasSuffix("Create it with: tinytalk config set-key --bot work"))

        try sandbox.write("work-key-1234\n", to: URL(fileURLWithPath: path))
        let found = try #require(try resolve(bot, sandbox, config: config, environment: Self.withKey("env-key-1234")))
        #expect(found.key == APIKey("work-key-1234"))
        #expect(found.source == .keyFile(path))

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let shared = try #require(error { () throws(CredentialError) in try resolve(bot, sandbox, config: config) })
        #expect(shared.reason == .sharedFile)
        #expect(shared.message.hasPrefix("\(path) is readable by other users (mode 0644)"))
    }

    @Test func aBotsKeyFileUnderHomeIsReadFromTheEnvironmentsHome() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let home = sandbox.root.appendingPathComponent("home")
        let file = home.appendingPathComponent(".secrets/tinytalk-work")
        try sandbox.write("home-key-1234\n", to: file)
        let bot = BotConfig(name: "work", id: "1", apiKeyFile: "~/.secrets/tinytalk-work")
        var environment = Self.environment
        environment["HOME"] = home.path
        let found = try #require(try resolve(bot, sandbox, config: Config(bots: [bot]), environment: environment))
        #expect(found.key == APIKey("home-key-1234"))
        #expect(found.source == .keyFile(file.path))
    }

    @Test func theImplicitKeysFileOfAConfiguredBotIsUsedAndMustBePrivate() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        try sandbox.write("shared-file-key-1234\n", to: sandbox.paths.apiKeyFile)
        let config = try sandbox.config("[[bot]]\nname = \"Support\"\nid = \"1\"\n\n[[bot]]\nname = \"sales\"\nid = \"2\"\n")
        let file = sandbox.paths.botKeysDirectory.appendingPathComponent("support")
        try sandbox.write("support-key-1234\nsecond line\n", to: file)

        let found = try #require(try resolve(config.bots[0], sandbox, config: config, environment: Self.withKey("env-key-1234")))
        #expect(found.key == APIKey("support-key-1234"))
        #expect(found.source == .keyFile(file.path))
        // The other bot has no file of its own: the shared sources, in order.
        #expect(try resolve(config.bots[1], sandbox, config: config, environment: Self.withKey("env-key-1234"))?.source == .environment)
        #expect(try resolve(config.bots[1], sandbox, config: config)?.key == APIKey("shared-file-key-1234"))

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let refused = try #require(
            error { () throws(CredentialError) in try resolve(config.bots[0], sandbox, config: config, environment: Self.withKey("e-1234")) })
        #expect(refused.reason == .sharedFile)
        #expect(refused.message.hasPrefix("\(file.path) is readable by other users (mode 0644)"))
        #expect(refused.message.hasSuffix("Run: chmod 600 \(file.path)"))

        // An empty key file is an error, not a reason to use another key.
        try sandbox.write("\n", to: file)
        let empty = try #require(error { () throws(CredentialError) in try resolve(config.bots[0], sandbox, config: config) })
        #expect(empty.reason == .unusableKey)
        #expect(empty.message == "The key file \(file.path) is empty: put the key on its first line.")
    }

    @Test func aBotWithNothingOfItsOwnFallsBackInTheDocumentedOrder() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        try sandbox.write("shared-file-key-1234\n", to: sandbox.paths.apiKeyFile)
        let bot = BotConfig(name: "plain", id: "p")
        let everything = try sandbox.config(
            "api_key_command = \"echo shared-command-key-1234\"\napi_key = \"config-key-1234\"\n\n[[bot]]\nname = \"plain\"\nid = \"p\"\n")
        #expect(everything.bots == [bot])

        // 3. the environment
        let fromEnvironment = try #require(try resolve(bot, sandbox, config: everything, environment: Self.withKey(" env-key-1234 ")))
        #expect(fromEnvironment.key == APIKey("env-key-1234"))
        #expect(fromEnvironment.source == .environment)
        // 4. the shared command
        let fromCommand = try #require(try resolve(bot, sandbox, config: everything))
        #expect(fromCommand.key == APIKey("shared-command-key-1234"))
        #expect(fromCommand.source == .command)
        // 5. the shared key file
        let withoutCommand = try sandbox.config("api_key = \"config-key-1234\"\n\n[[bot]]\nname = \"plain\"\nid = \"p\"\n")
        let fromFile = try #require(try resolve(bot, sandbox, config: withoutCommand))
        #expect(fromFile.key == APIKey("shared-file-key-1234"))
        #expect(fromFile.source == .keyFile(sandbox.paths.apiKeyFile.path))
        // 6. api_key in the (private) configuration file
        try FileManager.default.removeItem(at: sandbox.paths.apiKeyFile)
        let fromConfig = try #require(try resolve(bot, sandbox, config: withoutCommand))
        #expect(fromConfig.key == APIKey("config-key-1234"))
        #expect(fromConfig.source == .configFile)
    }

    @Test func aKeySourcesDescriptionNeverHoldsTheKey() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let secret = "tiny_server_sk_doNotShow7777"
        try sandbox.write(secret + "\n", to: sandbox.paths.botKeysDirectory.appendingPathComponent("file"))
        let config = try sandbox.config(
            """
            api_key = "\(secret)"

            [[bot]]
            name = "command"
            id = "1"
            api_key_command = "echo \(secret)"

            [[bot]]
            name = "file"
            id = "2"
            """)
        var sources: [KeySource] = []
        let cases: [(BotConfig?, [String: String])] = [
            (config.bots[0], Self.environment), (config.bots[1], Self.environment), (nil, Self.withKey(secret)), (nil, Self.environment),
        ]
        for (bot, environment) in cases {
            let found = try #require(try resolve(bot, sandbox, config: config, environment: environment))
            #expect(found.key.secret == secret)
            sources.append(found.source)
        }
        #expect(sources == [.botCommand, .keyFile(sandbox.paths.botKeysDirectory.appendingPathComponent("file").path), .environment, .configFile])
        sources.append(.command)
        for source in sources {
            #expect(!source.description.contains(secret), "\(source)")
            #expect(!String(reflecting: source).contains(secret))
        }
        #expect(sources.map(\.description) == [
            "the bot's api_key_command", "the key file \(sandbox.paths.botKeysDirectory.path)/file", "TINYTALK_API_KEY",
            "api_key in the configuration file", "api_key_command",
        ])
    }

    @Test func noBotKeyErrorEverContainsTheKey() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let secret = "tiny_server_sk_doNotShow4343"
        var failures: [CredentialError] = []

        // A bot's command that prints the key, then fails and repeats it on stderr.
        let leaky = BotConfig(name: "leaky", id: "1", apiKeyCommand: "echo \(secret); echo \"cannot cache \(secret)\" >&2; exit 1")
        failures += [error { () throws(CredentialError) in try resolve(leaky, sandbox, config: Config(bots: [leaky])) }].compactMap { $0 }

        // A bot's command whose key holds a control character.
        let escape = BotConfig(name: "escape", id: "2", apiKeyCommand: "printf '\(secret)\\033[0m\(secret)\\n'")
        failures += [error { () throws(CredentialError) in try resolve(escape, sandbox, config: Config(bots: [escape])) }].compactMap { $0 }

        // A bot's key file that others may read.
        let shared = BotConfig(name: "shared", id: "3")
        try sandbox.write(secret + "\n", to: sandbox.paths.botKeysDirectory.appendingPathComponent("shared"), mode: 0o644)
        failures += [error { () throws(CredentialError) in try resolve(shared, sandbox, config: Config(bots: [shared])) }].compactMap { $0 }

        // A bot's own api_key_file holding a control character.
        let named = BotConfig(name: "named", id: "4", apiKeyFile: "named-key")
        try sandbox.write(secret + "\u{7}" + secret + "\n", to: sandbox.paths.configDirectory.appendingPathComponent("named-key"))
        failures += [error { () throws(CredentialError) in try resolve(named, sandbox, config: Config(bots: [named])) }].compactMap { $0 }

        #expect(failures.count == 4)
        #expect(failures.map(\.reason) == [.commandFailed, .unusableKey, .sharedFile, .unusableKey])
        for failure in failures {
            #expect(!failure.description.contains(secret), "\(failure.description)")
            #expect(!String(reflecting: failure).contains(secret))
        }
    }

    // MARK: - The key ring

    @Test func theKeyRingGivesEachBotItsOwnKeyOrTheSharedOne() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        try sandbox.write("shared-file-key-1234\n", to: sandbox.paths.apiKeyFile)
        try sandbox.write("support-key-1234\n", to: sandbox.paths.botKeysDirectory.appendingPathComponent("support"))
        let config = try sandbox.config(
            """
            [[bot]]
            name = "Support"
            id = "a3e8f869"

            [[bot]]
            name = "vault"
            id = "v1"
            api_key_command = "echo vault-key-1234"

            [[bot]]
            name = "plain"
            id = "p1"
            """)
        let ring = try KeyRing(environment: Self.environment, config: config, paths: sandbox.paths)
        #expect(ring.shared?.key == APIKey("shared-file-key-1234"))
        #expect(ring.shared?.source == .keyFile(sandbox.paths.apiKeyFile.path))

        #expect(try ring.key(forBotNamed: "support") == APIKey("support-key-1234"))
        #expect(try ring.key(forBotNamed: "SUPPORT") == APIKey("support-key-1234"))
        #expect(try ring.key(forBotNamed: "a3e8f869") == APIKey("support-key-1234"))  // by id
        #expect(try ring.key(forBotNamed: "vault") == APIKey("vault-key-1234"))
        #expect(try ring.key(forBotNamed: "plain") == APIKey("shared-file-key-1234"))
        // A bot the configuration does not name (an id typed on the command line) gets the shared key.
        #expect(try ring.key(forBotNamed: "5d2e-not-configured") == APIKey("shared-file-key-1234"))
        #expect(try ring.key(for: config.bots[1])?.source == .botCommand)
    }

    @Test func theKeyRingRunsTheSharedCommandOnce() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let runs = sandbox.root.appendingPathComponent("runs")
        let command = "echo run >> '\(runs.path)'; echo shared-command-key-1234"
        let config = Config(apiKeyCommand: command, bots: [BotConfig(name: "a", id: "1"), BotConfig(name: "b", id: "2")])
        let ring = try KeyRing(environment: Self.environment, config: config, paths: sandbox.paths)
        for name in ["a", "b", "a", "unknown"] {
            #expect(try ring.key(forBotNamed: name) == APIKey("shared-command-key-1234"))
        }
        #expect(try sandbox.read(runs) == "run\n")
    }

    @Test func aKeyRingWithAnUnusableSharedSourceIsAnError() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        try sandbox.write("shared-file-key-1234\n", to: sandbox.paths.apiKeyFile, mode: 0o640)
        #expect(throws: CredentialError.self) {
            try KeyRing(environment: Self.environment, config: Config(), paths: sandbox.paths)
        }
    }
}
