import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Reads one reply where its bytes arrive: AsyncHTTPClient hands each piece of the body to this
/// delegate on the connection's event loop, and the piece is decoded there and its deltas handed
/// to `onDelta` at once. No task is resumed and no thread woken per network read (reading the
/// body as an async sequence cost a task resumption and its allocations each time).
///
/// All of its state is touched on that one event loop only.
final class ReplyReader: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    /// What the reply turned out to be, and where the reading is.
    private enum Body {
        /// A status outside 2xx: the body is the error's text.
        case error(status: Int)
        /// Not yet known from the bytes so far (see ``BodyKind``).
        case undecided
        case stream
        case json
    }

    private let onDelta: @Sendable (ChatDelta) throws -> Void
    private let afterDoneWait: TimeAmount
    /// Whether the request carried a key (an error then says so).
    private let keySent: Bool
    private var body = Body.undecided
    private var headers = HTTPHeaders()
    /// What the body says it is (`Content-Type`).
    private var label: String { headers.first(name: "Content-Type")?.lowercased() ?? "" }
    private var bytes: [UInt8] = []
    private var parser = SSEParser()
    private var decoder = DeltaDecoder()
    private var outputs: [DeltaDecoder.Output] = []
    /// Why the reading stopped early: an error event, a delta the session refused, a body too
    /// large. The request is cancelled and this is what `send` throws.
    private(set) var failure: (any Error)?
    /// The head arrived: a broken connection from now on cuts a reply short.
    private(set) var receivedHead = false
    /// `[DONE]` came and the reply was taken as whole: the body ended, or the wait for cited
    /// sources after it ran out, or the connection broke after it. The request may then end
    /// in an error (a cancelled or closed connection) that changes nothing.
    private(set) var completedAfterDone = false
    private var tailTimer: Scheduled<Void>?

    init(afterDoneWait: TimeAmount, keySent: Bool, onDelta: @escaping @Sendable (ChatDelta) throws -> Void) {
        self.afterDoneWait = afterDoneWait
        self.keySent = keySent
        self.onDelta = onDelta
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        receivedHead = true
        headers = head.headers
        if !(200..<300).contains(head.status.code) { body = .error(status: Int(head.status.code)) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard failure == nil, !completedAfterDone else { return task.eventLoop.makeSucceededVoidFuture() }
        do {
            try read(buffer, task: task)
        } catch {
            stop(task, because: error)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        tailTimer?.cancel()
        // A connection that breaks after `[DONE]` does not change the reply: it was whole.
        guard failure == nil, case .stream = body, decoder.isComplete else { return }
        do {
            try completeAfterDone()
        } catch {
            failure = error
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        tailTimer?.cancel()
        if let failure { throw failure }
        try finish()
    }

    // MARK: - Reading

    private func read(_ buffer: ByteBuffer, task: HTTPClient.Task<Void>) throws {
        switch body {
        case .error:
            bytes.append(contentsOf: buffer.readableBytesView.prefix(max(0, ChatClient.errorBodyLimit - bytes.count)))
        case .undecided:
            bytes.append(contentsOf: buffer.readableBytesView)
            var kind = bytes.count > ChatClient.errorBodyLimit ? .other : BodyKind.of(bytes)
            if kind == .other { kind = Self.kind(labelled: label) ?? .other }
            switch kind {
            case .undecided: return
            case .stream:
                try beginStream().withUnsafeBytes { try decode($0, task: task) }
            case .json:
                body = .json
                try checkJSONSize()
            case .other:
                throw Self.unexpected(label, start: bytes)
            }
        case .stream:
            try buffer.withUnsafeReadableBytes { try decode($0, task: task) }
        case .json:
            bytes.append(contentsOf: buffer.readableBytesView)
            try checkJSONSize()
        }
    }

    /// The body has ended: what it said, in full.
    private func finish() throws {
        switch body {
        case .error(let status):
            throw APIError.http(
                status: status, message: DeltaDecoder.errorMessage(fromBody: bytes),
                retryAfter: ChatClient.retryAfter(headers.first(name: "Retry-After")), rateLimit: RateLimit { headers.first(name: $0) },
                keySent: keySent)
        case .undecided:
            // Too short to tell by its bytes: the label decides.
            switch Self.kind(labelled: label) {
            case .stream?:
                try beginStream().withUnsafeBytes { try deliver($0) }
                try finish()
            case .json?:
                body = .json
                try finish()
            default:
                throw APIError.truncated(detail: "the server sent no reply at all")
            }
        case .stream:
            guard decoder.isComplete else {
                parser.finish()
                throw APIError.truncated(detail: "the connection closed without a [DONE] event")
            }
            try completeAfterDone()
        case .json:
            let reply = try DeltaDecoder.decodeCompletion(bytes)
            if !reply.text.isEmpty { try onDelta(.text(reply.text)) }
            if !reply.citations.isEmpty { try onDelta(.citations(reply.citations)) }
            if let usage = reply.usage { try onDelta(.usage(usage)) }
        }
    }

    /// The body is a stream: the bytes held while that was not yet known, handed back to be
    /// decoded.
    private func beginStream() -> [UInt8] {
        body = .stream
        defer { bytes = [] }
        return bytes
    }

    /// Decodes bytes of the stream and hands over what they mean. After `[DONE]` the reply is
    /// whole: what follows (cited sources) is read for at most `afterDoneWait`, then the
    /// connection is let go, open or not.
    private func decode(_ bytes: UnsafeRawBufferPointer, task: HTTPClient.Task<Void>) throws {
        let wasComplete = decoder.isComplete
        try deliver(bytes)
        if parser.overflowed {
            throw APIError.invalidResponse(
                "the server sent one event larger than \(SSEParser.maxEventBytes >> 20) MiB; the reply stops there, its text so far kept")
        }
        if decoder.isComplete && !wasComplete {
            tailTimer = task.eventLoop.scheduleTask(in: afterDoneWait) { [self] in
                guard failure == nil else { return }
                do {
                    try completeAfterDone()
                } catch {
                    failure = error
                }
                task.cancel()
            }
        }
    }

    /// The reply is whole (`[DONE]` came): the last of the stream is read and the usage, if
    /// the server gave it, handed over, once.
    private func completeAfterDone() throws {
        guard !completedAfterDone else { return }
        completedAfterDone = true
        parser.finish()
        if let usage = decoder.usage { try onDelta(.usage(usage)) }
    }

    private func deliver(_ raw: UnsafeRawBufferPointer) throws {
        outputs.removeAll(keepingCapacity: true)
        // Text that arrived in one network read is handed over as one delta, gathered by
        // appending (a new string per event made a read of many events cost their square).
        var text = ""
        parser.feed(raw) { event in
            switch decoder.decode(event) {
            case .text(let more): text += more
            case .nothing: break
            case let output:
                if !text.isEmpty { outputs.append(.text(text)) }
                text = ""
                outputs.append(output)
            }
        }
        if !text.isEmpty { outputs.append(.text(text)) }
        for output in outputs {
            switch output {
            case .text(let text): try onDelta(.text(text))
            case .citations(let citations): try onDelta(.citations(citations))
            case .failure(let message): throw APIError.errorEvent(message)
            case .done, .nothing: break
            }
        }
    }

    private func checkJSONSize() throws {
        guard bytes.count <= ChatClient.jsonBodyLimit else {
            throw APIError.invalidResponse("the reply is larger than \(ChatClient.jsonBodyLimit / 1024 / 1024) MiB")
        }
    }

    private func stop(_ task: HTTPClient.Task<Void>, because error: any Error) {
        failure = error
        tailTimer?.cancel()
        task.cancel()
    }

    /// The body kind a label names, when the bytes cannot tell (a stream labelled
    /// `application/json`, or not labelled, is still a stream: the bytes decide first).
    private static func kind(labelled label: String) -> BodyKind? {
        label.contains("event-stream") ? .stream : label.contains("json") ? .json : nil
    }

    private static func unexpected(_ label: String, start: [UInt8]) -> APIError {
        let shown = label.isEmpty ? "an unlabelled body" : label
        return APIError.invalidResponse(
            "expected a stream of events or a JSON reply, got \(shown): \(TextExcerpt.clean(String(decoding: start.prefix(4096), as: UTF8.self), limit: 120))")
    }
}
