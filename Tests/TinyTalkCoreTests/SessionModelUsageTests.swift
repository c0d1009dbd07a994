import Foundation
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore

/// A session over a conversation created with `model`, for the tests of models and usage.
private func makeSession(
    _ transport: FakeTransport, model: String?, store: Store? = nil, clock: FakeClock = FakeClock(), log: EventLog? = nil
) throws -> (ChatSession, Store, Conversation) {
    let store = try store ?? Store()
    let conversation = try store.createConversation(botId: "echo", botName: "echo", temperature: 0.4, model: model)
    let session = ChatSession(
        conversation: conversation, bot: profile(), transport: transport, store: store, clock: clock, retry: RetryPolicy(jitter: 0),
        observer: log?.record ?? ignoreEvents)
    return (session, store, conversation)
}

/// The model a conversation asks for, the tokens a reply cost, and the key a session sends.
@Suite struct SessionModelUsageTests {
    @Test func theRequestAsksForTheConversationsModel() async throws {
        let transport = FakeTransport([[.text("ok")]])
        let log = EventLog()
        let (session, _, _) = try makeSession(transport, model: "gpt-4o-mini", log: log)
        try await session.send("Hi")
        _ = await log.waitForFinish()
        try #require(transport.requests.count == 1)
        #expect(transport.requests[0].model == "gpt-4o-mini")
        #expect(transport.requests[0].temperature == 0.4)

        // Without a model, none is asked for: the bot's own applies.
        let plain = FakeTransport([[.text("ok")]])
        let otherLog = EventLog()
        let (other, _, _) = try makeSession(plain, model: nil, log: otherLog)
        try await other.send("Hi")
        _ = await otherLog.waitForFinish()
        #expect(plain.requests.first?.model == nil)
    }

    @Test func changingTheModelChangesTheNextRequestAndIsSaved() async throws {
        let transport = FakeTransport([[.text("one")], [.text("two")], [.text("three")]])
        let log = EventLog()
        let (session, store, conversation) = try makeSession(transport, model: nil, log: log)
        try await session.configure(.systemPrompt("Be brief."))
        try await session.send("first")
        _ = await log.waitForFinish(count: 1)

        let changed = try await session.configure(.model("gpt-4.1-mini"))
        #expect(changed.model == "gpt-4.1-mini")
        #expect(changed.systemPrompt == "Be brief.")  // the other settings stay
        #expect(changed.temperature == 0.4)
        #expect(await session.conversation.model == "gpt-4.1-mini")
        try await session.send("second")
        _ = await log.waitForFinish(count: 2)
        try #require(transport.requests.count == 2)
        #expect(transport.requests[0].model == nil)
        #expect(transport.requests[1].model == "gpt-4.1-mini")

        // Saved: the conversation reopened (next run, another tab) asks for it too.
        let saved = try #require(try store.conversation(id: conversation.id))
        #expect(saved.model == "gpt-4.1-mini")
        #expect(saved.systemPrompt == "Be brief.")
        #expect(saved.temperature == 0.4)
        let reopenedLog = EventLog()
        let reopened = ChatSession(
            conversation: saved, messages: try store.messages(conversationId: saved.id), bot: profile(), transport: transport,
            store: store, clock: FakeClock(), retry: RetryPolicy(jitter: 0), observer: reopenedLog.record)
        try await reopened.send("third")
        _ = await reopenedLog.waitForFinish()
        try #require(transport.requests.count == 3)
        #expect(transport.requests[2].model == "gpt-4.1-mini")
        #expect(transport.requests[2].messages.first == ChatMessage(role: .system, content: "Be brief."))
    }

    @Test func settingTheModelBackToNoneAsksForTheBotsOwn() async throws {
        let transport = FakeTransport([[.text("one")], [.text("two")]])
        let log = EventLog()
        let (session, store, conversation) = try makeSession(transport, model: "o3", log: log)
        try await session.send("first")
        _ = await log.waitForFinish(count: 1)
        try await session.configure(.model(nil))
        try await session.send("second")
        _ = await log.waitForFinish(count: 2)
        #expect(transport.requests.map(\.model) == ["o3", nil])
        #expect(try store.conversation(id: conversation.id)?.model == nil)
        #expect(try store.conversation(id: conversation.id)?.temperature == 0.4)
    }

    @Test func theTokensAReplyCostAreAnEventAndSavedWithIt() async throws {
        let usage = Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42)
        let transport = FakeTransport([[.text("Hel"), .text("lo!"), .usage(usage)]])
        let log = EventLog()
        let (session, store, conversation) = try makeSession(transport, model: nil, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(Array(events.suffix(5)) == [
            .textDelta(messageId: 2, text: "Hel"),
            .textDelta(messageId: 2, text: "lo!"),
            .usage(messageId: 2, usage),
            .replyFinished(messageId: 2, .complete),
            .stateChanged(.idle),
        ])
        let saved = try store.messages(conversationId: conversation.id)
        #expect(saved.map(\.usage) == [nil, usage])
        #expect(saved.last?.content == "Hello!")
        #expect(await session.messages.last?.usage == usage)
    }

    @Test func tokensOfAReplyThatBreaksAreKeptWithIt() async throws {
        let usage = Usage(completionTokens: 3)
        let broken = APIError.truncated(detail: "the connection closed mid-reply")
        let log = EventLog()
        let (session, store, conversation) = try makeSession(FakeTransport([[.text("half"), .usage(usage), .fail(broken)]]), model: nil, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(events.contains(.usage(messageId: 2, usage)))
        #expect(events.contains(.replyFinished(messageId: 2, .interrupted(broken))))
        let reply = try #require(try store.messages(conversationId: conversation.id).last)
        #expect(reply.state == .interrupted)
        #expect(reply.usage == usage)
    }

    @Test func aRegeneratedReplyDoesNotKeepTheOldTokens() async throws {
        let transport = FakeTransport([[.text("first"), .usage(Usage(totalTokens: 10))], [.text("second")]])
        let log = EventLog()
        let (session, store, conversation) = try makeSession(transport, model: nil, log: log)
        try await session.send("Q")
        _ = await log.waitForFinish(count: 1)
        try await session.regenerate()
        _ = await log.waitForFinish(count: 2)
        // The first reply stays as a variant, with its own tokens; the new one has none.
        let saved = try store.messages(conversationId: conversation.id)
        #expect(saved.map(\.content) == ["Q", "first", "second"])
        #expect(saved.map(\.usage) == [nil, Usage(totalTokens: 10), nil])
        #expect(saved.map(\.isHidden) == [false, true, false])
    }

    @Test func setAPIKeyChangesTheKeyOfTheNextRequest() async throws {
        let transport = FakeTransport([[.text("one")], [.text("two")], [.text("three")]])
        let log = EventLog()
        let (session, _, _) = try makeSession(transport, model: nil, log: log)
        try await session.send("first")
        _ = await log.waitForFinish(count: 1)
        await session.setAPIKey(APIKey("tiny_sk_private_5678"))
        try await session.send("second")
        _ = await log.waitForFinish(count: 2)
        await session.setAPIKey(nil)
        try await session.send("third")
        _ = await log.waitForFinish(count: 3)

        let endpoints = transport.endpoints
        try #require(endpoints.count == 3)
        #expect(endpoints.map(\.apiKey) == [APIKey("test-key"), APIKey("tiny_sk_private_5678"), nil])
        // Only the key changes.
        #expect(Set(endpoints.map(\.url)) == ["http://127.0.0.1:9/v1/chat/completions"])
        #expect(await session.bot.endpoint.apiKey == nil)
    }

    @Test(arguments: [
        APIError.http(status: 401, message: "invalid api key", retryAfter: nil, keySent: true),
        APIError.http(status: 401, message: "", retryAfter: 5, keySent: false),
        APIError.http(status: 403, message: "message limit reached", retryAfter: nil),
        APIError.http(
            status: 403, message: "model not on plan", retryAfter: 2,
            rateLimit: RateLimit(limit: 20, remaining: 0, reset: Date(timeIntervalSinceNow: 5))),
    ])
    func aRefusedKeyOrPlanLimitIsAskedOnceAndFails(refusal: APIError) async throws {
        let transport = FakeTransport([[.fail(refusal)], [.text("must not be asked")]])
        let clock = FakeClock()
        let log = EventLog()
        let (session, store, conversation) = try makeSession(transport, model: "gpt-4.1", clock: clock, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(transport.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
        #expect(!events.contains { if case .retryScheduled = $0 { return true } else { return false } })
        #expect(events.contains(.replyFinished(messageId: 2, .failed(refusal))))
        let saved = try store.messages(conversationId: conversation.id)
        #expect(saved.map(\.state) == [.complete, .failed])
        #expect(saved.last?.error == refusal.message)
        #expect(await session.state == .idle)
    }

    @Test func aRateLimitResetAwayIsWaitedOut() async throws {
        // The reset is a wall-clock time: made when the server answers, 5 s ahead.
        let clock = FakeClock()
        let transport = FakeTransport([
            [
                .failNow {
                    APIError.http(
                        status: 429, message: "slow down", retryAfter: nil,
                        rateLimit: RateLimit(limit: 20, remaining: 0, reset: Date(timeIntervalSinceNow: 5)))
                }
            ],
            [.text("ok")],
        ])
        let log = EventLog()
        let (session, _, _) = try makeSession(transport, model: nil, clock: clock, log: log)
        try await session.send("Hi")
        let events = await log.waitForFinish()
        #expect(events.contains(.replyFinished(messageId: 2, .complete)))
        #expect(transport.requests.count == 2)
        try #require(clock.sleeps.count == 1)
        #expect(clock.sleeps[0] >= .seconds(4) && clock.sleeps[0] <= .seconds(6), "\(clock.sleeps)")
    }
}

/// How long to wait before a retry when the server's figures are extreme.
@Suite struct RetryPolicyLimitsTests {
    private let policy = RetryPolicy(jitter: 0)

    @Test(arguments: [1e300, 9e18, 9.3e18, Double.greatestFiniteMagnitude, .infinity, .nan, 61, 3600])
    func aWaitTooLongToSitThroughIsNoRetry(seconds: Double) {
        for status in [429, 503] {
            let error = APIError.http(status: status, message: "", retryAfter: seconds)
            #expect(policy.delay(before: 2, after: error) == nil, "\(status) after \(seconds)")
        }
    }

    @Test func aWaitWithinTheLimitIsHonoured() {
        #expect(policy.delay(before: 2, after: .http(status: 429, message: "", retryAfter: 60)) == .seconds(60))
        #expect(policy.delay(before: 2, after: .http(status: 429, message: "", retryAfter: 2.5)) == .milliseconds(2500))
        // A shorter wait than the backoff's is not taken: the backoff stands.
        #expect(policy.delay(before: 3, after: .http(status: 503, message: "", retryAfter: 0.5)) == .seconds(2))
        // Negative figures from the network are no wait, not a trap.
        #expect(policy.delay(before: 2, after: .http(status: 429, message: "", retryAfter: -1e300)) == .seconds(1))
    }

    @Test func aRateLimitResetFiveSecondsAwayIsAboutFiveSeconds() throws {
        let reset = RateLimit(limit: 20, remaining: 0, reset: Date(timeIntervalSinceNow: 5))
        let limited = APIError.http(status: 429, message: "", retryAfter: nil, rateLimit: reset)
        let wait = try #require(policy.delay(before: 2, after: limited))
        #expect(wait >= .milliseconds(4500) && wait <= .milliseconds(5500), "\(wait)")

        // The same, as the server's headers say it: seconds until the reset, or a Unix time.
        for value in ["5", String(Int(Date().timeIntervalSince1970) + 5)] {
            let headers = ["x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": value]
            let parsed = try #require(RateLimit(header: { headers[$0.lowercased()] }))
            let wait = try #require(policy.delay(before: 2, after: .http(status: 429, message: "", retryAfter: nil, rateLimit: parsed)))
            #expect(wait >= .seconds(4) && wait <= .seconds(6), "\(value): \(wait)")
        }
    }

    @Test func aRateLimitResetIsOnlyAHintForA429() throws {
        let reset = RateLimit(reset: Date(timeIntervalSinceNow: 30))
        // A server fault keeps its own backoff.
        #expect(policy.delay(before: 2, after: .http(status: 503, message: "", retryAfter: nil, rateLimit: reset)) == .seconds(1))
        // Retry-After wins over the window's reset.
        #expect(policy.delay(before: 2, after: .http(status: 429, message: "", retryAfter: 3, rateLimit: reset)) == .seconds(3))
        // A reset in the past is no hint.
        let past = RateLimit(reset: Date(timeIntervalSinceNow: -10))
        #expect(policy.delay(before: 2, after: .http(status: 429, message: "", retryAfter: nil, rateLimit: past)) == .seconds(1))
    }

    @Test func aResetFarInTheFutureIsNoRetry() throws {
        for value in ["9000000000000000000", "1e300", "99999999999"] {
            let parsed = try #require(RateLimit(header: { $0 == "X-RateLimit-Reset" ? value : nil }), "\(value)")
            let error = APIError.http(status: 429, message: "", retryAfter: nil, rateLimit: parsed)
            #expect(policy.delay(before: 2, after: error) == nil, "\(value)")
            _ = error.message  // and the wording does not trap either
        }
    }
}

/// Exports carry the model and the tokens each reply cost.
@Suite struct ExportModelUsageTests {
    private func sample(model: String?, usage: Bool) throws -> (Conversation, [Message]) {
        let store = try Store()
        let conversation = try store.createConversation(
            botId: "bot-uuid", botName: "support", systemPrompt: "Be kind.", temperature: 0.3, model: model)
        _ = try store.appendMessage(conversationId: conversation.id, role: .user, content: "Line \"one\"\nline two")
        let reply = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
        try store.updateMessage(
            id: reply.id, content: "Answer.", state: .complete,
            usage: usage ? Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42) : nil)
        let cut = try store.appendMessage(conversationId: conversation.id, role: .assistant, content: "", state: .streaming)
        try store.updateMessage(
            id: cut.id, content: "partial", state: .interrupted, error: "cancelled", usage: usage ? Usage(completionTokens: 7) : nil)
        return (try #require(try store.conversation(id: conversation.id)), try store.messages(conversationId: conversation.id))
    }

    private func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func jsonHasTheModelAndAUsageArrayInTheAPIsNames() throws {
        let (conversation, messages) = try sample(model: "gpt-4.1-mini", usage: true)
        let json = ConversationExport.json(conversation, messages: messages)
        let object = try object(json)
        #expect(object["model"] as? String == "gpt-4.1-mini")
        let usage = try #require(object["usage"] as? [[String: Int]])
        #expect(usage == [
            ["messageId": 2, "prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42],
            ["messageId": 3, "completion_tokens": 7],
        ])
        #expect(json.contains("\"usage\": [\n    {\"messageId\": 2, \"prompt_tokens\": 12, \"completion_tokens\": 30, \"total_tokens\": 42},"))
        #expect(json.hasSuffix("\n}\n"))
    }

    @Test func theMessagesArrayIsTheSameWithOrWithoutModelAndUsage() throws {
        let (bare, bareMessages) = try sample(model: nil, usage: false)
        let (full, fullMessages) = try sample(model: "gpt-4.1-mini", usage: true)
        let plain = try object(ConversationExport.json(bare, messages: bareMessages))
        let rich = try object(ConversationExport.json(full, messages: fullMessages))
        #expect(plain["model"] == nil)
        #expect(plain["usage"] == nil)
        let expected: [[String: String]] = [
            ["role": "system", "content": "Be kind."],
            ["role": "user", "content": "Line \"one\"\nline two"],
            ["role": "assistant", "content": "Answer."],
            ["role": "assistant", "content": "partial"],
        ]
        #expect(plain["messages"] as? [[String: String]] == expected)
        #expect(rich["messages"] as? [[String: String]] == expected)
        #expect(rich["temperature"] as? Double == 0.3)
        #expect(rich["bot"] as? String == "support")
    }

    @Test func aModelWithQuotesIsEscapedInJSON() throws {
        var (conversation, messages) = try sample(model: nil, usage: false)
        conversation.model = #"odd"model\name"#
        let object = try object(ConversationExport.json(conversation, messages: messages))
        #expect(object["model"] as? String == #"odd"model\name"#)
    }

    @Test func markdownShowsTheModelAndEachReplysTokens() throws {
        let (conversation, messages) = try sample(model: "gpt-4.1-mini", usage: true)
        let markdown = ConversationExport.markdown(conversation, messages: messages)
        let facts = try #require(markdown.split(separator: "\n").dropFirst().first)
        #expect(facts.hasPrefix("Bot: support · Started: "))
        #expect(facts.hasSuffix(" · Temperature: 0.3 · Model: gpt-4.1-mini"))
        #expect(markdown.contains("Answer.\n\n*42 tokens (12 prompt + 30 reply)*\n\n"))
        #expect(markdown.contains("partial\n\n*7 tokens*\n\n> *Interrupted: cancelled*"))

        let (bare, bareMessages) = try sample(model: nil, usage: false)
        let plain = ConversationExport.markdown(bare, messages: bareMessages)
        #expect(!plain.contains("Model:"))
        #expect(!plain.contains("tokens"))
    }
}
