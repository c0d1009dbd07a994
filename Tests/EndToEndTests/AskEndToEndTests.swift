import Foundation
import Testing

/// `tinytalk ask`, the built binary, against `tinytalk serve` on a free loopback port.
@Suite(.serialized)
struct AskEndToEndTests {
    @Test func repliesWithTheBotsAnswer() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let result = try await ask(["hello", "there", "--bot", "echo"], url: server.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "You said 1 thing. Last: “hello there”. System prompt: none. Temperature: the bot's default.")
        #expect(result.stderr.isEmpty)
    }

    @Test func sendsHistorySystemPromptAndTemperature() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("tt-history-\(UUID().uuidString).json")
        try Data(
            #"[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":"second"}]"#.utf8
        ).write(to: history)
        defer { try? FileManager.default.removeItem(at: history) }
        let result = try await ask(
            ["third", "--bot", "echo", "--messages", history.path, "--system", "Be brief.", "--temperature", "0.3"], url: server.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("You said 3 things and I answered 1 time."))
        #expect(result.stdout.contains("Last: “third”. Before that: “first”, “second”."))
        #expect(result.stdout.contains("System prompt: “Be brief.”"))
        #expect(result.stdout.contains("Temperature: 0.3."))
    }

    @Test func appendsPipedInputAfterTheArguments() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let result = try await ask(["summarise:", "--bot", "echo"], url: server.url, stdin: "line one\nline two\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Last: “summarise:\n\nline one\nline two”."))
    }

    @Test func fileSendsTheFilesTextAfterThePromptAndRefusesABinaryOne() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tt-ask-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("todo.txt"), binary = folder.appendingPathComponent("a.out")
        try Data("buy milk\n".utf8).write(to: text)
        try Data([0x7F, 0x45, 0x4C, 0x46, 0]).write(to: binary)
        let result = try await ask(["read this", "--bot", "echo", "--file", text.path], url: server.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Last: “read this\n\n```todo.txt\nbuy milk\n```”."), "\(result.stdout)")
        let refused = try await ask(["read this", "--bot", "echo", "--file", binary.path], url: server.url)
        #expect(refused.status == 2)
        #expect(refused.stdout.isEmpty && refused.stderr.contains("is not a text file"), "\(refused.stderr)")
    }

    @Test func noStreamPrintsTheSingleJSONReply() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "echo", "--no-stream"], url: server.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("You said 1 thing. Last: “hi”."))
    }

    @Test func citedSourcesGoToStandardError() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let result = try await ask(["keys?", "--bot", "docs"], url: server.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("From the handbook"))
        #expect(!result.stdout.contains("Sources"))
        #expect(result.stderr.contains("[1] Managing API keys — https://tinytalk.ai/docs/api-keys"))
        #expect(result.stderr.contains("[2] Private agents — https://tinytalk.ai/docs/private-agents"))
    }

    @Test func mixedScriptsSurviveEveryWayOfSplittingTheStream() async throws {
        let plain = try await ServeProcess.start()
        let reference = try await ask(["hi", "--bot", "polyglot"], url: plain.url)
        await plain.stop()
        #expect(reference.status == 0)
        #expect(reference.stdout.contains("👩‍👩‍👧‍👦"))
        for fault in ["byte-writes", "crlf", "byte-writes,crlf"] {
            let server = try await ServeProcess.start(["--fault", fault])
            let result = try await ask(["hi", "--bot", "polyglot"], url: server.url)
            await server.stop()
            #expect(result.status == 0, "\(fault): \(result.stderr)")
            #expect(result.stdoutBytes == reference.stdoutBytes, "\(fault)")
        }
    }

    @Test func droppedConnectionKeepsThePartialReplyAndExits4() async throws {
        let server = try await ServeProcess.start(["--fault", "drop-after=4"])
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "story"], url: server.url)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("The lighthouse"))
        #expect(result.stderr.contains("warning"))
        #expect(result.stderr.contains("ended early"))
    }

    @Test func streamWithoutDoneExits4WithTheWholeText() async throws {
        let server = try await ServeProcess.start(["--fault", "no-done"])
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "echo"], url: server.url)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("Temperature: the bot's default."))
        #expect(result.stderr.contains("ended early"))
    }

    @Test func errorEventMidStreamExits1AndKeepsThePartialText() async throws {
        let server = try await ServeProcess.start(["--fault", "error-event-after=3"])
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "story"], url: server.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("The lighthouse"))
        #expect(result.stderr.contains("The model stopped unexpectedly"))
    }

    @Test func rateLimitShowsTheMessageAndRetryAfter() async throws {
        let server = try await ServeProcess.start(["--fault", "status=429,retry-after=7"])
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "echo"], url: server.url)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("429"))
        #expect(result.stderr.contains("Rate limit reached"))
        #expect(result.stderr.contains("it asks to wait 7 s"))
    }

    @Test func serverErrorStatusExits1() async throws {
        let server = try await ServeProcess.start(["--fault", "status=503"])
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "echo"], url: server.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("503"))
        #expect(result.stderr.contains("overloaded"))
    }

    @Test func htmlErrorPageIsReducedToItsText() async throws {
        let server = try await ServeProcess.start(["--fault", "html-error"])
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "echo"], url: server.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("502"))
        #expect(result.stderr.contains("The upstream server did not answer in time."))
        #expect(!result.stderr.contains("<"))
        #expect(!result.stderr.contains("font-family"))
    }

    @Test func stalledStreamTimesOutWithExit3() async throws {
        let server = try await ServeProcess.start(["--fault", "stall=20"])
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "story", "--idle-timeout", "1"], url: server.url)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("The lighthouse"))
        #expect(result.stderr.contains("Timed out"))
        #expect(result.seconds < 10)
    }

    @Test func wrongKeyShowsTheServersMessageAndNeverTheKey() async throws {
        let server = try await ServeProcess.start(["--private", "echo"])
        defer { Task { await server.stop() } }
        let wrongKey = "tt-wrong-key-5e7a9b"
        let result = try await ask(["hi", "--bot", "echo"], url: server.url, key: wrongKey)
        #expect(result.status == 1)
        #expect(result.stderr.contains("401"))
        #expect(result.stderr.contains("Invalid API key for this agent"))
        #expect(result.stderr.contains("The API key was refused: this agent is private"))
        #expect(!result.stderr.contains(wrongKey))
        #expect(!result.stdout.contains(wrongKey))
    }

    @Test func unknownBotIs404() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let result = try await ask(["hi", "--bot", "nobody"], url: server.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("404"))
        #expect(result.stderr.contains("Bot nobody not found"))
    }

    @Test func refusedConnectionExits3Promptly() async throws {
        let result = try await ask(["hi", "--bot", "echo"], url: "http://127.0.0.1:1/v1/chat/completions")
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("refused"))
        #expect(result.seconds < 5)
    }

    @Test func interruptMidStreamExitsPromptlyKeepingThePartialText() async throws {
        let server = try await ServeProcess.start(tokensPerSecond: 20)
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        let child = try startAsk(["hi", "--bot", "story"], url: server.url, home: home)
        #expect(await child.waitForOutput(seconds: 20) { $0.count > 10 })
        let sent = ContinuousClock.now
        child.signal(SIGINT)
        let result = await child.finish(within: 10)
        // The story takes over a minute at this pace; stopping must not wait for it.
        #expect(ContinuousClock.now - sent < .seconds(5))
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("The lighthouse"))
        #expect(result.stderr.contains("interrupted"))
    }
}

/// Mistakes caught before anything is sent: exit 2 with a message that says what to do.
@Suite(.serialized)
struct AskUsageTests {
    @Test func missingBotExits2() async throws {
        let result = try await ask(["hi"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--bot"))
    }

    @Test func temperatureOutOfRangeExits2() async throws {
        let result = try await ask(["hi", "--bot", "echo", "--temperature", "2.5"], url: "http://127.0.0.1:1/x")
        #expect(result.status == 2)
        #expect(result.stderr.contains("between 0 and 2"))
    }

    @Test func plainHTTPToANetworkHostIsRefused() async throws {
        let result = try await ask(["hi", "--bot", "echo"], url: "http://example.com/v1/chat/completions")
        #expect(result.status == 2)
        #expect(result.stderr.contains("Refusing to send the conversation (and any API key) to example.com over plain http://"))
    }

    @Test func emptyPromptExits2() async throws {
        let result = try await ask(["--bot", "echo"], url: "http://127.0.0.1:1/x")
        #expect(result.status == 2)
        #expect(result.stderr.contains("nothing to ask"))
    }

    @Test func badMessagesFileExits2() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tt-bad-\(UUID().uuidString).json")
        try Data(#"[{"role":"robot","content":"x"}]"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await ask(["hi", "--bot", "echo", "--messages", file.path], url: "http://127.0.0.1:1/x")
        #expect(result.status == 2)
        #expect(result.stderr.contains("item 0 needs a role of system, user or assistant"))
    }
}
