import Foundation
import TestSupport
import Synchronization
import TinyTalkAPI
import TinyTalkCore

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
