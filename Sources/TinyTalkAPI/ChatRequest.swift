/// The body of one `POST /v1/chat/completions`, encoded exactly as the API documents it.
public struct ChatRequest: Sendable, Equatable {
    /// The temperatures the service accepts.
    public static let temperatureRange: ClosedRange<Double> = 0...2

    public var botId: String
    public var messages: [ChatMessage]
    /// Omitted from the body when `nil`, so the bot's own setting applies.
    public var temperature: Double?
    /// Overrides the bot's configured model (it must be on the plan); omitted when `nil`.
    public var model: String?
    /// `true` asks for a server-sent-events stream; `false` for one JSON object. Always sent:
    /// left out, the bot's own setting would decide.
    public var stream: Bool

    public init(botId: String, messages: [ChatMessage], temperature: Double? = nil, model: String? = nil, stream: Bool = true) {
        self.botId = botId
        self.messages = messages
        self.temperature = temperature
        self.model = model.flatMap { $0.isEmpty ? nil : $0 }
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
        if let model {
            try Self.validate(model: model)
        }
    }

    /// A model name is one word of printable characters, as the service names them (`gpt-4o-mini`).
    public static func validate(model: String) throws(APIError) {
        guard !model.isEmpty, model.count <= 100,
            !model.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
        else {
            throw .invalidRequest("The model name \"\(model)\" is not usable: it must be one word, such as gpt-4o-mini.")
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

    /// The request's headers, in order: `Api-Key` and `Origin` (each only when the endpoint has
    /// one), `Content-Type`, `Accept`, `User-Agent`.
    public func headers(for endpoint: Endpoint, userAgent: String) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let key = endpoint.apiKey { headers.append(("Api-Key", key.secret)) }
        if let origin = endpoint.origin { headers.append(("Origin", origin)) }
        headers.append(("Content-Type", "application/json"))
        headers.append(("Accept", stream ? "text/event-stream" : "application/json"))
        headers.append(("User-Agent", userAgent))
        return headers
    }

    /// The JSON body: `botId`, `messages`, `model` and `temperature` (each only when set),
    /// `stream`, in that order.
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
        if let model {
            out.raw(",\"model\":")
            out.string(model)
        }
        if let temperature {
            out.raw(",\"temperature\":")
            out.raw(JSONText.number(temperature))
        }
        out.raw(stream ? ",\"stream\":true}" : ",\"stream\":false}")
        return out.bytes
    }
}
