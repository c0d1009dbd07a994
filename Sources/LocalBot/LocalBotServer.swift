import NIOCore
import NIOHTTP1
import NIOPosix
import TinyTalkAPI

/// A Tiny Talk-compatible chat server on a loopback address, for the demo, tests and benchmarks.
///
/// ```swift
/// let server = try await LocalBotServer.bind(LocalBotConfiguration(tokensPerSecond: 0))
/// let task = Task { await server.run() }
/// // … requests to server.chatURL …
/// task.cancel()
/// ```
public final class LocalBotServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    public let configuration: LocalBotConfiguration
    /// The port the server listens on (the chosen one when the configuration asked for 0).
    public let port: Int
    /// Requests without a valid key, for the `rate-limit` fault.
    let anonymousRequests = RateWindow()
    private let listener: NIOAsyncChannel<Connection, Never>

    /// `http://127.0.0.1:PORT/v1/chat/completions`
    public var chatURL: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)/v1/chat/completions"
    }

    private init(configuration: LocalBotConfiguration, port: Int, listener: NIOAsyncChannel<Connection, Never>) {
        self.configuration = configuration
        self.port = port
        self.listener = listener
    }

    /// Starts listening. Refuses any address that is not loopback.
    public static func bind(_ configuration: LocalBotConfiguration) async throws -> LocalBotServer {
        guard Endpoint.isLoopback(host: configuration.host) else {
            throw LocalBotFaultError(message: "the local bot server listens on loopback addresses only, not \(configuration.host)")
        }
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    // A connection accepted as the server stops is never handed to `serve`;
                    // it is closed when let go (what this older initialiser does), where the
                    // newer one would stop the whole process for it.
                    return try Connection(synchronouslyWrapping: channel)
                }
            }
        let port = listener.channel.localAddress?.port ?? configuration.port
        return LocalBotServer(configuration: configuration, port: port, listener: listener)
    }

    /// Serves connections until ``stop()`` is called or the calling task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            try? await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { try? await self.serve(connection) }
                }
            }
        }
    }

    /// Stops accepting connections; requests in progress finish unless their task is cancelled.
    public func stop() {
        listener.channel.close(promise: nil)
    }

    private func serve(_ connection: Connection) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body.removeAll(keepingCapacity: true)
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let requestHead = head else { return }
                    let exchange = Exchange(server: self, head: requestHead, body: body, outbound: outbound)
                    let keepOpen = try await exchange.respond()
                    if !keepOpen || !requestHead.isKeepAlive { return }
                    head = nil
                }
            }
        }
    }
}
