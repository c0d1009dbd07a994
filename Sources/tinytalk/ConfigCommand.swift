import ArgumentParser
import Foundation
import TerminalKit
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// `tinytalk config …`: where the files are, checking them, and setting up bots and keys.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Set up bots and keys, show where the files are, or check them.",
        subcommands: [Path.self, Check.self, AddBot.self, RemoveBot.self, SetKey.self])

    struct Path: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the configuration file's path (and the other files').")

        @Flag(help: "Also list the key files, database and log.")
        var all = false

        func run() async throws {
            let paths = Paths.resolve(environment: ProcessInfo.processInfo.environment)
            StandardOutput.write(paths.configFile.path + "\n")
            if all {
                StandardOutput.write(
                    "key file: \(paths.apiKeyFile.path)\nbot keys: \(paths.botKeysDirectory.path)\n"
                        + "themes:   \(paths.userThemesDirectory.path)\nhistory:  \(paths.databaseFile.path)\nlog:      \(paths.logFile.path)\n")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and list its bots, with where each one's key comes from.")

        func run() async throws {
            let environment = try AppEnvironment.load()
            let config = environment.config
            let exists = FileManager.default.fileExists(atPath: environment.paths.configFile.path)
            StandardOutput.write(
                exists ? "\(environment.paths.configFile.path): OK\n" : "\(environment.paths.configFile.path): not found (defaults apply)\n")
            StandardOutput.write("endpoint: \(config.endpoint ?? Endpoint.defaultURL)\n")
            StandardOutput.write("origin:   \(config.origin ?? "none sent")\n")
            if let model = config.model { StandardOutput.write("model:    \(model)\n") }
            let proxy = Self.proxy(ProxySettings(environment: environment.variables), for: config.endpoint ?? Endpoint.defaultURL)
            StandardOutput.write(TerminalSafeText.neutralize("proxy:    \(proxy)") + "\n")
            let themes = ThemeLoader.standard(environment: environment.variables, userDirectory: environment.paths.userThemesDirectory)
            StandardOutput.write(
                "themes:   \(themes.names().joined(separator: ", "))"
                    + (themes.foldersWithThemes().isEmpty ? " (built in)" : " (from \(themes.foldersWithThemes().map(\.path).joined(separator: ", ")))") + "\n")
            let keys: KeyRing?
            do {
                keys = try KeyRing(environment: environment.variables, config: config, paths: environment.paths)
                StandardOutput.write("api key:  \(keys?.shared.map { "found (\($0.source))" } ?? "none (public agents need none)")\n")
            } catch {
                keys = nil
                StandardOutput.write("api key:  \(error.description)\n")
            }
            guard !config.bots.isEmpty else {
                StandardOutput.write("bots:     none configured (add one: tinytalk config add-bot NAME ID)\n")
                return
            }
            StandardOutput.write("bots:\n")
            for bot in config.bots {
                var facts = [bot.id]
                if let temperature = bot.temperature { facts.append("temperature \(JSONText.number(temperature))") }
                if let model = bot.model { facts.append("model \(model)") }
                if bot.system != nil { facts.append("system prompt") }
                if let endpoint = bot.endpoint { facts.append(endpoint) }
                if bot.apiKeyCommand != nil || bot.apiKeyFile != nil || environment.paths.keyFile(forBot: bot.name).map({
                    FileManager.default.fileExists(atPath: $0.path)
                }) == true {
                    do {
                        facts.append(try keys?.key(for: bot).map { "key from \($0.source)" } ?? "no key")
                    } catch {
                        facts.append("key: \(error.description)")
                    }
                }
                StandardOutput.write("  \(bot.name): \(facts.joined(separator: ", "))\n")
            }
        }

        /// Which proxy requests to `endpoint` go through, in words (never its password).
        static func proxy(_ settings: ProxySettings, for endpoint: String) -> String {
            let host = URLComponents(string: endpoint)?.encodedHost ?? ""
            if let problem = settings.problem { return problem }
            guard let server = settings.server else { return "none" }
            return settings.applies(to: host)
                ? server.address : "none for \(host) (it is in no_proxy or on this machine), else \(server.address)"
        }
    }

    struct AddBot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-bot",
            abstract: "Add a bot to the configuration (created when missing); the rest of the file is kept as it is.",
            discussion: "The id is on the agent's page on Tiny Talk: Settings → General. Public agents need no key; for a private one, run tinytalk config set-key --bot NAME next.")

        @Argument(help: "What to call the bot: tinytalk --bot NAME, /new NAME.")
        var name: String

        @Argument(help: "The agent's id.")
        var id: String

        @Option(help: "The Origin header, if the bot's owner allows only some origins.")
        var origin: String?

        @Option(help: "A model to ask for instead of the bot's own (it must be on the plan).")
        var model: String?

        @Option(help: "The chat completions URL, when it is not the service's.")
        var endpoint: String?

        func run() async throws {
            let environment = try AppEnvironment.load()
            let bot = BotConfig(name: name, id: id.trimmingSpaces(), origin: origin, endpoint: endpoint, model: model)
            do {
                try ConfigFiles(paths: environment.paths).addBot(bot)
            } catch {
                throw CLIFailure.exit(ExitStatus.usage, error.description)
            }
            StandardError.write(
                "Added the bot \(name) to \(environment.paths.configFile.path).\nChat with it: tinytalk --bot \(name)   (a private agent needs a key: tinytalk config set-key --bot \(name))\n")
        }
    }

    struct RemoveBot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-bot",
            abstract: "Remove a bot (and its own key file) from the configuration; its conversations stay in the history.")

        @Argument(help: "The bot's name.")
        var name: String

        func run() async throws {
            let environment = try AppEnvironment.load()
            do {
                try ConfigFiles(paths: environment.paths).removeBot(named: name)
            } catch {
                throw CLIFailure.exit(ExitStatus.usage, error.description)
            }
            StandardError.write("Removed the bot \(name) from \(environment.paths.configFile.path).\n")
        }
    }

    struct SetKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-key",
            abstract: "Save an API key, for every bot or for one; it is read without echo, or from standard input.",
            discussion: """
                Only private agents need a key. The key is read from standard input when that is not a terminal \
                (pass show tinytalk | tinytalk config set-key), else asked for without echo; it is written \
                atomically with mode 600 and never printed. Without --bot it is the shared key file; with \
                --bot NAME, that bot's own (keys/NAME in the config directory, or its api_key_file).
                """)

        @Option(help: "Save the key for this configured bot only.")
        var bot: String?

        func run() async throws {
            let environment = try AppEnvironment.load()
            var target: BotConfig?
            if let bot {
                guard let configured = environment.config.bot(named: bot) else {
                    throw CLIFailure.exit(
                        ExitStatus.usage, "no bot called \(bot) in \(environment.paths.configFile.path); add it first: tinytalk config add-bot \(bot) ID")
                }
                target = configured
            }
            let files = ConfigFiles(paths: environment.paths)
            let destination: String
            do {
                destination = try files.keyFile(forBot: target).path
            } catch {
                throw CLIFailure.exit(ExitStatus.usage, error.description)
            }
            let entered: String?
            if StandardInput.isTerminal {
                entered = SecretPrompt.read("API key for \(target?.name ?? "every bot") (input hidden): ")
            } else {
                entered = StandardInput.readAll().split(whereSeparator: \.isNewline).first.map(String.init)
            }
            let key = APIKey((entered ?? "").trimmingSpaces())
            guard !key.isEmpty else { throw CLIFailure.exit(ExitStatus.usage, "no key given; nothing was saved.") }
            do {
                try files.saveKey(key, forBot: target)
            } catch {
                throw CLIFailure.exit(ExitStatus.apiFailure, error.description)
            }
            StandardError.write("Saved the key to \(destination) (mode 600).\n")
            if target == nil {
                if !(environment.variables[Credentials.environmentVariable] ?? "").trimmingSpaces().isEmpty {
                    StandardError.write("Note: \(Credentials.environmentVariable) is set and is used before this file.\n")
                } else if environment.config.apiKeyCommand != nil {
                    StandardError.write("Note: api_key_command in the configuration is used before this file.\n")
                }
            }
        }
    }
}
