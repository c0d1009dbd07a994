import Foundation
import GRDB
import Logging
import TinyTalkAPI

/// Rows read back defensively: a value of an unexpected type (a damaged or hand-edited
/// database) never traps. A row whose identity or text cannot be read is left out, with the
/// reason logged; a time that cannot be read shows as the Unix epoch.
extension Store {
    static let rowLogger = Logger(label: "tinytalk.store")

    static func conversation(_ row: Row) -> Conversation? {
        guard let id: Int64 = row.decoded("id") else { return damaged("conversation", row, "no usable id") }
        guard let botId: String = row.decoded("botId"), let botName: String = row.decoded("botName") else {
            return damaged("conversation \(id)", row, "its bot cannot be read")
        }
        return Conversation(
            id: id, botId: botId, botName: botName, title: row.decoded("title") ?? "", systemPrompt: row.decoded("systemPrompt"),
            temperature: row.decoded("temperature"), model: row.decoded("model"), createdAt: row.time("createdAt"),
            updatedAt: row.time("updatedAt"), forkedFrom: row.decoded("forkedFrom"))
    }

    static func message(_ row: Row) -> Message? {
        guard let id: Int64 = row.decoded("id"), let conversationId: Int64 = row.decoded("conversationId") else {
            return damaged("message", row, "no usable id")
        }
        guard let content: String = row.decoded("content") else { return damaged("message \(id)", row, "its text cannot be read") }
        var citations: [Citation] = []
        if let json: String = row.decoded("citations") {
            citations = (try? JSONDecoder().decode([Citation].self, from: Data(json.utf8))) ?? []
        }
        let usage = Usage(promptTokens: row.decoded("promptTokens"), completionTokens: row.decoded("completionTokens"), totalTokens: row.decoded("totalTokens"))
        return Message(
            id: id, conversationId: conversationId, role: row.decoded("role").flatMap(Role.init(rawValue:)) ?? .assistant,
            content: content, state: row.decoded("state").flatMap(Message.State.init(rawValue:)) ?? .interrupted, error: row.decoded("error"),
            citations: citations, usage: usage.isEmpty ? nil : usage, createdAt: row.time("createdAt"), answers: row.decoded("answers"),
            isHidden: (row.decoded("hidden") ?? 0) != 0)
    }

    static func searchHit(_ row: Row) -> SearchHit? {
        guard let messageId: Int64 = row.decoded("id"), let conversationId: Int64 = row.decoded("conversationId") else {
            return damaged("search hit", row, "no usable id")
        }
        return SearchHit(
            messageId: messageId, conversationId: conversationId, botName: row.decoded("botName") ?? "?", title: row.decoded("title") ?? "",
            role: row.decoded("role") ?? "?", createdAt: row.time("createdAt"), markedSnippet: row.decoded("snippet") ?? "")
    }

    private static func damaged<T>(_ what: String, _ row: Row, _ reason: String) -> T? {
        rowLogger.warning("skipping a damaged row", metadata: ["row": "\(what)", "reason": "\(reason)"])
        return nil
    }
}

extension Row {
    /// The column's value as `T`, or nil when it is NULL or of another type (never a trap).
    func decoded<T: DatabaseValueConvertible>(_ column: String) -> T? {
        T.fromDatabaseValue(self[column] as DatabaseValue)
    }

    /// A time stored as Unix seconds; the epoch when it cannot be read.
    func time(_ column: String) -> Date {
        Date(timeIntervalSince1970: decoded(column) ?? 0)
    }
}
