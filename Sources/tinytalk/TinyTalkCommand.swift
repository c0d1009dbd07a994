import ArgumentParser
import TinyTalkAPI

struct TinyTalkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tinytalk",
        abstract: "Chat with Tiny Talk bots from the terminal.",
        discussion: """
            With no command: the full-screen client (tinytalk --demo tries it with a local bot server).

            Commands:
              tinytalk ask PROMPT --bot BOT         one question, the reply streamed to stdout
              tinytalk history / search / export   the saved conversations (history rename, delete)
              tinytalk config add-bot NAME ID      set up a bot (remove-bot, set-key, path, check)
              tinytalk serve                       a local Tiny Talk-compatible bot server

            Public agents need no API key. For a private one the key comes from the bot's own key
            command or key file, TINYTALK_API_KEY, a key command or a key file (tinytalk config
            set-key writes it), never from the command line.
            """,
        version: TinyTalkVersion.current,
        subcommands: [ChatSubcommand.self, AskCommand.self, HistoryCommand.self, SearchCommand.self, ExportCommand.self, ConfigCommand.self, ServeCommand.self],
        defaultSubcommand: ChatSubcommand.self
    )
}

/// `tinytalk [chat] [--bot NAME]… [--demo]`: the full-screen client, the default command.
struct ChatSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "The full-screen client (the default command).")

    @Option(name: .customLong("bot"), help: "Open a tab with this bot (a configured name or an id); repeatable.")
    var bots: [String] = []

    @Option(help: "The chat completions URL for bots that do not name their own.")
    var endpoint: String?

    @Option(help: "The Origin header for bots that do not name their own.")
    var origin: String?

    @Flag(help: "Run with a built-in local bot server: no account, no network.")
    var demo = false

    @Option(help: "A theme: default, light, high-contrast, gruvbox, or one of your own.")
    var theme: String?

    @Option(help: "On exit, write frame and stream statistics as JSON to this file.")
    var statsFile: String?

    func run() async throws {
        try await ChatCommand.run(
            .init(bots: bots, endpoint: endpoint, origin: origin, demo: demo, theme: theme, statsFile: statsFile))
    }
}
