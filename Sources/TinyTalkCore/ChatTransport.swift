import TinyTalkAPI

/// What a session needs to get a reply: a request in, a stream of deltas out. The real one is
/// ``ChatClient``; tests script their own.
public protocol ChatTransport: Sendable {
    /// The reply to `request`. The stream finishes normally when the reply is complete and
    /// throws an `APIError` otherwise; ending the iteration stops the request.
    func stream(_ request: ChatRequest, to endpoint: Endpoint) -> AsyncThrowingStream<ChatDelta, any Error>
}

extension ChatClient: ChatTransport {}
