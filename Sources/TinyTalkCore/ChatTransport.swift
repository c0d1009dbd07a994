import TinyTalkAPI

/// What a session needs to get a reply: a request in, deltas out. The real one is
/// ``ChatClient``; tests script their own.
public protocol ChatTransport: Sendable {
    /// The reply to `request`. The stream finishes normally when the reply is complete and
    /// throws an `APIError` otherwise; ending the iteration stops the request.
    func stream(_ request: ChatRequest, to endpoint: Endpoint) -> AsyncThrowingStream<ChatDelta, any Error>

    /// Sends `request` and hands each delta to `onDelta` on ``sessionExecutor`` (on the
    /// caller's, when there is none), returning when the reply is complete; throws an
    /// `APIError` (or `CancellationError`, also when `onDelta` throws it) otherwise.
    nonisolated(nonsending) func send(
        _ request: ChatRequest, to endpoint: Endpoint, onDelta: @escaping @Sendable (ChatDelta) throws -> Void
    ) async throws

    /// Where this transport hands over deltas, if it has a place of its own (the thread its
    /// network events arrive on): a session runs there, and takes each piece as it is read.
    var sessionExecutor: (any SerialExecutor)? { get }
}

extension ChatTransport {
    public var sessionExecutor: (any SerialExecutor)? { nil }

    /// Reads ``stream(_:to:)``: transports that only stream get `send` for free.
    public nonisolated(nonsending) func send(
        _ request: ChatRequest, to endpoint: Endpoint, onDelta: @escaping @Sendable (ChatDelta) throws -> Void
    ) async throws {
        for try await delta in stream(request, to: endpoint) { try onDelta(delta) }
    }
}

extension ChatClient: ChatTransport {
    public var sessionExecutor: (any SerialExecutor)? { replyExecutor }
}

/// Lends its executor to a session whose transport has none of its own: a default actor's,
/// so that session runs where and as any actor does.
actor ExecutorLender {}
