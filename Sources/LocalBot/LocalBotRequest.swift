import Foundation
import TinyTalkAPI

/// A chat request the local server accepted, or the error response the real service would give.
struct LocalBotRequest {
    var bot: Bot
    var messages: [ChatMessage]
    var temperature: Double?
    var stream: Bool

    struct Rejection: Error {
        var status: Int
        var message: String
    }

    /// Validates like Tiny Talk: key (401), origin (403), body (400), bot (404).
    static func validate(
        headers: [(name: String, value: String)], body: [UInt8], configuration: LocalBotConfiguration
    ) -> Result<LocalBotRequest, Rejection> {
        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        if !configuration.keys.isEmpty {
            guard let key = header("Api-Key"), !key.isEmpty else {
                return .failure(Rejection(status: 401, message: "Missing API key: send it in the Api-Key header."))
            }
            guard configuration.keys.contains(key) else {
                return .failure(Rejection(status: 401, message: "Invalid API key."))
            }
        }
        if !configuration.allowedOrigins.isEmpty {
            let origin = header("Origin") ?? ""
            guard configuration.allowedOrigins.contains(origin) else {
                let shown = origin.isEmpty ? "(none)" : origin
                return .failure(Rejection(status: 403, message: "Origin \(shown) is not allowed for this bot."))
            }
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)), let object = json as? [String: Any] else {
            return .failure(Rejection(status: 400, message: "The request body is not a JSON object."))
        }
        guard let botId = object["botId"] as? String, !botId.isEmpty else {
            return .failure(Rejection(status: 400, message: "Missing botId."))
        }
        guard let rawMessages = object["messages"] as? [Any], !rawMessages.isEmpty else {
            return .failure(Rejection(status: 400, message: "Missing messages: send the conversation as an array of {role, content}."))
        }
        var messages: [ChatMessage] = []
        for (index, raw) in rawMessages.enumerated() {
            guard let item = raw as? [String: Any], let roleName = item["role"] as? String, let content = item["content"] as? String
            else {
                return .failure(Rejection(status: 400, message: "messages[\(index)] needs a string role and a string content."))
            }
            guard let role = Role(rawValue: roleName) else {
                return .failure(Rejection(status: 400, message: "messages[\(index)].role must be system, user or assistant, not \(roleName)."))
            }
            messages.append(ChatMessage(role: role, content: content))
        }
        var temperature: Double?
        if let value = object["temperature"], !(value is NSNull) {
            guard let number = value as? NSNumber, (0...2).contains(number.doubleValue) else {
                return .failure(Rejection(status: 400, message: "temperature must be a number from 0 to 2."))
            }
            temperature = number.doubleValue
        }
        let stream = (object["stream"] as? Bool) ?? true
        guard let bot = BotCatalog.bot(for: botId) else {
            return .failure(Rejection(status: 404, message: "Bot \(botId) not found."))
        }
        return .success(LocalBotRequest(bot: bot, messages: messages, temperature: temperature, stream: stream))
    }
}
