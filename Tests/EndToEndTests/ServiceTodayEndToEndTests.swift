import Foundation
import Testing

/// `tinytalk ask` and `tinytalk config` against `tinytalk serve` behaving as the service runs
/// today: public agents without a key, private agents, keys per bot, models, usage, rate limits.
@Suite(.serialized)
struct ServiceTodayEndToEndTests {
    @Test func aPublicAgentAnswersWithNoKeyAnywhere() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        let result = try await ask(["hello", "--bot", "echo", "--usage"], url: server.url, home: home, key: nil)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("You said 1 thing. Last: “hello”."))
        #expect(result.stderr.contains("tinytalk: usage: "))
        #expect(result.stderr.range(of: #"usage: \d+ tokens \(\d+ prompt \+ \d+ reply\)\."#, options: .regularExpression) != nil)
        #expect(!FileManager.default.fileExists(atPath: home.root.appendingPathComponent("config/tinytalk/api_key").path))
    }

    @Test func aPrivateAgentWithoutAKeySaysSoAndHowToGiveOne() async throws {
        let server = try await ServeProcess.start(["--private", "echo"])
        defer { Task { await server.stop() } }
        let result = try await ask(["hello", "--bot", "echo"], url: server.url, key: nil)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("This agent is private: it answers only with an API key, and none was sent"))
        #expect(result.stderr.contains("401"))
        #expect(result.stderr.contains("tinytalk config set-key"))
    }

    @Test func setKeySavesAPrivateFileAndNeverPrintsTheKey() async throws {
        let server = try await ServeProcess.start(["--private", "echo"])
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        let saved = try await tinytalk(["config", "set-key"], home: home, key: nil, stdin: ServeProcess.key + "\n")
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(!saved.stdout.contains(ServeProcess.key) && !saved.stderr.contains(ServeProcess.key))
        let keyFile = home.root.appendingPathComponent("config/tinytalk/api_key").path
        #expect(saved.stderr.contains("Saved the key to \(keyFile) (mode 600)."))
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8) == ServeProcess.key + "\n")

        let result = try await ask(["hello", "--bot", "echo"], url: server.url, home: home, key: nil)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("You said 1 thing."))
        let check = try await tinytalk(["config", "check"], home: home, key: nil)
        #expect(check.stdout.contains("api key:  found (the key file \(keyFile))"))
        #expect(!check.stdout.contains(ServeProcess.key))
    }

    @Test func eachBotCanHaveAKeyOfItsOwn() async throws {
        // Two private agents of two accounts: echo takes only its own key, docs the shared one.
        let server = try await ServeProcess.start(["--private", "echo=tt-own-key-77c1", "--private", "docs"])
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig("endpoint = \"\(server.url)\"\n")
        #expect(try await tinytalk(["config", "add-bot", "mine", "echo"], home: home).status == 0)
        #expect(try await tinytalk(["config", "add-bot", "theirs", "docs"], home: home).status == 0)
        let own = try await tinytalk(["config", "set-key", "--bot", "mine"], home: home, stdin: "tt-own-key-77c1\n")
        #expect(own.status == 0, "\(own.stderr)")
        let ownFile = home.root.appendingPathComponent("config/tinytalk/keys/mine").path
        #expect(((try FileManager.default.attributesOfItem(atPath: ownFile))[.posixPermissions] as? Int) == 0o600)

        // The shared key (TINYTALK_API_KEY) is the default; mine uses its own.
        let mine = try await tinytalk(["ask", "hi", "--bot", "mine"], home: home)
        #expect(mine.status == 0, "\(mine.stderr)")
        #expect(mine.stdout.hasPrefix("You said 1 thing."))
        let theirs = try await tinytalk(["ask", "hi", "--bot", "theirs"], home: home)
        #expect(theirs.status == 0, "\(theirs.stderr)")
        #expect(theirs.stdout.hasPrefix("From the handbook"))
        let check = try await tinytalk(["config", "check"], home: home)
        #expect(check.stdout.contains("mine: echo, key from the key file \(ownFile)"))
        #expect(!check.stdout.contains("tt-own-key-77c1"))

        // Without its own key, mine would send the shared one, which its account refuses.
        try FileManager.default.removeItem(atPath: ownFile)
        let refused = try await tinytalk(["ask", "hi", "--bot", "mine"], home: home)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("The API key was refused"))
        #expect(refused.stderr.contains("tinytalk config set-key --bot mine"))
    }

    @Test func aModelOnThePlanIsSentAndOneOffItIsRefusedWithoutRetrying() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        let chosen = try await ask(["hi", "--bot", "echo", "--model", "gpt-4.1-mini"], url: server.url, home: home)
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(chosen.stdout.contains("Model: gpt-4.1-mini."))
        let refused = try await ask(["hi", "--bot", "echo", "--model", "gpt-4o"], url: server.url, home: home)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Refused by a plan limit on messages or model access"))
        #expect(refused.stderr.contains("The model gpt-4o is not available on your plan"))
        #expect(refused.seconds < 5)
        let badName = try await ask(["hi", "--bot", "echo", "--model", "two words"], url: server.url, home: home)
        #expect(badName.status == 2)
        #expect(badName.stderr.contains("must be one word"))
        // The model a conversation used is kept with it.
        let history = try await tinytalk(["history", "--json"], home: home)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        let id = try #require(listed.last?["id"] as? Int)
        let export = try await tinytalk(["export", String(id), "--format", "json"], home: home)
        #expect(export.stdout.contains(#""model": "gpt-4.1-mini""#))
    }

    @Test func aRateLimitIsSaidInWordsAndNotRetried() async throws {
        let server = try await ServeProcess.start(["--fault", "rate-limit=1,rate-window=30"])
        defer { Task { await server.stop() } }
        let first = try await ask(["hi", "--bot", "echo"], url: server.url, key: nil)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try await ask(["hi", "--bot", "echo"], url: server.url, key: nil)
        #expect(second.status == 1)
        #expect(second.stderr.range(of: #"Rate limited: 0 of 1 left, the window resets at \d\d:\d\d:\d\d"#, options: .regularExpression) != nil, "\(second.stderr)")
        #expect(second.stderr.contains("it asks to wait"))
        #expect(second.seconds < 5)
        // A valid key lifts the per-user limit.
        let keyed = try await ask(["hi", "--bot", "echo"], url: server.url)
        #expect(keyed.status == 0, "\(keyed.stderr)")
    }

    @Test func theTokensAReplyCostAreKeptInTheExport() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        #expect(try await ask(["hi", "--bot", "echo"], url: server.url, home: home).status == 0)
        #expect(try await ask(["and again", "--bot", "echo", "-c", "--no-stream"], url: server.url, home: home).status == 0)
        let history = try await tinytalk(["history", "--json"], home: home)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        let id = try #require(listed.first?["id"] as? Int)
        let json = try await tinytalk(["export", String(id), "--format", "json"], home: home)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let usage = try #require(object["usage"] as? [[String: Any]])
        #expect(usage.count == 2)  // the streamed reply and the JSON one
        #expect(usage.allSatisfy { ($0["completion_tokens"] as? Int ?? 0) > 5 && $0["total_tokens"] != nil })
        let markdown = try await tinytalk(["export", String(id), "--format", "md"], home: home)
        #expect(markdown.stdout.range(of: #"\*\d+ tokens \(\d+ prompt \+ \d+ reply\)\*"#, options: .regularExpression) != nil)
    }

    @Test func aStreamLabelledJSONOrUnlabelledIsStillAStream() async throws {
        for fault in ["json-label", "no-content-type"] {
            let server = try await ServeProcess.start(["--fault", fault])
            defer { Task { await server.stop() } }
            let result = try await ask(["hi", "--bot", "echo"], url: server.url)
            #expect(result.status == 0, "\(fault): \(result.stderr)")
            #expect(result.stdout.hasPrefix("You said 1 thing."), "\(fault)")
        }
    }

    @Test func sourcesAfterDoneArriveHoweverFramedAndAnOpenConnectionIsLetGo() async throws {
        for fault in ["payload-as-data", "keep-open"] {
            let server = try await ServeProcess.start(["--fault", fault])
            defer { Task { await server.stop() } }
            let result = try await ask(["keys?", "--bot", "docs"], url: server.url, within: 25)
            #expect(result.status == 0, "\(fault): \(result.stderr)")
            #expect(result.stderr.contains("[2] Private agents — https://tinytalk.ai/docs/private-agents"), "\(fault)")
            // The server would keep the connection 30 s; tinytalk waits ~2 s after [DONE].
            #expect(result.seconds < 10, "\(fault): \(result.seconds) s")
        }
    }

    @Test func addBotKeepsTheFileAsWrittenAndRemoveBotPutsItBack() async throws {
        let home = TestHome()
        defer { home.remove() }
        let original = """
            # my settings
            origin = "https://example.com"   # kept as written

            [keys]
            regenerate = "ctrl+g"

            """
        try home.writeConfig(original)
        let added = try await tinytalk(["config", "add-bot", "support", "a3e8f869-0c00-4861-8c24-dc06098520f0", "--model", "gpt-4o-mini"], home: home)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("Added the bot support"))
        let text = try String(contentsOf: home.configFile, encoding: .utf8)
        #expect(text.hasPrefix(original))
        #expect(text.hasSuffix("[[bot]]\nname = \"support\"\nid = \"a3e8f869-0c00-4861-8c24-dc06098520f0\"\nmodel = \"gpt-4o-mini\"\n"))
        let duplicate = try await tinytalk(["config", "add-bot", "Support", "other"], home: home)
        #expect(duplicate.status == 2)
        #expect(duplicate.stderr.contains("there is already a bot called \"support\""))
        let badName = try await tinytalk(["config", "add-bot", "my bot", "x"], home: home)
        #expect(badName.status == 2)
        let removed = try await tinytalk(["config", "remove-bot", "support"], home: home)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try String(contentsOf: home.configFile, encoding: .utf8) == original)
        let missing = try await tinytalk(["config", "remove-bot", "support"], home: home)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no bot called \"support\""))
    }

    @Test func addBotCreatesTheConfigurationWhenThereIsNone() async throws {
        let home = TestHome()
        defer { home.remove() }
        let added = try await tinytalk(["config", "add-bot", "helper", "echo", "--origin", "https://example.com"], home: home)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try String(contentsOf: home.configFile, encoding: .utf8) == "[[bot]]\nname = \"helper\"\nid = \"echo\"\norigin = \"https://example.com\"\n")
        let check = try await tinytalk(["config", "check"], home: home, key: nil)
        #expect(check.stdout.contains("helper: echo"))
        #expect(check.stdout.contains("api key:  none (public agents need none)"))
    }
}
