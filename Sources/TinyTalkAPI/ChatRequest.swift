/// The body of one `POST /v1/chat/completions`, encoded exactly as the API documents it.
public struct ChatRequest: Sendable, Equatable {
    /// The temperatures the service accepts.
    public static let temperatureRange: ClosedRange<Double> = 0...2

    public var botId: String
    public var messages: [ChatMessage]
    /// Omitted from the body when `nil`, so the bot's own setting applies.
    public var temperature: Double?
    /// `true` asks for a server-sent-events stream; `false` for one JSON object.
    public var stream: Bool

    public init(botId: String, messages: [ChatMessage], temperature: Double? = nil, stream: Bool = true) {
        self.botId = botId
        self.messages = messages
        self.temperature = temperature
        self.stream = stream
    }

    /// Refuses, before anything is sent, a request the service would reject.
    public func validate() throws(APIError) {
        if botId.isEmpty {
            throw .invalidRequest("No bot id: pass the bot's id (its details page shows it).")
        }
        if messages.isEmpty {
            throw .invalidRequest("The conversation is empty: there is nothing to send.")
        }
        if let temperature {
            try Self.validate(temperature: temperature)
        }
    }

    /// Checks a temperature against the range the service accepts.
    public static func validate(temperature: Double) throws(APIError) {
        guard temperature.isFinite, temperatureRange.contains(temperature) else {
            throw .invalidRequest(
                "Temperature \(JSONText.number(temperature)) is out of range: it must be between 0 and 2 (0.2 is focused, 0.8 more random)."
            )
        }
    }

    /// The request's headers, in order: `Api-Key`, `Origin`, `Content-Type`, `Accept`, `User-Agent`.
    public func headers(for endpoint: Endpoint, userAgent: String) -> [(name: String, value: String)] {
        [
            ("Api-Key", endpoint.apiKey.secret),
            ("Origin", endpoint.origin),
            ("Content-Type", "application/json"),
            ("Accept", stream ? "text/event-stream" : "application/json"),
            ("User-Agent", userAgent),
        ]
    }

    /// The JSON body: `botId`, `messages`, `temperature` (only when set), `stream`, in that order.
    public func jsonBody() -> [UInt8] {
        var out = JSONText()
        out.raw("{\"botId\":")
        out.string(botId)
        out.raw(",\"messages\":[")
        for (index, message) in messages.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"role\":")
            out.string(message.role.rawValue)
            out.raw(",\"content\":")
            out.string(message.content)
            out.raw("}")
        }
        out.raw("]")
        if let temperature {
            out.raw(",\"temperature\":")
            out.raw(JSONText.number(temperature))
        }
        out.raw(stream ? ",\"stream\":true}" : ",\"stream\":false}")
        return out.bytes
    }
}
