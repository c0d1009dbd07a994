import Foundation
import TinyTalkAPI

/// A chat request the local server accepted, or the error response the real service would give.
struct LocalBotRequest {
    var bot: Bot
    var messages: [ChatMessage]
    var temperature: Double?
    var model: String?
    var stream: Bool
    /// The request carried a valid key: no rate limit applies.
    var hasValidKey: Bool

    struct Rejection: Error {
        var status: Int
        var message: String
    }

    /// Validates like Tiny Talk: body (400), bot (404), key for a private bot (401), origin
    /// (403), model (400 unknown, 403 not on the plan).
    static func validate(
        headers: [(name: String, value: String)], body: [UInt8], configuration: LocalBotConfiguration
    ) -> Result<LocalBotRequest, Rejection> {
        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
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
        var model: String?
        if let value = object["model"], !(value is NSNull) {
            guard let name = value as? String, !name.isEmpty else {
                return .failure(Rejection(status: 400, message: "model must be a model name such as \(LocalBotConfiguration.defaultModel)."))
            }
            model = name
        }
        let stream = (object["stream"] as? Bool) ?? true
        guard let bot = BotCatalog.bot(for: botId) else {
            return .failure(Rejection(status: 404, message: "Bot \(botId) not found."))
        }
        let key = header("Api-Key").flatMap { $0.isEmpty ? nil : $0 }
        let validKey = key.map { configuration.keys.contains($0) || configuration.privateBots.values.contains($0) } ?? false
        if let entry = configuration.privateBots[bot.id] {
            guard let key else {
                return .failure(Rejection(status: 401, message: "This agent is private: send an API key in the Api-Key header."))
            }
            guard entry.map({ $0 == key }) ?? configuration.keys.contains(key) else {
                return .failure(Rejection(status: 401, message: "Invalid API key for this agent."))
            }
        }
        if !configuration.allowedOrigins.isEmpty {
            let origin = header("Origin") ?? ""
            guard configuration.allowedOrigins.contains(origin) else {
                let shown = origin.isEmpty ? "(none)" : origin
                return .failure(Rejection(status: 403, message: "Origin \(shown) is not allowed for this bot."))
            }
        }
        if let model {
            guard LocalBotConfiguration.knownModels.contains(model) else {
                return .failure(Rejection(status: 400, message: "Unknown model \(model)."))
            }
            guard configuration.planModels.contains(model) else {
                return .failure(
                    Rejection(
                        status: 403,
                        message: "The model \(model) is not available on your plan (available: \(configuration.planModels.joined(separator: ", ")))."))
            }
        }
        return .success(
            LocalBotRequest(
                bot: bot, messages: messages, temperature: temperature, model: model, stream: stream, hasValidKey: validKey))
    }
}
