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
        /// The proxy requests go through (by default as `HTTPS_PROXY` and `NO_PROXY` say).
        public var proxy: ProxySettings

        public init(
            connectTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
            userAgent: String = "tinytalk/\(TinyTalkVersion.current)", afterDoneWait: Duration = .seconds(2),
            proxy: ProxySettings = ProxySettings(environment: ProcessInfo.processInfo.environment)
        ) {
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.userAgent = userAgent
            self.afterDoneWait = afterDoneWait
            self.proxy = proxy
        }
    }

    /// How many replies can stream from one host at once.
    public static let connectionsPerHost = 256

    /// The most of an error body that is read to find its message.
    static let errorBodyLimit = 64 * 1024
    /// The most of a single-JSON reply that is accepted.
    static let jsonBodyLimit = 32 * 1024 * 1024

    public let configuration: Configuration
    /// Direct connections, and (when a proxy is set) connections through it: each with its pool.
    private let http: HTTPClient
    private let proxied: HTTPClient?
    /// One event loop carries every connection, and every reply is read on it.
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    /// The executor replies are read on: an actor that has it as its own can take each piece
    /// where it arrives, with no hop to another thread (see ``send(_:to:onDelta:)``).
    public var replyExecutor: any SerialExecutor { loop.executor }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var pool = HTTPClient.Configuration.ConnectionPool()
        // A refused connection should fail now, not after the connect timeout: retrying is the
        // caller's decision (sessions retry with backoff, `ask` reports and exits).
        pool.retryConnectionEstablishment = false
        // Every Tiny Talk bot is on one host: a tab per stream, and more tabs than the default
        // eight must not wait for a connection.
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = Self.connectionsPerHost
        var http = HTTPClient.Configuration(
            // Never follow a redirect: it would carry the key to wherever the server points.
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .nanoseconds(Self.nanoseconds(configuration.connectTimeout)),
                read: .nanoseconds(Self.nanoseconds(configuration.idleTimeout))),
            connectionPool: pool
        )
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        self.http = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: http)
        if let proxy = configuration.proxy.clientProxy {
            http.proxy = proxy
            proxied = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: http)
        } else {
            proxied = nil
        }
    }

    /// Closes the connection pools and stops their thread. Call once, after the last request.
    public func shutdown() async throws {
        try await http.shutdown()
        try await proxied?.shutdown()
        try await group.shutdownGracefully()
    }

    /// The proxy a request to `endpoint` goes through, if any.
    ///
    /// The host is taken as the URL spells it (`encodedHost`): the decoded `host` of
    /// URLComponents runs IDNA through ICU, which maps a megabyte of ICU's code and data into
    /// the process for every host, ASCII ones too.
    private func proxy(for endpoint: Endpoint) throws(APIError) -> ProxySettings.Server? {
        guard let host = URLComponents(string: endpoint.url)?.encodedHost, configuration.proxy.applies(to: host) else { return nil }
        if let problem = configuration.proxy.problem { throw .invalidRequest(problem) }
        return configuration.proxy.server
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

    /// Sends `request` and calls `onDelta` with each piece of the reply as it arrives, on
    /// ``replyExecutor`` (the event loop its bytes arrive on), before the next network read;
    /// returns when the reply is complete. Throws ``APIError`` (or `CancellationError`, also
    /// when `onDelta` throws it) otherwise; deltas already delivered stand as the partial reply.
    public nonisolated(nonsending) func send(
        _ request: ChatRequest, to endpoint: Endpoint, onDelta: @escaping @Sendable (ChatDelta) throws -> Void
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
        _ request: ChatRequest, to endpoint: Endpoint, onDelta: @escaping @Sendable (ChatDelta) throws -> Void
    ) async throws {
        var headers = HTTPHeaders()
        for header in request.headers(for: endpoint, userAgent: configuration.userAgent) {
            headers.add(name: header.name, value: header.value)
        }
        let proxy = try self.proxy(for: endpoint)
        let http: HTTPClient.Request
        do {
            http = try HTTPClient.Request(url: endpoint.url, method: .POST, headers: headers, body: .bytes(request.jsonBody()))
        } catch {
            throw mapTransport(error, endpoint: endpoint, proxy: proxy)
        }
        let reader = ReplyReader(
            afterDoneWait: .nanoseconds(Self.nanoseconds(configuration.afterDoneWait)), keySent: endpoint.apiKey != nil, onDelta: onDelta)
        let client = proxy == nil ? self.http : proxied ?? self.http
        let task = client.execute(request: http, delegate: reader, eventLoop: .delegateAndChannel(on: loop))
        do {
            try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            // The reader's state is settled before the request's result is (both on its loop).
            if let failure = reader.failure { throw failure }
            if reader.completedAfterDone { return }
            try Task.checkCancellation()
            if let error = error as? APIError { throw error }
            throw reader.receivedHead ? mapMidStream(error) : mapTransport(error, endpoint: endpoint, proxy: proxy)
        }
    }

    // MARK: - Errors

    private func mapTransport(_ error: any Error, endpoint: Endpoint, proxy: ProxySettings.Server?) -> APIError {
        if let error = error as? APIError { return error }
        var host = URLComponents(string: endpoint.url).map { c in
            (c.encodedHost ?? "") + (c.port.map { ":\($0)" } ?? "")
        } ?? ""
        let text = String(reflecting: error)
        if let proxy {
            if let failure = Self.proxyFailure(error, text: text, proxy) { return failure }
            host += ", through \(proxy.shown)"
        }
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
        if Self.isRefused(text) {
            return .transport(.connectionRefused, detail: host)
        }
        if text.contains("Connection reset") || text.contains("errno: 104") {
            return .transport(.connectionReset, detail: host)
        }
        if Self.isUnresolved(text) || text.contains("SocketAddressError") || text.contains("unknown(host") {
            return .transport(.hostNotFound, detail: host)
        }
        if text.contains("NIOSSL") || text.contains("BoringSSL") || text.contains("certificate") || text.contains("handshake") {
            return .transport(.tls, detail: host)
        }
        return .transport(.other, detail: TextExcerpt.clean(String(describing: error), limit: 160))
    }

    /// What went wrong with the proxy itself, in words (`text`: the error as NIO describes it).
    private static func proxyFailure(_ error: any Error, text: String, _ proxy: ProxySettings.Server) -> APIError? {
        // Every connection goes to the proxy: one that cannot be made is the proxy's.
        if isRefused(text) { return .transport(.other, detail: "\(proxy.shown) refused the connection") }
        if isUnresolved(text) { return .transport(.other, detail: "the host name of \(proxy.shown) could not be resolved") }
        guard let error = error as? HTTPClientError else { return nil }
        switch error {
        case .proxyAuthenticationRequired:
            let hint =
                proxy.username == nil
                ? "put them in its address: http://USER:PASSWORD@HOST:PORT" : "check the user name and password in its address"
            return .transport(.other, detail: "\(proxy.shown) asks for a user name and password (407); \(hint)")
        case .invalidProxyResponse:
            return .transport(.other, detail: "\(proxy.shown) would not open a tunnel to the endpoint")
        case .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
            return .transport(.other, detail: "\(proxy.shown) did not answer")
        default:
            return nil
        }
    }

    /// Whether an error, as NIO describes it, is a refused connection.
    private static func isRefused(_ text: String) -> Bool {
        text.contains("Connection refused") || text.contains("errno: 111")
    }

    /// Whether an error, as NIO describes it, is a host name that did not resolve.
    private static func isUnresolved(_ text: String) -> Bool {
        text.contains("dnsAError") && !text.contains("dnsAError: nil") || text.contains("dnsAAAAError") && !text.contains("dnsAAAAError: nil")
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
        guard let value = value?.trimmingSpaces(), !value.isEmpty else { return nil }
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
