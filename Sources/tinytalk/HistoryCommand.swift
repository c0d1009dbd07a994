import ArgumentParser
import Foundation
import TerminalKit
import TinyTalkAPI
import TinyTalkCore

/// `tinytalk history [list|rename|delete]`: the saved conversations.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List, rename and delete saved conversations.",
        subcommands: [HistoryListCommand.self, HistoryRenameCommand.self, HistoryDeleteCommand.self],
        defaultSubcommand: HistoryListCommand.self)
}

/// `tinytalk history [list]`: the saved conversations, most recent first.
struct HistoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List saved conversations, most recent first (the default).")

    @Option(help: "Only conversations with this bot (configured name or id).")
    var bot: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "At most this many conversations.")
    var limit: Int = 50

    func run() async throws {
        let environment = try AppEnvironment.load()
        let store = try environment.openStore(readOnly: true)
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
                String(conversation.id), TextExcerpt.clean(conversation.botName, limit: 40), Self.when(conversation.updatedAt),
                String(summary.messageCount), conversation.title.isEmpty ? "(empty)" : TextExcerpt.clean(conversation.title, limit: 80),
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

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard !terms.joined().trimmingSpaces().isEmpty else {
            throw ValidationError("give at least one word to search for.")
        }
    }

    func run() async throws {
        let environment = try AppEnvironment.load()
        let store = try environment.openStore(readOnly: true)
        let hits = try store.search(terms.joined(separator: " "), limit: max(1, limit))
        if json {
            var out = JSONText()
            out.raw("[")
            for (index, hit) in hits.enumerated() {
                out.raw(index == 0 ? "\n  {\"conversation\": \(hit.conversationId)" : ",\n  {\"conversation\": \(hit.conversationId)")
                out.raw(", \"message\": \(hit.messageId), \"bot\": ")
                out.string(hit.botName)
                out.raw(", \"time\": ")
                out.string(ConversationExport.timestamp(hit.createdAt))
                out.raw(", \"role\": ")
                out.string(hit.role)
                out.raw(", \"text\": ")
                out.string(hit.snippet)
                out.raw("}")
            }
            out.raw(hits.isEmpty ? "]\n" : "\n]\n")
            StandardOutput.write(String(decoding: out.bytes, as: UTF8.self))
            return
        }
        guard !hits.isEmpty else {
            StandardError.write("No messages match.\n")
            return
        }
        // Matches stand out on a terminal (bold, reversed), like grep --color=auto; a pipe gets the words alone.
        let highlight = StandardOutput.isTerminal && (environment.variables["NO_COLOR"] ?? "").isEmpty
        let rows = hits.map { hit -> [String] in
            let text = hit.snippetPieces(limit: 160).map { piece in
                highlight && piece.matched ? "\u{1B}[1;7m\(piece.text)\u{1B}[0m" : piece.text
            }.joined()
            return [String(hit.conversationId), hit.botName, HistoryListCommand.when(hit.createdAt), hit.role, text]
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
        let store = try environment.openStore(readOnly: true)
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
