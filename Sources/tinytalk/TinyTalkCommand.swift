import ArgumentParser
import TinyTalkAPI

struct TinyTalkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tinytalk",
        abstract: "Chat with Tiny Talk bots from the terminal.",
        discussion: """
            Commands:
              tinytalk ask PROMPT --bot BOT         one question, the reply streamed to stdout
              tinytalk history / search / export   the saved conversations
              tinytalk config path / check         the configuration file
              tinytalk serve                       a local Tiny Talk-compatible bot server

            The API key comes from TINYTALK_API_KEY, a key command or a key file, never from the command line.
            """,
        version: TinyTalkVersion.current,
        subcommands: [AskCommand.self, HistoryCommand.self, SearchCommand.self, ExportCommand.self, ConfigCommand.self, ServeCommand.self]
    )
}
