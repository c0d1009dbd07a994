import Foundation
import LocalBot
import Testing
import TinyTalkAPI

private let expectedSources = [
    Citation(id: "kb-1", url: "https://tinytalk.ai/docs/api-keys", title: "Managing API keys", type: "url"),
    Citation(id: "kb-2", url: "https://tinytalk.ai/docs/private-agents", title: "Private agents", type: "url"),
]

private let echoReply = "You said 1 thing. Last: “hi”. System prompt: none. Temperature: the bot's default."

/// A local server whose every response has `faults`.
private func configuration(_ faults: String, keys: Set<String> = ["k"]) throws -> LocalBotConfiguration {
    LocalBotConfiguration(keys: keys, tokensPerSecond: 0, fault: try LocalBotFault(parsing: faults))
}

/// Everything a reply delivered, in order.
private func deltas(_ client: ChatClient, _ request: ChatRequest, _ endpoint: Endpoint) async throws -> [ChatDelta] {
    var all: [ChatDelta] = []
    for try await delta in client.stream(request, to: endpoint) { all.append(delta) }
    return all
}

private func text(of deltas: [ChatDelta]) -> String {
    deltas.reduce(into: "") { text, delta in
        if case .text(let piece) = delta { text += piece }
    }
}

private func sources(of deltas: [ChatDelta]) -> [Citation] {
    deltas.flatMap { delta -> [Citation] in
        if case .citations(let found) = delta { return found }
        return []
    }
}

private func ask(_ bot: String, model: String? = nil, stream: Bool = true) -> ChatRequest {
    ChatRequest(botId: bot, messages: [ChatMessage(role: .user, content: bot == "echo" ? "hi" : "keys")], model: model, stream: stream)
}

/// The real client against the real local server, behaving as the service does today. One test
/// at a time: each starts a server and a client thread, and dozens at once only load the machine.
@Suite(.serialized) struct ChatClientServiceTodayTests {
    func endpoint(_ server: LocalBotServer, key: String? = "k") -> Endpoint {
        Endpoint(url: server.chatURL, apiKey: key.map(APIKey.init))
    }

    // MARK: Streams however they are labelled

    @Test(arguments: ["json-label", "no-content-type", "json-label,crlf", "json-label,byte-writes", "no-content-type,byte-writes"])
    func aStreamIsReadAsAStreamWhateverItsLabel(_ faults: String) async throws {
        try await withLocalBot(try configuration(faults)) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            // Completing without an error means [DONE] arrived.
            let all = try await deltas(client, ask("echo"), endpoint(server))
            #expect(text(of: all) == echoReply)
        }
    }

    @Test(arguments: ["json-label", "no-content-type"])
    func aMislabelledStreamStillBringsItsSources(_ faults: String) async throws {
        try await withLocalBot(try configuration(faults)) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let all = try await deltas(client, ask("docs"), endpoint(server))
            #expect(text(of: all).hasPrefix("From the handbook, on “keys”"))
            #expect(sources(of: all) == expectedSources)
        }
    }

    @Test func aRecordedReplyStreamsDeltaForDelta() async throws {
        let recorded = ["## Heading\n", "**bold** ", "你好", "👩‍👩‍👧 ", "`code`", "\nZZEND"]
        var settings = try configuration("")
        settings.replyDeltas = recorded
        try await withLocalBot(settings) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            #expect(text(of: try await deltas(client, ask("story"), endpoint(server))) == recorded.joined())
            // On the wire, one content chunk per recorded delta (the client may join chunks
            // that arrive in one read).
            let raw = try await post(server.chatURL, body: #"{"botId":"story","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
            let pieces = raw.body.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("data: {"),
                    let event = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any],
                    let choice = (event["choices"] as? [[String: Any]])?.first,
                    let content = (choice["delta"] as? [String: Any])?["content"] as? String, !content.isEmpty
                else { return nil }
                return content
            }
            #expect(pieces == recorded)
            #expect(text(of: try await deltas(client, ask("echo", stream: false), endpoint(server))) == recorded.joined())
        }
    }

    @Test func aNonStreamedReplyBringsItsSources() async throws {
        try await withLocalBot { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let all = try await deltas(client, ask("docs", stream: false), endpoint(server))
            #expect(text(of: all).hasPrefix("From the handbook"))
            #expect(sources(of: all) == expectedSources)
        }
    }

    // MARK: Sources

    @Test(arguments: ["", "payload-as-data", "payload-as-data,crlf", "payload-as-data,byte-writes"])
    func theDocsBotsSourcesArrive(_ faults: String) async throws {
        try await withLocalBot(try configuration(faults)) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let all = try await deltas(client, ask("docs"), endpoint(server))
            #expect(text(of: all) == "From the handbook, on “keys”: keys live in the dashboard [1], and a private agent answers only with one [2].")
            #expect(sources(of: all) == expectedSources)
        }
    }

    // MARK: A connection kept open

    @Test(arguments: ["keep-open", "keep-open,payload-as-data", "keep-open,json-label"])
    func aConnectionKeptOpenAfterDoneIsLetGo(_ faults: String) async throws {
        try await withLocalBot(try configuration(faults)) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let started = ContinuousClock.now
            let all = try await deltas(client, ask("docs"), endpoint(server))
            let took = ContinuousClock.now - started
            // The server would keep it 30 s; the client waits `afterDoneWait` (2 s) for sources.
            #expect(took < .seconds(10), "took \(took)")
            #expect(text(of: all).hasPrefix("From the handbook"))
            #expect(sources(of: all) == expectedSources)
            if case .usage? = all.last {} else { Issue.record("usage must come last, got \(String(describing: all.last))") }
        }
    }

    @Test func aShortAfterDoneWaitStillCompletes() async throws {
        try await withLocalBot(try configuration("keep-open")) { server in
            let client = ChatClient(configuration: .init(afterDoneWait: .milliseconds(300)))
            defer { Task { try? await client.shutdown() } }
            let started = ContinuousClock.now
            let all = try await deltas(client, ask("echo"), endpoint(server))
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(text(of: all) == echoReply)
        }
    }

    // MARK: Usage

    @Test(arguments: [true, false])
    func usageArrivesLast(_ stream: Bool) async throws {
        try await withLocalBot { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let all = try await deltas(client, ask("docs", stream: stream), endpoint(server))
            guard case .usage(let usage)? = all.last else {
                Issue.record("the last delta must be the usage, got \(String(describing: all.last))")
                return
            }
            #expect(all.filter { if case .usage = $0 { true } else { false } }.count == 1)
            let prompt = try #require(usage.promptTokens)
            let completion = try #require(usage.completionTokens)
            #expect(prompt > 0 && completion > 5)
            #expect(usage.totalTokens == prompt + completion)
            #expect(usage.summary == "\(prompt + completion) tokens (\(prompt) prompt + \(completion) reply)")
        }
    }

    // MARK: Model

    @Test func aModelOnThePlanAnswers() async throws {
        try await withLocalBot { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let all = try await deltas(client, ask("echo", model: "gpt-4.1-mini"), endpoint(server))
            #expect(text(of: all) == echoReply + " Model: gpt-4.1-mini.")
        }
    }

    @Test func aModelNotOnThePlanIsAPlanLimit() async throws {
        try await withLocalBot { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            do {
                _ = try await deltas(client, ask("echo", model: "gpt-4o"), endpoint(server))
                Issue.record("a model not on the plan must be refused")
            } catch let error as APIError {
                #expect(error.status == 403)
                #expect(!error.isRetryable)
                #expect(error.message.hasPrefix("Refused by a plan limit on messages or model access"))
                #expect(error.message.contains("The model gpt-4o is not available on your plan"))
            }
        }
    }

    // MARK: Rate limit

    @Test func a429FromTheRateLimitCarriesTheWindow() async throws {
        try await withLocalBot(try configuration("rate-limit=1,rate-window=60")) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            let anonymous = endpoint(server, key: nil)
            _ = try await deltas(client, ask("echo"), anonymous)
            do {
                _ = try await deltas(client, ask("echo"), anonymous)
                Issue.record("the second request without a key must be limited")
            } catch let error as APIError {
                guard case .http(let status, let message, let retryAfter, let rateLimit, let keySent) = error else {
                    Issue.record("expected an HTTP error, got \(error)")
                    return
                }
                #expect(status == 429)
                #expect(message == "Rate limit exceeded: 1 request per 60 s without an API key. Slow down, or send a key.")
                let seconds = try #require(retryAfter)
                #expect(seconds >= 1 && seconds <= 60)
                let window = try #require(rateLimit)
                #expect(window.limit == 1)
                #expect(window.remaining == 0)
                let reset = try #require(window.reset)
                #expect(reset > Date() && reset < Date().addingTimeInterval(62))
                #expect(!keySent)
                #expect(error.isRetryable)
                #expect(error.retryAfter == seconds)
                #expect(error.message.hasPrefix("Rate limited: 0 of 1 left, the window resets at "))
                #expect(error.message.hasSuffix("; it asks to wait \(Int(seconds)) s."))
            }
            // A key lifts the limit.
            let all = try await deltas(client, ask("echo"), endpoint(server))
            #expect(text(of: all) == echoReply)
        }
    }

    // MARK: Private bots

    @Test func aPrivateBotWithoutAKeySaysNoneWasSent() async throws {
        let configuration = LocalBotConfiguration(keys: ["k"], privateBots: ["echo": nil], tokensPerSecond: 0)
        try await withLocalBot(configuration) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            do {
                _ = try await deltas(client, ask("echo"), endpoint(server, key: nil))
                Issue.record("a private bot must refuse a request without a key")
            } catch let error as APIError {
                #expect(
                    error
                        == .http(
                            status: 401, message: "This agent is private: send an API key in the Api-Key header.", retryAfter: nil,
                            rateLimit: nil, keySent: false))
                #expect(error.message.hasPrefix("This agent is private: it answers only with an API key, and none was sent"))
            }
            // With the key it answers, and a public bot needs none.
            #expect(text(of: try await deltas(client, ask("echo"), endpoint(server))) == echoReply)
            #expect(text(of: try await deltas(client, ask("docs"), endpoint(server, key: nil))).hasPrefix("From the handbook"))
        }
    }

    @Test func aPrivateBotWithAWrongKeySaysItWasRefused() async throws {
        let configuration = LocalBotConfiguration(keys: ["k"], privateBots: ["echo": nil], tokensPerSecond: 0)
        try await withLocalBot(configuration) { server in
            let client = ChatClient()
            defer { Task { try? await client.shutdown() } }
            do {
                _ = try await deltas(client, ask("echo"), endpoint(server, key: "wrong"))
                Issue.record("a wrong key must be refused")
            } catch let error as APIError {
                guard case .http(401, _, _, _, let keySent) = error else {
                    Issue.record("expected a 401, got \(error)")
                    return
                }
                #expect(keySent)
                #expect(error.message.hasPrefix("The API key was refused: this agent is private"))
            }
        }
    }
}
