import Foundation
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore

@Suite struct ChatSessionTests {
    @Test func aReplyArrivesAsOrderedEventsAndIsSaved() async throws {
        let transport = FakeTransport([[.text("Hel"), .text("lo!")]])
        let log = EventLog()
        let (session, store) = try makeSession(transport, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()

        try #require(events.count == 8, "\(events)")
        guard case .userMessageAdded(let user) = events[0], case .replyStarted(let reply) = events[1] else {
            Issue.record("unexpected start: \(events)")
            return
        }
        #expect(user.content == "Hi")
        #expect(reply.role == .assistant && reply.state == .streaming)
        #expect(Array(events.dropFirst(2)) == [
            .stateChanged(.connecting(attempt: 1)),
            .stateChanged(.streaming),
            .textDelta(messageId: reply.id, text: "Hel"),
            .textDelta(messageId: reply.id, text: "lo!"),
            .replyFinished(messageId: reply.id, .complete),
            .stateChanged(.idle),
        ])
        let saved = try store.messages(conversationId: reply.conversationId)
        #expect(saved.map(\.content) == ["Hi", "Hello!"])
        #expect(saved.map(\.state) == [.complete, .complete])
        #expect(transport.requests.first?.messages == [ChatMessage(role: .user, content: "Hi")])
    }

    @Test func theHistoryGoesWithEveryRequest() async throws {
        let transport = FakeTransport([[.text("one")], [.text("two")]])
        let log = EventLog()
        let (session, _) = try makeSession(transport, system: "Be brief.", log: log)
        try await session.send("first")
        _ = await log.waitForFinish(count: 1)
        try await session.send("second")
        _ = await log.waitForFinish(count: 2)
        #expect(transport.requests.last?.messages == [
            ChatMessage(role: .system, content: "Be brief."), ChatMessage(role: .user, content: "first"),
            ChatMessage(role: .assistant, content: "one"), ChatMessage(role: .user, content: "second"),
        ])
    }

    @Test func aSecondSendWhileStreamingIsRefused() async throws {
        let (session, _) = try makeSession(FakeTransport([[.text("x"), .hang]]))
        try await session.send("Hi")
        await #expect(throws: SessionError.busy) { try await session.send("again") }
        #expect(await session.isBusy)
        await session.cancel()
        #expect(await !session.isBusy)
    }

    @Test func cancelKeepsThePartialReplyMarkedInterrupted() async throws {
        let log = EventLog()
        let (session, store) = try makeSession(FakeTransport([[.text("Partial "), .text("text"), .hang]]), log: log)
        try await session.send("Tell me")
        _ = await log.wait { $0.contains(.textDelta(messageId: 2, text: "text")) }
        await session.cancel()
        let events = await log.waitForFinish()
        #expect(events.contains(.replyFinished(messageId: 2, .interrupted(nil))))
        let saved = try store.messages(conversationId: 1)
        #expect(saved.last?.content == "Partial text")
        #expect(saved.last?.state == .interrupted)
        #expect(await session.state == .idle)
    }

    @Test func regenerateKeepsTheEarlierReplyAsAVariant() async throws {
        let transport = FakeTransport([[.text("first answer")], [.text("second answer")], [.text("next")]])
        let log = EventLog()
        let (session, store) = try makeSession(transport, log: log)
        try await session.send("Question")
        _ = await log.waitForFinish(count: 1)
        try await session.regenerate()
        let events = await log.waitForFinish(count: 2)
        #expect(events.contains(.messageHidden(messageId: 2)))
        let saved = try store.messages(conversationId: 1)
        #expect(saved.map(\.content) == ["Question", "first answer", "second answer"])
        #expect(saved.map(\.isHidden) == [false, true, false])
        #expect(saved[1].answers == 1 && saved[2].answers == 1)
        try #require(transport.requests.count == 2)
        #expect(transport.requests[1].messages == [ChatMessage(role: .user, content: "Question")])

        // The first variant chosen again: it is what the next request carries, and the export shows.
        try await session.chooseVariant(2)
        _ = await log.wait { $0.contains { if case .variantChosen(let message) = $0 { message.id == 2 } else { false } } }
        #expect(try store.messages(conversationId: 1).map(\.isHidden) == [false, false, true])
        try await session.send("And then?")
        _ = await log.waitForFinish(count: 3)
        #expect(transport.requests[2].messages.map(\.content) == ["Question", "first answer", "And then?"])
        let conversation = await session.conversation
        let export = ConversationExport.markdown(conversation, messages: try store.messages(conversationId: 1))
        #expect(export.contains("first answer") && !export.contains("second answer"))
    }

    @Test func editLastRewritesTheQuestionAndAsksAgain() async throws {
        let transport = FakeTransport([[.text("about cats")], [.text("about dogs")]])
        let log = EventLog()
        let (session, store) = try makeSession(transport, log: log)
        try await session.send("Tell me about cats")
        _ = await log.waitForFinish(count: 1)
        try await session.editLast("Tell me about dogs")
        _ = await log.waitForFinish(count: 2)
        #expect(try store.messages(conversationId: 1).map(\.content) == ["Tell me about dogs", "about dogs"])
        try #require(transport.requests.count == 2)
        #expect(transport.requests[1].messages == [ChatMessage(role: .user, content: "Tell me about dogs")])
    }

    @Test func serverErrorsAreRetriedWithExponentialBackoff() async throws {
        let overloaded = APIError.http(status: 503, message: "overloaded", retryAfter: nil)
        let transport = FakeTransport([[.fail(overloaded)], [.fail(overloaded)], [.text("finally")]])
        let clock = FakeClock()
        let log = EventLog()
        let (session, _) = try makeSession(transport, clock: clock, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(clock.sleeps == [.seconds(1), .seconds(2)])
        #expect(events.contains(.retryScheduled(attempt: 2, delay: .seconds(1), reason: overloaded)))
        #expect(events.contains(.retryScheduled(attempt: 3, delay: .seconds(2), reason: overloaded)))
        #expect(events.contains(.stateChanged(.retrying(attempt: 2, delay: .seconds(1)))))
        #expect(events.contains(.replyFinished(messageId: 2, .complete)))
        #expect(transport.requests.count == 3)
    }

    @Test func retryAfterIsHonoured() async throws {
        let limited = APIError.http(status: 429, message: "slow down", retryAfter: 7)
        let clock = FakeClock()
        let log = EventLog()
        let (session, _) = try makeSession(FakeTransport([[.fail(limited)], [.text("ok")]]), clock: clock, log: log)
        try await session.send("Hi")
        _ = await log.waitForFinish()
        #expect(clock.sleeps == [.seconds(7)])
    }

    @Test func jitterSpreadsTheWaitAroundTheBackoff() {
        let policy = RetryPolicy(jitter: 0.2, random: { 1 })
        let error = APIError.transport(.connectionReset, detail: "")
        #expect(policy.delay(before: 2, after: error) == .milliseconds(1200))
        #expect(RetryPolicy(jitter: 0.2, random: { 0 }).delay(before: 3, after: error) == .milliseconds(1600))
    }

    @Test(arguments: [400, 401, 403, 404])
    func refusalsAreNeverRetried(status: Int) async throws {
        let refused = APIError.http(status: status, message: "no", retryAfter: nil)
        let transport = FakeTransport([[.fail(refused)], [.text("must not be asked")]])
        let clock = FakeClock()
        let log = EventLog()
        let (session, store) = try makeSession(transport, clock: clock, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(transport.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
        #expect(events.contains(.replyFinished(messageId: 2, .failed(refused))))
        let saved = try store.messages(conversationId: 1)
        #expect(saved.first?.content == "Hi")  // the user's text is kept
        #expect(saved.last?.state == .failed)
        #expect(saved.last?.error == refused.message)
    }

    @Test func retriesStopAfterThreeAttempts() async throws {
        let down = APIError.transport(.connectionRefused, detail: "127.0.0.1:9")
        let transport = FakeTransport([[.fail(down)], [.fail(down)], [.fail(down)], [.text("never")]])
        let log = EventLog()
        let (session, _) = try makeSession(transport, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(transport.requests.count == 3)
        #expect(events.contains(.replyFinished(messageId: 2, .failed(down))))
    }

    @Test func aStreamThatBreaksAfterTextIsInterruptedNotRetried() async throws {
        let broken = APIError.truncated(detail: "the connection closed mid-reply")
        let transport = FakeTransport([[.text("half a"), .fail(broken)], [.text("again")]])
        let log = EventLog()
        let (session, store) = try makeSession(transport, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(transport.requests.count == 1)
        #expect(events.contains(.replyFinished(messageId: 2, .interrupted(broken))))
        #expect(try store.messages(conversationId: 1).last?.content == "half a")
    }

    @Test func cancellingDuringARetryWaitEndsTheReply() async throws {
        let overloaded = APIError.http(status: 503, message: "overloaded", retryAfter: nil)
        let log = EventLog()
        let (session, _) = try makeSession(
            FakeTransport([[.fail(overloaded)], [.text("late")]]), clock: FakeClock(),
            retry: RetryPolicy(jitter: 0), log: log)
        try await session.send("Hi")
        await session.cancel()
        let events = await log.waitForFinish()
        #expect(events.filter { if case .replyFinished = $0 { return true } else { return false } }.count == 1)
        #expect(await session.state == .idle)
    }

    @Test func citationsAreKeptWithTheReply() async throws {
        let source = Citation(id: "1", url: "https://a.example", title: "A", type: "url")
        let log = EventLog()
        let (session, store) = try makeSession(FakeTransport([[.text("See [1]."), .citations([source])]]), log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(events.contains(.citations(messageId: 2, [source])))
        #expect(try store.messages(conversationId: 1).last?.citations == [source])
    }

    @Test func aStreamingReplyIsSavedEveryHalfSecond() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([[.text("a"), .hang]])
        let log = EventLog()
        let (session, store) = try makeSession(transport, clock: clock, log: log)
        try await session.send("Hi")
        _ = await log.wait { $0.contains(.textDelta(messageId: 2, text: "a")) }
        // Less than the interval has passed: the text is not written yet.
        #expect(try store.messages(conversationId: 1).last?.content == "")
        clock.advance(by: .milliseconds(600))
        await session.cancel()
        #expect(try store.messages(conversationId: 1).last?.content == "a")
    }
}

@Suite struct ContextWindowTests {
    func history(_ texts: [String]) -> [Message] {
        texts.enumerated().map { index, text in
            Message(id: Int64(index + 1), conversationId: 1, role: index % 2 == 0 ? .user : .assistant, content: text)
        }
    }

    @Test func keepsSystemAndNewestTurnsWithinTheBudget() {
        let window = ContextWindow(budget: 30)
        let result = window.messages(
            system: "sys", history: history(["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd"]),
            latest: ChatMessage(role: .user, content: "new"))
        #expect(result.messages.map(\.content) == ["sys", "cccccccccc", "dddddddddd", "new"])
        #expect(result.dropped == 2)
    }

    @Test func theSystemPromptAndNewMessageGoEvenOverBudget() {
        let window = ContextWindow(budget: 5)
        let result = window.messages(
            system: "a long system prompt", history: history(["old"]), latest: ChatMessage(role: .user, content: "a long new message"))
        #expect(result.messages.map(\.content) == ["a long system prompt", "a long new message"])
        #expect(result.dropped == 1)
    }

    @Test func trimmingIsReportedAsAnEvent() async throws {
        let transport = FakeTransport([[.text("0123456789")], [.text("ok")]])
        let log = EventLog()
        let (session, _) = try makeSession(transport, context: ContextWindow(budget: 25), log: log)
        try await session.send("0123456789")
        _ = await log.waitForFinish(count: 1)
        try await session.send("0123456789")
        let events = await log.waitForFinish(count: 2)
        #expect(events.contains(.contextTrimmed(droppedTurns: 1)))
        try #require(transport.requests.count == 2)
        #expect(transport.requests[1].messages.map(\.role) == [.assistant, .user])
    }

    @Test func failedEmptyRepliesAreNotContext() {
        var messages = history(["q1", ""])
        messages[1].state = .failed
        let result = ContextWindow().messages(system: nil, history: messages, latest: ChatMessage(role: .user, content: "q2"))
        #expect(result.messages.map(\.content) == ["q1", "q2"])
    }
}
