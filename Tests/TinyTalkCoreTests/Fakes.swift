import Foundation
import TestSupport
import Synchronization
import TinyTalkAPI
import TinyTalkCore

/// A transport that plays scripted replies, one script per request, and records the requests.
final class FakeTransport: ChatTransport {
    enum Step: Sendable {
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
    }

    private let state: Mutex<(scripts: [[Step]], requests: [ChatRequest], endpoints: [Endpoint])>

    init(_ scripts: [[Step]]) {
        state = Mutex((scripts, [], []))
    }

    var requests: [ChatRequest] { state.withLock { $0.requests } }
    /// Where each request was sent (URL, origin, key), in order.
    var endpoints: [Endpoint] { state.withLock { $0.endpoints } }

    func stream(_ request: ChatRequest, to endpoint: Endpoint) -> AsyncThrowingStream<ChatDelta, any Error> {
        let script = state.withLock { state -> [Step] in
            state.requests.append(request)
            state.endpoints.append(endpoint)
            return state.scripts.isEmpty ? [] : state.scripts.removeFirst()
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
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A clock whose sleeps return at once and are recorded; time moves on by each sleep.
final class FakeClock: SessionClock {
    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))

    var now: Duration { state.withLock { $0.now } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func advance(by duration: Duration) {
        state.withLock { $0.now += duration }
    }

    func sleep(for duration: Duration) async throws {
        state.withLock {
            $0.sleeps.append(duration)
            $0.now += duration
        }
        try Task.checkCancellation()
        await Task.yield()
    }
}

/// Collects a session's events (give ``record`` as the session's observer) until a condition
/// holds (bounded).
final class EventLog: Sendable {
    private let collected = Mutex<[SessionEvent]>([])

    var events: [SessionEvent] { collected.withLock { $0 } }

    /// The observer to give the session.
    var record: @Sendable (SessionEvent) -> Void {
        { [self] event in self.collected.withLock { $0.append(event) } }
    }

    /// Waits until `condition` holds for the events so far (5,000 looks, 2 ms apart: at least 10 s).
    func wait(until condition: ([SessionEvent]) -> Bool) async -> [SessionEvent] {
        _ = await Polling.until(attempts: 5_000, every: .milliseconds(2)) { condition(events) }
        return events
    }

    func waitForFinish(count: Int = 1) async -> [SessionEvent] {
        await wait { events in events.filter { if case .replyFinished = $0 { return true } else { return false } }.count >= count }
    }
}

/// An observer for sessions whose events a test does not look at.
let ignoreEvents: @Sendable (SessionEvent) -> Void = { _ in }

func profile(_ name: String = "echo", temperature: Double? = nil, system: String? = nil) -> BotProfile {
    BotProfile(
        name: name, id: name, endpoint: Endpoint(url: "http://127.0.0.1:9/v1/chat/completions", apiKey: APIKey("test-key")),
        temperature: temperature, systemPrompt: system)
}

func makeSession(
    _ transport: FakeTransport, store: Store? = nil, clock: FakeClock = FakeClock(), retry: RetryPolicy = RetryPolicy(jitter: 0),
    context: ContextWindow = ContextWindow(), system: String? = nil, log: EventLog? = nil
) throws -> (ChatSession, Store) {
    let store = try store ?? Store()
    let conversation = try store.createConversation(botId: "echo", botName: "echo", systemPrompt: system)
    let session = ChatSession(
        conversation: conversation, bot: profile(system: system), transport: transport, store: store, clock: clock, retry: retry,
        context: context, observer: log?.record ?? ignoreEvents)
    return (session, store)
}
