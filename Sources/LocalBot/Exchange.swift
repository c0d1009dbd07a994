import NIOCore
import NIOHTTP1
import TinyTalkAPI

/// One request and its response on a local server connection.
struct Exchange {
    static let chatPath = "/v1/chat/completions"
    static let faultHeader = "X-LocalBot-Fault"
    /// The largest request body the server reads.
    static let maxBody = 16 * 1024 * 1024
    /// After how many content deltas a `stall` fault pauses.
    static let stallAfter = 3

    let server: LocalBotServer
    let head: HTTPRequestHead
    let body: [UInt8]
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    private var configuration: LocalBotConfiguration { server.configuration }

    /// Answers the request. Returns false when the connection must close (a dropped stream).
    func respond() async throws -> Bool {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == Self.chatPath else {
            return try await reject(status: 404, "No such endpoint: \(path). Chat completions are at POST \(Self.chatPath).")
        }
        guard head.method == .POST else {
            return try await reject(status: 405, "Use POST for \(Self.chatPath).", extraHeaders: [("Allow", "POST")])
        }
        guard body.count <= Self.maxBody else {
            return try await reject(status: 413, "The request body is larger than 16 MiB.")
        }

        let fault: LocalBotFault
        if let text = head.headers.first(name: Self.faultHeader) {
            do {
                fault = try LocalBotFault(parsing: text)
            } catch {
                return try await reject(status: 400, "\(Self.faultHeader): \(error.message)")
            }
        } else {
            fault = configuration.fault
        }

        let headers = head.headers.map { (name: $0.name, value: $0.value) }
        let request: LocalBotRequest
        switch LocalBotRequest.validate(headers: headers, body: body, configuration: configuration) {
        case .failure(let rejection):
            return try await reject(status: rejection.status, rejection.message)
        case .success(let accepted):
            request = accepted
        }

        if fault.htmlError {
            let page = """
                <!DOCTYPE html>
                <html><head><title>502 Bad Gateway</title><style>body{font-family:sans-serif}</style></head>
                <body><h1>502 Bad Gateway</h1><p>The upstream server did not answer in time.</p><hr><p>localbot-proxy</p></body></html>
                """
            log("\(request.bot.id) 502 (html-error)")
            return try await send(status: 502, contentType: "text/html; charset=utf-8", body: page)
        }
        if let status = fault.status {
            let message: String
            switch status {
            case 429: message = "Rate limit reached for this bot: slow down and retry."
            case 500...599: message = "The upstream model is overloaded; try again shortly."
            default: message = "Injected failure with status \(status)."
            }
            var extra: [(String, String)] = []
            if let retryAfter = fault.retryAfter { extra.append(("Retry-After", String(retryAfter))) }
            return try await reject(status: status, message, extraHeaders: extra)
        }

        var rateHeaders: [(String, String)] = []
        if let limit = fault.rateLimit, !request.hasValidKey {
            let verdict = server.anonymousRequests.admit(limit: limit, window: fault.rateWindow ?? 60)
            rateHeaders = verdict.headers
            guard verdict.allowed else {
                return try await reject(
                    status: 429,
                    "Rate limit exceeded: \(limit) \(limit == 1 ? "request" : "requests") per \(JSONText.number(fault.rateWindow ?? 60)) s without an API key. Slow down, or send a key.",
                    extraHeaders: [("Retry-After", String(verdict.retryAfter))] + rateHeaders)
            }
        }

        let reply = configuration.replyDeltas.map { (text: $0.joined(), citations: [Citation]()) }
            ?? request.bot.answer(BotQuestion(messages: request.messages, temperature: request.temperature, model: request.model))
        let writer = ChunkWriter(crlf: fault.crlf, model: request.model ?? LocalBotConfiguration.defaultModel)
        let promptTokens = request.messages.reduce(0) { $0 + $1.content.count } / 4 + 1
        guard request.stream else {
            log("\(request.bot.id) 200 json (\(reply.text.count) characters)")
            return try await send(
                status: 200, contentType: "application/json",
                body: writer.completion(text: reply.text, citations: reply.citations, promptTokens: promptTokens),
                extraHeaders: rateHeaders)
        }
        return try await stream(
            reply, with: writer, fault: fault, botId: request.bot.id, promptTokens: promptTokens, extraHeaders: rateHeaders)
    }

    private func stream(
        _ reply: (text: String, citations: [Citation]), with writer: ChunkWriter, fault: LocalBotFault, botId: String,
        promptTokens: Int, extraHeaders: [(String, String)]
    ) async throws -> Bool {
        var headers = HTTPHeaders()
        if fault.jsonLabel {
            headers.add(name: "Content-Type", value: "application/json")
        } else if !fault.noContentType {
            headers.add(name: "Content-Type", value: "text/event-stream; charset=utf-8")
        }
        headers.add(name: "Cache-Control", value: "no-cache")
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers)))

        var output = EventOutput(outbound: outbound, byteWrites: fault.byteWrites, batched: configuration.tokensPerSecond <= 0)
        try await output.emit(writer.roleChunk())
        let tokens = configuration.replyDeltas ?? ReplyTokens.split(reply.text)
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0...tokens.count {
            if let after = fault.errorEventAfter, index == min(after, tokens.count) {
                try await output.emit(writer.errorEvent("The model stopped unexpectedly (injected error event)."))
                try await output.finish()
                log("\(botId) 200 stream, error event after \(index) deltas")
                return true
            }
            if let after = fault.dropAfter, index == min(after, tokens.count) {
                try await output.flush()
                // Give the last writes time to leave before the connection is cut.
                try await Task.sleep(for: .milliseconds(50))
                log("\(botId) 200 stream, dropped after \(index) deltas")
                return false
            }
            if let stall = fault.stall, index == min(Self.stallAfter, tokens.count) {
                try await output.flush()
                try await Task.sleep(for: .seconds(stall))
            }
            guard index < tokens.count else { break }
            if configuration.tokensPerSecond > 0 {
                try await clock.sleep(until: start.advanced(by: .seconds(Double(index) / configuration.tokensPerSecond)))
            }
            try await output.emit(writer.contentChunk(tokens[index]))
        }
        try await output.emit(writer.finishChunk())
        try await output.emit(writer.usageChunk(promptTokens: promptTokens, completionTokens: tokens.count))
        if !fault.noDone {
            try await output.emit(writer.done())
            if !reply.citations.isEmpty {
                try await output.emit(writer.citations(reply.citations, named: !fault.payloadAsData))
            }
        }
        if fault.keepOpen {
            // As a server that never ends the response: the client must let go by itself.
            try await output.flush()
            try await Task.sleep(for: .seconds(30))
        }
        try await output.finish()
        log("\(botId) 200 stream (\(tokens.count) deltas)")
        return true
    }

    private func reject(status: Int, _ message: String, extraHeaders: [(String, String)] = []) async throws -> Bool {
        log("\(head.method) \(head.uri) \(status): \(message)")
        return try await send(
            status: status, contentType: "application/json", body: "{\"message\":\(JSONText.quoted(message))}",
            extraHeaders: extraHeaders)
    }

    private func send(
        status: Int, contentType: String, body: String, extraHeaders: [(String, String)] = []
    ) async throws -> Bool {
        let bytes = ByteBuffer(string: body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(bytes.readableBytes))
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        try await outbound.write(contentsOf: [.head(responseHead), .body(.byteBuffer(bytes)), .end(nil)])
        return true
    }

    private func log(_ line: String) {
        configuration.log?(line)
    }
}

/// Writes SSE text to the connection: batched when streaming as fast as possible, one write
/// per event when paced, or one byte per write when asked to split everything.
private struct EventOutput {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    let byteWrites: Bool
    let batched: Bool
    private var pending = ByteBuffer()
    private static let batchSize = 16 * 1024

    init(outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, byteWrites: Bool, batched: Bool) {
        self.outbound = outbound
        self.byteWrites = byteWrites
        self.batched = batched
    }

    mutating func emit(_ text: String) async throws {
        if byteWrites {
            for byte in text.utf8 {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: [byte]))))
            }
            return
        }
        pending.writeString(text)
        if !batched || pending.readableBytes >= Self.batchSize {
            try await flush()
        }
    }

    mutating func flush() async throws {
        guard pending.readableBytes > 0 else { return }
        let chunk = pending
        pending = ByteBuffer()
        try await outbound.write(.body(.byteBuffer(chunk)))
    }

    mutating func finish() async throws {
        try await flush()
        try await outbound.write(.end(nil))
    }
}
