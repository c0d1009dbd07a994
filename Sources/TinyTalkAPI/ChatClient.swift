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

        public init(
            connectTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
            userAgent: String = "tinytalk/\(TinyTalkVersion.current)"
        ) {
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.userAgent = userAgent
        }
    }

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
            throw APIError.http(
                status: Int(response.status.code),
                message: DeltaDecoder.errorMessage(fromBody: body),
                retryAfter: Self.retryAfter(response.headers.first(name: "Retry-After")))
        }

        let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        if contentType.contains("json") {
            try await readJSON(response.body, onDelta: onDelta)
        } else {
            try await readStream(response.body, sniff: !contentType.contains("event-stream"), onDelta: onDelta)
        }
    }

    /// Reads a `text/event-stream` body. With `sniff`, a body whose first byte opens a JSON
    /// object is read as one JSON reply instead.
    private nonisolated(nonsending) func readStream(
        _ body: HTTPClientResponse.Body, sniff: Bool, onDelta: (ChatDelta) async throws -> Void
    ) async throws {
        var parser = SSEParser()
        var decoder = DeltaDecoder()
        var outputs: [DeltaDecoder.Output] = []
        var iterator = body.makeAsyncIterator()
        var sniffing = sniff

        func nextBuffer() async throws -> ByteBuffer? {
            do {
                return try await iterator.next()
            } catch {
                try Task.checkCancellation()
                if error is CancellationError { throw error }
                // After [DONE] the reply is whole; a connection that breaks while we wait for
                // the optional sources does not change that.
                if decoder.isComplete { return nil }
                throw mapMidStream(error)
            }
        }

        while let buffer = try await nextBuffer() {
            if sniffing {
                let first = buffer.readableBytesView.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
                if first == UInt8(ascii: "{") {
                    var bytes = Array(buffer.readableBytesView)
                    while let more = try await nextBuffer() {
                        bytes.append(contentsOf: more.readableBytesView)
                        guard bytes.count <= Self.jsonBodyLimit else { throw APIError.invalidResponse("the reply is too large") }
                    }
                    try await Self.deliver(try DeltaDecoder.decodeCompletion(bytes), to: onDelta)
                    return
                }
                if first != nil { sniffing = false }
            }
            outputs.removeAll(keepingCapacity: true)
            buffer.withUnsafeReadableBytes { raw in
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
            for output in outputs {
                switch output {
                case .text(let text): try await onDelta(.text(text))
                case .citations(let citations): try await onDelta(.citations(citations))
                case .failure(let message): throw APIError.errorEvent(message)
                case .done, .nothing: break
                }
            }
        }
        parser.finish()
        if !decoder.isComplete {
            throw APIError.truncated(detail: "the connection closed without a [DONE] event")
        }
    }

    private nonisolated(nonsending) func readJSON(_ body: HTTPClientResponse.Body, onDelta: (ChatDelta) async throws -> Void) async throws {
        let bytes: [UInt8]
        do {
            bytes = try await Self.collect(body, limit: Self.jsonBodyLimit)
        } catch let error as APIError {
            throw error
        } catch {
            try Task.checkCancellation()
            throw mapMidStream(error)
        }
        try await Self.deliver(try DeltaDecoder.decodeCompletion(bytes), to: onDelta)
    }

    private nonisolated(nonsending) static func deliver(
        _ reply: (text: String, citations: [Citation]), to onDelta: (ChatDelta) async throws -> Void
    ) async throws {
        if !reply.text.isEmpty { try await onDelta(.text(reply.text)) }
        if !reply.citations.isEmpty { try await onDelta(.citations(reply.citations)) }
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
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return .timedOut(.connect(seconds: Self.seconds(configuration.connectTimeout)))
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

    private static func redacted(_ error: APIError, key: APIKey) -> APIError {
        switch error {
        case .http(let status, let message, let retryAfter):
            return .http(status: status, message: key.redact(message), retryAfter: retryAfter)
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
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSinceNow.rounded(.up))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(nanoseconds(duration)) / 1e9
    }
}
