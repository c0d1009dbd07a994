import ArgumentParser
import Foundation
import TerminalKit
import TinyTalkAPI
import TinyTalkCore

/// `tinytalk history`: the saved conversations, most recent first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List saved conversations, most recent first.")

    @Option(help: "Only conversations with this bot (configured name or id).")
    var bot: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "At most this many conversations.")
    var limit: Int = 50

    func run() async throws {
        let environment = try AppEnvironment.load()
        let store = try environment.openStore()
        let name = bot.map { environment.config.bot(named: $0)?.name ?? $0 }
        let summaries = try store.conversations(bot: name, limit: max(1, limit))
        if json {
            var out = JSONText()
            out.raw("[")
            for (index, summary) in summaries.enumerated() {
                let conversation = summary.conversation
                out.raw(index == 0 ? "\n  {\"id\": \(conversation.id), \"bot\": " : ",\n  {\"id\": \(conversation.id), \"bot\": ")
                out.string(conversation.botName)
                out.raw(", \"title\": ")
                out.string(conversation.title)
                out.raw(", \"lastActivity\": ")
                out.string(ConversationExport.timestamp(conversation.updatedAt))
                out.raw(", \"messages\": \(summary.messageCount)}")
            }
            out.raw(summaries.isEmpty ? "]\n" : "\n]\n")
            StandardOutput.write(String(decoding: out.bytes, as: UTF8.self))
            return
        }
        guard !summaries.isEmpty else {
            StandardError.write(name.map { "No saved conversations with \($0).\n" } ?? "No saved conversations yet.\n")
            return
        }
        let rows = summaries.map { summary -> [String] in
            let conversation = summary.conversation
            return [
                String(conversation.id), conversation.botName, Self.when(conversation.updatedAt), String(summary.messageCount),
                conversation.title.isEmpty ? "(empty)" : conversation.title,
            ]
        }
        StandardOutput.write(Table.render(header: ["ID", "BOT", "LAST ACTIVITY", "MSGS", "TITLE"], rows: rows))
    }

    static func when(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}

/// `tinytalk search`: full-text search over every saved message.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search all saved messages; every word must match.")

    @Argument(help: "Words to find.")
    var terms: [String]

    @Option(help: "At most this many results.")
    var limit: Int = 50

    func validate() throws {
        guard !terms.joined().trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("give at least one word to search for.")
        }
    }

    func run() async throws {
        let environment = try AppEnvironment.load()
        let store = try environment.openStore()
        let hits = try store.search(terms.joined(separator: " "), limit: max(1, limit))
        guard !hits.isEmpty else {
            StandardError.write("No messages match.\n")
            return
        }
        let rows = hits.map { hit -> [String] in
            [
                String(hit.conversationId), hit.botName, HistoryCommand.when(hit.createdAt), hit.role,
                TextExcerpt.clean(hit.snippet, limit: 160),
            ]
        }
        StandardOutput.write(Table.render(header: ["CONV", "BOT", "TIME", "ROLE", "TEXT"], rows: rows))
    }
}

/// `tinytalk export`: one conversation as Markdown or JSON.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a conversation as Markdown or JSON.",
        discussion: "The JSON holds the API's messages array, so `tinytalk ask --messages FILE` can continue from it.")

    @Argument(help: "The conversation's id (see `tinytalk history`).")
    var id: Int64

    @Option(help: "md or json.")
    var format: String = "md"

    @Option(name: [.short, .long], help: "Write to this file instead of stdout.")
    var output: String?

    func run() async throws {
        guard let format = ConversationExport.Format(rawValue: format.lowercased()) else {
            throw CLIFailure.exit(ExitStatus.usage, "--format must be md or json, not \(format).")
        }
        let environment = try AppEnvironment.load()
        let store = try environment.openStore()
        guard let conversation = try store.conversation(id: id) else {
            throw CLIFailure.exit(ExitStatus.usage, "there is no conversation \(id) (see `tinytalk history`).")
        }
        let text = ConversationExport.render(conversation, messages: try store.messages(conversationId: id), as: format)
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                throw CLIFailure.exit(ExitStatus.apiFailure, "cannot write \(output): \(error.localizedDescription)")
            }
            StandardError.write("Wrote conversation \(id) to \(output).\n")
        } else {
            StandardOutput.write(StandardOutput.isTerminal ? TerminalSafeText.neutralize(text) : text)
        }
    }
}

/// `tinytalk config path` and `tinytalk config check`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show where the configuration lives, or check it.",
        subcommands: [Path.self, Check.self])

    struct Path: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the configuration file's path (and the other files').")

        @Flag(help: "Also list the key file, database and log.")
        var all = false

        func run() async throws {
            let paths = Paths.resolve(environment: ProcessInfo.processInfo.environment)
            StandardOutput.write(paths.configFile.path + "\n")
            if all {
                StandardOutput.write(
                    "key file: \(paths.apiKeyFile.path)\nthemes:   \(paths.userThemesDirectory.path)\n"
                        + "history:  \(paths.databaseFile.path)\nlog:      \(paths.logFile.path)\n")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the configuration and list its bots.")

        func run() async throws {
            let environment = try AppEnvironment.load()
            let config = environment.config
            let exists = FileManager.default.fileExists(atPath: environment.paths.configFile.path)
            StandardOutput.write(
                exists ? "\(environment.paths.configFile.path): OK\n" : "\(environment.paths.configFile.path): not found (defaults apply)\n")
            StandardOutput.write("endpoint: \(config.endpoint ?? Endpoint.defaultURL)\norigin:   \(config.origin ?? Endpoint.defaultOrigin)\n")
            if config.bots.isEmpty {
                StandardOutput.write("bots:     none configured\n")
            } else {
                StandardOutput.write("bots:\n")
                for bot in config.bots {
                    var facts = [bot.id]
                    if let temperature = bot.temperature { facts.append("temperature \(JSONText.number(temperature))") }
                    if bot.system != nil { facts.append("system prompt") }
                    if let endpoint = bot.endpoint { facts.append(endpoint) }
                    StandardOutput.write("  \(bot.name): \(facts.joined(separator: ", "))\n")
                }
            }
            do {
                let source = try Credentials.resolve(environment: environment.variables, config: config, paths: environment.paths).source
                StandardOutput.write("api key:  found (\(source))\n")
            } catch {
                StandardOutput.write("api key:  \(error.description)\n")
            }
        }
    }
}
