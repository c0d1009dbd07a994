import Synchronization
import TinyTalkAPI
import TinyTalkCore

/// A transport that plays scripted replies, one script per request, and records the requests.
public final class FakeTransport: ChatTransport {
    public enum Step: Sendable {
        case text(String)
        case citations([Citation])
        /// The tokens the reply cost (the last chunk of a stream).
        case usage(Usage)
        /// Ends the stream with this error.
        case fail(APIError)
        /// Ends the stream with the error made at that moment (one that names a time from now).
        case failNow(@Sendable () -> APIError)
        /// Waits until the consumer goes away (cancellation).
        case hang
        /// Waits this long before the next step.
        case pause(Duration)
        /// Waits until the test opens the gate (or the consumer goes away): for a step that must
        /// come after something the test does, however slow the machine.
        case gate(Gate)
    }

    private let state: Mutex<(scripts: [[Step]], requests: [ChatRequest], endpoints: [Endpoint])>
    /// What a request gets once the scripts have run out.
    private let whenOut: [Step]

    public init(_ scripts: [[Step]], whenOut: [Step] = []) {
        state = Mutex((scripts, [], []))
        self.whenOut = whenOut
    }

    public var requests: [ChatRequest] { state.withLock { $0.requests } }
    /// Where each request was sent (URL, origin, key), in order.
    public var endpoints: [Endpoint] { state.withLock { $0.endpoints } }

    public func stream(_ request: ChatRequest, to endpoint: Endpoint) -> AsyncThrowingStream<ChatDelta, any Error> {
        let script = state.withLock { state -> [Step] in
            state.requests.append(request)
            state.endpoints.append(endpoint)
            return state.scripts.isEmpty ? whenOut : state.scripts.removeFirst()
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                for step in script {
                    switch step {
                    case .text(let text): continuation.yield(.text(text))
                    case .citations(let citations): continuation.yield(.citations(citations))
                    case .usage(let usage): continuation.yield(.usage(usage))
                    case .fail(let error):
                        continuation.finish(throwing: error)
                        return
                    case .failNow(let make):
                        continuation.finish(throwing: make())
                        return
                    case .hang:
                        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                        continuation.finish(throwing: CancellationError())
                        return
                    case .pause(let duration):
                        try? await Task.sleep(for: duration)
                    case .gate(let gate):
                        while !gate.isOpen && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(2)) }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Opened once by a test; a scripted reply waits at it until then.
public final class Gate: Sendable {
    private let opened = Mutex(false)

    public init() {}

    public var isOpen: Bool { opened.withLock { $0 } }

    public func open() {
        opened.withLock { $0 = true }
    }
}
