import Foundation
import Testing

/// Setting up from inside the full-screen client, in tmux, against `tinytalk serve`: the
/// welcome form for the first bot, and the key form a private agent brings up.
@Suite(.serialized)
struct SetupEndToEndTests {
    typealias Screen = DemoEndToEndTests.Screen

    /// Runs `tinytalk ARGUMENTS` in `home` with no key in the environment; the pane stays up
    /// after it exits to show its status.
    func start(_ screen: Screen, in home: TestHome, _ arguments: String = "") throws {
        let environment = home.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        try screen.start("env -u TINYTALK_API_KEY \(environment) '\(BuiltProducts.tinytalk.path)' \(arguments); echo EXITED=$?; sleep 30")
    }

    /// The file holds `key` on one line and only its owner may read it.
    func expectPrivateKeyFile(_ path: String, holding key: String) throws {
        #expect(try String(contentsOfFile: path, encoding: .utf8) == key + "\n")
        #expect(((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? Int) == 0o600)
    }

    @Test func theWelcomeFormSetsUpTheFirstBotAndOpensIt() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig("endpoint = \"\(server.url)\"\n")
        let screen = Screen()
        defer { screen.stop() }
        try start(screen, in: home)
        try await screen.waitFor("Agent id")
        try screen.keys("echo", "Tab")
        try screen.keys("C-u", "helper", "Enter")  // the name; on to the key
        try screen.keys("Enter", "Enter")  // a public agent: no key, no origin
        try await screen.waitFor("helper · idle")
        try screen.keys("hi there", "Enter")
        try await screen.waitFor("You said 1 thing. Last: “hi there”.")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
        let config = try String(contentsOf: home.configFile, encoding: .utf8)
        #expect(config == "endpoint = \"\(server.url)\"\n\n[[bot]]\nname = \"helper\"\nid = \"echo\"\n")
        #expect(!FileManager.default.fileExists(atPath: home.root.appendingPathComponent("config/tinytalk/api_key").path))
    }

    @Test func theWelcomeFormSavesAPrivateAgentsKeyWithoutShowingIt() async throws {
        let server = try await ServeProcess.start(["--private", "echo"])
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig("endpoint = \"\(server.url)\"\n")
        let screen = Screen()
        defer { screen.stop() }
        try start(screen, in: home)
        try await screen.waitFor("Agent id")
        try screen.keys("echo", "Enter", "Enter")  // id, then the name as offered: assistant
        try screen.keys(ServeProcess.key)
        let typed = try await screen.waitFor("••••••••••")
        #expect(!typed.contains(ServeProcess.key))
        try screen.keys("Enter", "Enter")
        try await screen.waitFor("assistant · idle")
        try screen.keys("hi", "Enter")
        try await screen.waitFor("You said 1 thing.")
        #expect(!(try screen.text()).contains(ServeProcess.key))
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
        try expectPrivateKeyFile(home.root.appendingPathComponent("config/tinytalk/api_key").path, holding: ServeProcess.key)
        #expect(!(try String(contentsOf: home.configFile, encoding: .utf8)).contains(ServeProcess.key))
    }

    @Test func aPrivateAgentAsksForItsKeyInTheTabAndAnswersWithIt() async throws {
        let server = try await ServeProcess.start(["--private", "echo"])
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig("endpoint = \"\(server.url)\"\n\n[[bot]]\nname = \"vault\"\nid = \"echo\"\n")
        let screen = Screen()
        defer { screen.stop() }
        try start(screen, in: home, "--bot vault")
        try await screen.waitFor("vault · idle")
        try screen.keys("open sesame", "Enter")
        let form = try await screen.waitFor("vault is a private agent")
        #expect(form.contains("API key"))
        try screen.keys(ServeProcess.key, "Enter")
        try await screen.waitFor("(•) this bot only")
        try screen.keys("Enter")
        // Saved, and the message is asked again with the key.
        let answered = try await screen.waitFor("You said 1 thing. Last: “open sesame”.")
        #expect(!answered.contains(ServeProcess.key))
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
        try expectPrivateKeyFile(home.root.appendingPathComponent("config/tinytalk/keys/vault").path, holding: ServeProcess.key)
    }

    @Test func aRateLimitWaitsWithItsReasonInWords() async throws {
        let server = try await ServeProcess.start(["--fault", "rate-limit=1,rate-window=4"])
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig("endpoint = \"\(server.url)\"\n\n[[bot]]\nname = \"helper\"\nid = \"echo\"\n")
        let screen = Screen()
        defer { screen.stop() }
        try start(screen, in: home, "--bot helper")
        try await screen.waitFor("helper · idle")
        try screen.keys("one", "Enter")
        try await screen.waitFor("You said 1 thing.")
        try screen.keys("two", "Enter")
        // The reason comes first (a note under the waiting reply), then the state with its
        // countdown, in that order but maybe a frame apart: once the countdown shows, both do.
        let waiting = try await screen.waitFor("retrying in")
        #expect(waiting.contains("Rate limited: 0 of 1 left, the window resets at"))
        // The window is 4 s: the countdown runs out and the message goes through.
        try await screen.waitFor("You said 2 things")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }
}
