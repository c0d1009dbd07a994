import Foundation
import Testing
import TinyTalkCore

/// History across runs of the real binary: `ask -c`, `history`, `search`, `export`, config bots,
/// and a writer killed mid-reply.
@Suite(.serialized)
struct HistoryEndToEndTests {
    @Test func continueSendsTheEarlierTurnsAndSavesTheExchange() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }

        let first = try await ask(["my name is Ada", "--bot", "echo"], url: server.url, home: home)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try await ask(["what is my name?", "-c", "--bot", "echo"], url: server.url, home: home)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("You said 2 things and I answered 1 time."))
        #expect(second.stdout.contains("Before that: “my name is Ada”."))
        // Without -c a new conversation starts.
        let fresh = try await ask(["hello", "--bot", "echo"], url: server.url, home: home)
        #expect(fresh.stdout.hasPrefix("You said 1 thing."))

        let history = try await tinytalk(["history", "--json"], home: home)
        #expect(history.status == 0, "\(history.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(listed.map { $0["messages"] as? Int } == [2, 4])
        #expect(listed.map { $0["title"] as? String } == ["hello", "my name is Ada"])

        let table = try await tinytalk(["history", "--bot", "echo"], home: home)
        #expect(table.stdout.hasPrefix("ID  BOT   LAST ACTIVITY"))
        #expect(table.stdout.contains("my name is Ada"))

        // Piped, the matches are the words alone, so grep finds them.
        let found = try await tinytalk(["search", "name is", "Ada"], home: home)
        #expect(found.status == 0)
        #expect(found.stdout.contains("echo  "))
        #expect(found.stdout.contains("my name is Ada"))
        #expect(!found.stdout.contains("\u{1B}"))
        let json = try await tinytalk(["search", "Ada", "--json"], home: home)
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(hits.map { $0["role"] as? String } == ["assistant", "assistant", "user"])
        #expect(hits.allSatisfy { ($0["text"] as? String)?.contains("Ada") == true && $0["bot"] as? String == "echo" })
    }

    @Test func noSaveLeavesNoHistory() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        let result = try await ask(["secret plans", "--bot", "echo", "--no-save"], url: server.url, home: home)
        #expect(result.status == 0)
        let history = try await tinytalk(["history", "--json"], home: home)
        #expect(history.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func anExportedConversationFeedsBackIntoAsk() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        _ = try await ask(["first question", "--bot", "echo", "--system", "Be brief."], url: server.url, home: home)
        _ = try await ask(["second question", "-c", "--bot", "echo"], url: server.url, home: home)

        let file = home.root.appendingPathComponent("export.json")
        let export = try await tinytalk(["export", "1", "--format", "json", "--output", file.path], home: home)
        #expect(export.status == 0, "\(export.stderr)")
        let markdown = try await tinytalk(["export", "1", "--format", "md"], home: home)
        #expect(markdown.stdout.hasPrefix("# first question"))
        #expect(markdown.stdout.contains("## System\n\nBe brief."))

        let replay = try await ask(["third", "--bot", "echo", "--messages", file.path, "--no-save"], url: server.url, home: home)
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("You said 3 things and I answered 2 times."))
        #expect(replay.stdout.contains("Before that: “first question”, “second question”."))
        #expect(replay.stdout.contains("System prompt: “Be brief.”"))
    }

    @Test func aConfiguredBotIsAddressedByName() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig(
            """
            endpoint = "\(server.url)"

            [[bot]]
            name = "helper"
            id = "echo"
            temperature = 0.4
            system = "You help."
            """)
        let result = try await ask(["hi", "--bot", "helper"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("System prompt: “You help.”. Temperature: 0.4."))
        let overridden = try await ask(["hi", "--bot", "helper", "--temperature", "1.5", "--system", "Other."], home: home)
        #expect(overridden.stdout.contains("System prompt: “Other.”. Temperature: 1.5."))

        let check = try await tinytalk(["config", "check"], home: home)
        #expect(check.status == 0)
        #expect(check.stdout.contains("helper: echo, temperature 0.4, system prompt"))
    }

    @Test func aBadConfigIsExplainedWithItsLine() async throws {
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig("endpoint = \"https://api.tinytalk.ai/v1/chat/completions\"\ntemprature = 0.2\n")
        let result = try await ask(["hi", "--bot", "x"], home: home)
        #expect(result.status == 2)
        #expect(result.stderr.contains(":2:"))
        #expect(result.stderr.contains("temprature"))
    }

    @Test func aWriterKilledMidReplyLosesNothingItShowed() async throws {
        let server = try await ServeProcess.start(tokensPerSecond: 30)
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        let child = try startAsk(["tell me a story", "--bot", "story"], url: server.url, home: home)
        // Over a second of streaming: at least two flushes at the half-second cadence.
        #expect(await child.waitForOutput(seconds: 20) { $0.count > 200 })
        try await Task.sleep(for: .milliseconds(1200))
        child.signal(SIGKILL)
        let killed = await child.finish(within: 10)
        #expect(killed.status == SIGKILL || killed.status == 128 + SIGKILL || killed.status == 9)

        let store = try Store(path: home.databasePath)
        let messages = try store.messages(conversationId: 1)
        #expect(messages.count == 2)
        #expect(messages.first?.content == "tell me a story")
        let reply = try #require(messages.last)
        #expect(reply.state == .interrupted)
        #expect(reply.content.count > 100)
        // What was saved is what was shown, up to the last flush.
        #expect(killed.stdout.hasPrefix(reply.content))
    }
}
