import ArgumentParser
import TinyTalkAPI

struct TinyTalkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tinytalk",
        abstract: "Chat with Tiny Talk bots from the terminal.",
        discussion: """
            Commands:
              tinytalk ask PROMPT --bot BOT_ID     one question, the reply streamed to stdout
              tinytalk serve                       a local Tiny Talk-compatible bot server

            The API key is read from the TINYTALK_API_KEY environment variable, never from the command line.
            """,
        version: TinyTalkVersion.current,
        subcommands: [AskCommand.self, ServeCommand.self]
    )
}
