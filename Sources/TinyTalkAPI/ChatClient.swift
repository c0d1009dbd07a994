import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends chat requests to Tiny Talk and streams the reply as it arrives.
///
/// One client holds one connection pool; share it, and call ``shutdown()`` when done.
public final class ChatClient: Sendable {
    /// Timeouts and identity.
    public struct Configuration: Sendable {
        /// How long to wait for a connection.
        public var connectTimeout: Duration
        /// How long an open connection may stay silent before the reply is given up on.
        public var idleTimeout: Duration
        public var userAgent: String
        /// How long to keep reading after `[DONE]` for cited sources before letting the
        /// connection go, for servers that keep it open.
        public var afterDoneWait: Duration

        public init(
            connectTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
            userAgent: String = "tinytalk/\(TinyTalkVersion.current)", afterDoneWait: Duration = .seconds(2)
        ) {
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.userAgent = userAgent
            self.afterDoneWait = afterDoneWait
        }
    }

    /// How many replies can stream from one host at once.
    public static let connectionsPerHost = 256

    /// The most of an error body that is read to find its message.
    static let errorBodyLimit = 64 * 1024
    /// The most of a single-JSON reply that is accepted.
    static let jsonBodyLimit = 32 * 1024 * 1024

    public let configuration: Configuration
    private let http: HTTPClient
    /// One event loop carries every connection, so a task that prefers ``replyExecutor`` runs
    /// on the thread that receives its reply.
    private let group: MultiThreadedEventLoopGroup
    /// Where a task consuming a reply can run without a thread hop per piece.
    public let replyExecutor: any TaskExecutor

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var pool = HTTPClient.Configuration.ConnectionPool()
        // A refused connection should fail now, not after the connect timeout: retrying is the
        // caller's decision (sessions retry with backoff, `ask` reports and exits).
        pool.retryConnectionEstablishment = false
        // Every Tiny Talk bot is on one host: a tab per stream, and more tabs than the default
        // eight must not wait for a connection.
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = Self.connectionsPerHost
        let http = HTTPClient.Configuration(
            // Never follow a redirect: it would carry the key to wherever the server points.
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .nanoseconds(Self.nanoseconds(configuration.connectTimeout)),
                read: .nanoseconds(Self.nanoseconds(configuration.idleTimeout))),
            connectionPool: pool
        )
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        replyExecutor = EventLoopTaskExecutor(group.next())
        self.http = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: http)
    }

    /// Closes the connection pool and stops its thread. Call once, after the last request.
    public func shutdown() async throws {
        try await http.shutdown()
        try await group.shutdownGracefully()
    }

    /// The reply to `request` as a stream of deltas. The stream finishes normally once the
    /// server has said the reply is complete, and throws an ``APIError`` otherwise.
    /// Ending the iteration (or cancelling its task) closes the connection.
    public func stream(_ request: ChatRequest, to endpoint: Endpoint) -> AsyncThrowingStream<ChatDelta, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ChatDelta, any Error>.makeStream()
        let task = Task {
            do {
                try await self.send(request, to: endpoint) { delta in continuation.yield(delta) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Sends `request` and calls `onDelta` with each piece of the reply as it arrives; returns
    /// when the reply is complete. Throws ``APIError`` (or `CancellationError`) otherwise;
    /// deltas already delivered stand as the partial reply.
    public nonisolated(nonsending) func send(
        _ request: ChatRequest, to endpoint: Endpoint, onDelta: (ChatDelta) async throws -> Void
    ) async throws {
        try request.validate()
        try endpoint.validate()
        do {
            try await perform(request, to: endpoint, onDelta: onDelta)
        } catch let error as APIError {
            throw Self.redacted(error, key: endpoint.apiKey)
        }
    }

    private nonisolated(nonsending) func perform(
        _ request: ChatRequest, to endpoint: Endpoint, onDelta: (ChatDelta) async throws -> Void
    ) async throws {
        var http = HTTPClientRequest(url: endpoint.url)
        http.method = .POST
        for header in request.headers(for: endpoint, userAgent: configuration.userAgent) {
            http.headers.add(name: header.name, value: header.value)
        }
        http.body = .bytes(ByteBuffer(bytes: request.jsonBody()))

        let response: HTTPClientResponse
        do {
            response = try await self.http.execute(http, deadline: .distantFuture)
        } catch {
            try Task.checkCancellation()
            throw mapTransport(error, endpoint: endpoint)
        }

        guard (200..<300).contains(response.status.code) else {
            let body = (try? await Self.collect(response.body, limit: Self.errorBodyLimit)) ?? []
            let headers = response.headers
            throw APIError.http(
                status: Int(response.status.code),
                message: DeltaDecoder.errorMessage(fromBody: body),
                retryAfter: Self.retryAfter(headers.first(name: "Retry-After")),
                rateLimit: RateLimit { headers.first(name: $0) },
                keySent: endpoint.apiKey != nil)
        }
        let label = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        try await read(response.body, label: label, onDelta: onDelta)
    }

    /// Reads a reply body: a stream of server-sent events or one JSON object, told apart by its
    /// first bytes (a stream labelled `application/json`, or not labelled, is still a stream);
    /// the label decides only when the bytes cannot.
    private nonisolated(nonsending) func read(
        _ body: HTTPClientResponse.Body, label: String, onDelta: (ChatDelta) async throws -> Void
    ) async throws {
        var iterator = body.makeAsyncIterator()
        var start: [UInt8] = []
        var kind = BodyKind.undecided
        while kind == .undecided, let buffer = try await next(&iterator) {
            start.append(contentsOf: buffer.readableBytesView)
            kind = start.count > Self.errorBodyLimit ? .other : BodyKind.of(start)
        }
        if kind == .undecided || kind == .other {
            kind = label.contains("event-stream") ? .stream : label.contains("json") ? .json : kind
        }
        switch kind {
        case .stream:
            try await readStream(start: start, rest: iterator, onDelta: onDelta)
        case .json:
            var bytes = start
            while let buffer = try await next(&iterator) {
                bytes.append(contentsOf: buffer.readableBytesView)
                guard bytes.count <= Self.jsonBodyLimit else {
                    throw APIError.invalidResponse("the reply is larger than \(Self.jsonBodyLimit / 1024 / 1024) MiB")
                }
            }
            let reply = try DeltaDecoder.decodeCompletion(bytes)
            if !reply.text.isEmpty { try await onDelta(.text(reply.text)) }
            if !reply.citations.isEmpty { try await onDelta(.citations(reply.citations)) }
            if let usage = reply.usage { try await onDelta(.usage(usage)) }
        case .undecided:
            throw APIError.truncated(detail: "the server sent no reply at all")
        case .other:
            let shown = label.isEmpty ? "an unlabelled body" : label
            throw APIError.invalidResponse(
                "expected a stream of events or a JSON reply, got \(shown): \(TextExcerpt.clean(String(decoding: start, as: UTF8.self), limit: 120))")
        }
    }

    /// Reads a stream of events whose first bytes (`start`) were already read. After `[DONE]`
    /// the reply is whole: what follows (cited sources) is read for at most
    /// ``Configuration/afterDoneWait``, then the connection is let go, open or not.
    private nonisolated(nonsending) func readStream(
        start: [UInt8], rest: sending HTTPClientResponse.Body.AsyncIterator, onDelta: (ChatDelta) async throws -> Void
    ) async throws {
        var iterator = rest
        var parser = SSEParser()
        var decoder = DeltaDecoder()
        var outputs: [DeltaDecoder.Output] = []
        Self.decode(start, parser: &parser, decoder: &decoder, into: &outputs)
        try await Self.deliver(outputs, to: onDelta)
        while !decoder.isComplete, let buffer = try await next(&iterator) {
            buffer.withUnsafeReadableBytes { Self.decode($0, parser: &parser, decoder: &decoder, into: &outputs) }
            try await Self.deliver(outputs, to: onDelta)
            if parser.overflowed {
                throw APIError.invalidResponse(
                    "the server sent one event larger than \(SSEParser.maxEventBytes >> 20) MiB; the reply stops there, its text so far kept")
            }
        }
        if decoder.isComplete {
            let tail = await Self.tail(of: iterator, within: configuration.afterDoneWait)
            Self.decode(tail, parser: &parser, decoder: &decoder, into: &outputs)
            try await Self.deliver(outputs, to: onDelta)
        }
        parser.finish()
        guard decoder.isComplete else {
            throw APIError.truncated(detail: "the connection closed without a [DONE] event")
        }
        if let usage = decoder.usage { try await onDelta(.usage(usage)) }
    }

    /// Parses bytes of the stream into what they mean for the reply, replacing `outputs`.
    private static func decode(
        _ bytes: some ContiguousBytes, parser: inout SSEParser, decoder: inout DeltaDecoder, into outputs: inout [DeltaDecoder.Output]
    ) {
        outputs.removeAll(keepingCapacity: true)
        bytes.withUnsafeBytes { raw in
            parser.feed(raw) { event in
                let output = decoder.decode(event)
                // Text that arrived in one network read is delivered as one delta.
                if case .text(let more) = output, case .text(let earlier)? = outputs.last {
                    outputs[outputs.count - 1] = .text(earlier + more)
                } else if output != .nothing {
                    outputs.append(output)
                }
            }
        }
    }

    private nonisolated(nonsending) static func deliver(
        _ outputs: [DeltaDecoder.Output], to onDelta: (ChatDelta) async throws -> Void
    ) async throws {
        for output in outputs {
            switch output {
            case .text(let text): try await onDelta(.text(text))
            case .citations(let citations): try await onDelta(.citations(citations))
            case .failure(let message): throw APIError.errorEvent(message)
            case .done, .nothing: break
            }
        }
    }

    /// The next piece of the body, or nil at its end; a broken connection is an ``APIError``.
    private nonisolated(nonsending) func next(
        _ iterator: inout HTTPClientResponse.Body.AsyncIterator
    ) async throws -> ByteBuffer? {
        do {
            return try await iterator.next(isolation: #isolation)
        } catch {
            try Task.checkCancellation()
            if error is CancellationError { throw error }
            throw mapMidStream(error)
        }
    }

    /// What a server sends after `[DONE]` (cited sources), read until the body ends or `limit`
    /// passes. Then the body is dropped, which closes a connection the server kept open.
    private static func tail(of iterator: sending HTTPClientResponse.Body.AsyncIterator, within limit: Duration) async -> [UInt8] {
        let reader = Task { [iterator] in
            var iterator = iterator
            var bytes: [UInt8] = []
            // A connection that breaks now does not change the reply: it was complete.
            while bytes.count < errorBodyLimit, let buffer = try? await iterator.next() {
                bytes.append(contentsOf: buffer.readableBytesView)
            }
            return bytes
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            reader.cancel()
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler { await reader.value } onCancel: { reader.cancel() }
    }

    private static func collect(_ body: HTTPClientResponse.Body, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in body {
            bytes.append(contentsOf: buffer.readableBytesView.prefix(max(0, limit - bytes.count)))
            if bytes.count >= limit {
                if limit == jsonBodyLimit { throw APIError.invalidResponse("the reply is larger than \(limit / 1024 / 1024) MiB") }
                break
            }
        }
        return bytes
    }

    // MARK: - Errors

    private func mapTransport(_ error: any Error, endpoint: Endpoint) -> APIError {
        if let error = error as? APIError { return error }
        let host = URLComponents(string: endpoint.url).map { c in
            (c.host ?? "") + (c.port.map { ":\($0)" } ?? "")
        } ?? ""
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .tlsHandshakeTimeout:
                return .timedOut(.connect(seconds: Self.seconds(configuration.connectTimeout)))
            case .getConnectionFromPoolTimeout:
                return .timedOut(.connectionPool(seconds: Self.seconds(configuration.connectTimeout)))
            case .readTimeout, .deadlineExceeded:
                return .timedOut(.idle(seconds: Self.seconds(configuration.idleTimeout)))
            case .remoteConnectionClosed:
                return .transport(.connectionReset, detail: host)
            default:
                break
            }
        }
        let text = String(reflecting: error)
        if text.contains("Connection refused") || text.contains("errno: 111") {
            return .transport(.connectionRefused, detail: host)
        }
        if text.contains("Connection reset") || text.contains("errno: 104") {
            return .transport(.connectionReset, detail: host)
        }
        if text.contains("dnsAError") && !text.contains("dnsAError: nil") || text.contains("dnsAAAAError") && !text.contains("dnsAAAAError: nil")
            || text.contains("SocketAddressError") || text.contains("unknown(host")
        {
            return .transport(.hostNotFound, detail: host)
        }
        if text.contains("NIOSSL") || text.contains("BoringSSL") || text.contains("certificate") || text.contains("handshake") {
            return .transport(.tls, detail: host)
        }
        return .transport(.other, detail: TextExcerpt.clean(String(describing: error), limit: 160))
    }

    private func mapMidStream(_ error: any Error) -> APIError {
        if let error = error as? HTTPClientError, error == .readTimeout || error == .deadlineExceeded {
            return .timedOut(.idle(seconds: Self.seconds(configuration.idleTimeout)))
        }
        let text = String(reflecting: error)
        if text.contains("Connection reset") || text.contains("errno: 104") {
            return .truncated(detail: "the connection was reset")
        }
        return .truncated(detail: "the connection closed mid-reply")
    }

    private static func redacted(_ error: APIError, key: APIKey?) -> APIError {
        guard let key else { return error }
        switch error {
        case .http(let status, let message, let retryAfter, let rateLimit, let keySent):
            return .http(status: status, message: key.redact(message), retryAfter: retryAfter, rateLimit: rateLimit, keySent: keySent)
        case .transport(let failure, let detail):
            return .transport(failure, detail: key.redact(detail))
        case .errorEvent(let message):
            return .errorEvent(key.redact(message))
        case .invalidResponse(let message):
            return .invalidResponse(key.redact(message))
        case .invalidRequest(let message):
            return .invalidRequest(key.redact(message))
        case .truncated, .timedOut, .insecureEndpoint:
            return error
        }
    }

    /// `Retry-After` as seconds: either a number of seconds or an HTTP date.
    static func retryAfter(_ value: String?) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        // A number from the network: clamped to a year, so no later arithmetic can overflow.
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return min(seconds, 366 * 86_400) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return min(max(0, date.timeIntervalSinceNow.rounded(.up)), 366 * 86_400)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(nanoseconds(duration)) / 1e9
    }
}
