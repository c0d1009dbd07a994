import TinyTalkAPI

/// What a session needs to get a reply: a request in, deltas out. The real one is
/// ``ChatClient``; tests script their own.
public protocol ChatTransport: Sendable {
    /// The reply to `request`. The stream finishes normally when the reply is complete and
    /// throws an `APIError` otherwise; ending the iteration stops the request.
    func stream(_ request: ChatRequest, to endpoint: Endpoint) -> AsyncThrowingStream<ChatDelta, any Error>

    /// Sends `request` and hands each delta to `onDelta` on the caller's actor, returning when
    /// the reply is complete; throws an `APIError` (or `CancellationError`) otherwise. Running
    /// in the caller's isolation spares every token a hop through a stream and a task.
    nonisolated(nonsending) func send(_ request: ChatRequest, to endpoint: Endpoint, onDelta: (ChatDelta) async throws -> Void) async throws

    /// Where the task consuming a reply should run, if the transport has a preference (the
    /// thread its network events arrive on).
    var taskExecutor: (any TaskExecutor)? { get }
}

extension ChatTransport {
    public var taskExecutor: (any TaskExecutor)? { nil }

    /// Reads ``stream(_:to:)``: transports that only stream get `send` for free.
    public nonisolated(nonsending) func send(
        _ request: ChatRequest, to endpoint: Endpoint, onDelta: (ChatDelta) async throws -> Void
    ) async throws {
        for try await delta in stream(request, to: endpoint) { try await onDelta(delta) }
    }
}

extension ChatClient: ChatTransport {
    public var taskExecutor: (any TaskExecutor)? { replyExecutor }
}
