import ArgumentParser
import Foundation
import TinyTalkAPI
import TinyTalkCore

/// `tinytalk history rename ID TITLE`.
struct HistoryRenameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename", abstract: "Give a saved conversation another title (the ID from tinytalk history).")

    @Argument(help: "The conversation's id.")
    var id: Int64

    @Argument(help: "The new title (words are joined by spaces).")
    var title: [String]

    func run() async throws {
        let store = try AppEnvironment.load().openStore()
        let conversation = try HistoryDeleteCommand.existing(id, in: store)
        let text = title.joined(separator: " ").trimmingWhitespace()
        try store.renameConversation(id: conversation.id, title: text)
        StandardError.write("Conversation \(id) is now “\(TextExcerpt.clean(text, limit: 80))”.\n")
    }
}

/// `tinytalk history delete ID [--yes]`.
struct HistoryDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a saved conversation and its messages (asks first on a terminal).")

    @Argument(help: "The conversation's id (from tinytalk history).")
    var id: Int64

    @Flag(help: "Do not ask (needed when standard input is not a terminal).")
    var yes = false

    func run() async throws {
        let store = try AppEnvironment.load().openStore()
        let conversation = try Self.existing(id, in: store)
        guard !store.isConversationLocked(id) else {
            throw CLIFailure.exit(ExitStatus.usage, "conversation \(id) is open in a running tinytalk: close its tab there first")
        }
        let count = try store.messages(conversationId: id).filter { !$0.isHidden }.count
        let name = conversation.title.isEmpty ? "(untitled)" : TextExcerpt.clean(conversation.title, limit: 80)
        if !yes {
            guard StandardInput.isTerminal else {
                throw CLIFailure.exit(ExitStatus.usage, "history delete asks first; with no terminal to ask on, give --yes")
            }
            StandardError.write("Delete “\(name)” with \(TextExcerpt.clean(conversation.botName, limit: 40)) and its \(count) message\(count == 1 ? "" : "s")? [y/N] ")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased().trimmingSpaces()) else {
                StandardError.write("Kept.\n")
                return
            }
        }
        try store.deleteConversation(id: id)
        StandardError.write("Deleted conversation \(id) (\(count) message\(count == 1 ? "" : "s")).\n")
    }

    /// The conversation, or a clear message that there is none with that id.
    static func existing(_ id: Int64, in store: Store) throws -> Conversation {
        guard let conversation = try store.conversation(id: id) else {
            throw CLIFailure.exit(ExitStatus.usage, "no conversation \(id) (tinytalk history lists them)")
        }
        return conversation
    }
}
