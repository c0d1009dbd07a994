/// Turns server-sent events into reply text, completion, citations or errors, following the
/// Tiny Talk stream: OpenAI-style `chat.completion.chunk` objects, ended by `data: [DONE]`,
/// optionally followed by a `message_payload` event with cited sources.
public struct DeltaDecoder: Sendable {
    /// What one event means for the reply.
    public enum Output: Sendable, Equatable {
        /// Nothing for the reader: a role-only, usage-only, empty, unknown or non-JSON event.
        case nothing
        case text(String)
        case citations([Citation])
        /// `data: [DONE]`: the reply is complete.
        case done
        /// The server reported an error; the reply ends with this message.
        case failure(String)
    }

    /// True once `data: [DONE]` has been seen.
    public private(set) var isComplete = false
    /// The token counts, once a chunk carried them (usually the last, with empty `choices`).
    public private(set) var usage: Usage?

    public init() {}

    /// Decodes one event. After `[DONE]` only cited sources are taken; everything else is ignored.
    public mutating func decode(_ event: SSERawEvent) -> Output {
        let data = event.data
        // Most events have no type (a `message`): neither check below applies to them.
        let typed = !event.type.isEmpty
        if typed && event.isType("error") && !isComplete {
            return .failure(Self.errorText(from: data))
        }
        if (typed && event.isType("message_payload")) || isComplete {
            guard Self.mentionsCitations(data) else { return .nothing }
            let found = Citation.leniently(in: data)
            return found.isEmpty ? .nothing : .citations(found)
        }
        if Self.isDone(data) {
            isComplete = true
            return .done
        }
        guard let fields = JSONScanner.scanObject(data) else { return .nothing }
        if fields.hasError {
            return .failure(Self.presentable(fields.errorMessage) ?? Self.errorText(from: data))
        }
        if let reported = fields.usage, !reported.isEmpty { usage = reported }
        if let content = fields.deltaContent, !content.isEmpty {
            return .text(content)
        }
        if fields.mayCarryCitations {
            let found = Citation.leniently(in: data)
            return found.isEmpty ? .nothing : .citations(found)
        }
        return .nothing
    }

    /// Convenience for an event with its own storage.
    public mutating func decode(_ event: SSEEvent) -> Output {
        let type: [UInt8] = event.type == "message" ? [] : Array(event.type.utf8)
        let data = Array(event.data.utf8)
        let id = Array(event.lastEventID.utf8)
        return type.withUnsafeBufferPointer { type in
            data.withUnsafeBufferPointer { data in
                id.withUnsafeBufferPointer { id in
                    decode(SSERawEvent(type: type, data: data, lastEventID: id))
                }
            }
        }
    }

    /// A whole reply read from a body that is one JSON object.
    public struct Completion: Sendable, Equatable {
        public var text: String
        public var citations: [Citation]
        public var usage: Usage?
    }

    /// The reply in a body that is one JSON object (`"stream": false`, or a server that ignored
    /// the stream flag): `choices[0].message.content`, `payload.citedResources` and `usage`.
    public static func decodeCompletion(_ body: [UInt8]) throws(APIError) -> Completion {
        let scanned = body.withUnsafeBufferPointer { buffer in
            JSONScanner.scanObject(buffer).map { fields in
                (fields, fields.mayCarryCitations ? Citation.leniently(in: buffer) : [])
            }
        }
        guard let (fields, citations) = scanned else {
            let text = String(decoding: body, as: UTF8.self)
            throw .invalidResponse("expected a JSON reply, got: \(TextExcerpt.clean(text, limit: 120))")
        }
        if fields.hasError {
            throw .errorEvent(presentable(fields.errorMessage) ?? "the server reported an error without a message")
        }
        if let text = fields.messageContent ?? fields.deltaContent {
            return Completion(text: text, citations: citations, usage: fields.usage.flatMap { $0.isEmpty ? nil : $0 })
        }
        if let message = presentable(fields.message) {
            throw .errorEvent(message)
        }
        throw .invalidResponse("the JSON reply has no choices[0].message.content")
    }

    /// The message of an error body: `message`, `error.message`, or `error` as a string; else a
    /// short excerpt of the body (an HTML error page is reduced to its text).
    public static func errorMessage(fromBody body: [UInt8]) -> String {
        let fields = body.withUnsafeBufferPointer { JSONScanner.scanObject($0) }
        if let fields, let message = presentable(fields.message) ?? presentable(fields.errorMessage) {
            return message
        }
        let text = String(decoding: body, as: UTF8.self)
        if TextExcerpt.looksLikeHTML(text) {
            return TextExcerpt.fromHTML(text, limit: 200)
        }
        return TextExcerpt.clean(text, limit: 200)
    }

    private static func errorText(from data: UnsafeBufferPointer<UInt8>) -> String {
        let message = errorMessage(fromBody: Array(data))
        return message.isEmpty ? "the server reported an error without a message" : message
    }

    private static func presentable(_ text: String?) -> String? {
        guard let text else { return nil }
        let cleaned = TextExcerpt.clean(text, limit: 500)
        return cleaned.isEmpty ? nil : cleaned
    }

    private static func isDone(_ data: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        var end = data.count
        while start < end, data[start] == 0x20 || data[start] == 0x09 || data[start] == 0x0A || data[start] == 0x0D { start += 1 }
        while end > start, data[end - 1] == 0x20 || data[end - 1] == 0x09 || data[end - 1] == 0x0A || data[end - 1] == 0x0D { end -= 1 }
        return UnsafeBufferPointer(rebasing: data[start..<end]).holds("[DONE]")
    }

    /// A cheap pre-check before a full parse for sources: does the text mention them at all?
    private static func mentionsCitations(_ data: UnsafeBufferPointer<UInt8>) -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        return text.contains("url") || text.contains("title")
    }
}
