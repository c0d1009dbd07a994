import Foundation
import Synchronization
import TerminalKit
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// The app with one tab, `vault`, whose replies come from a ``FakeTransport`` (each reply
/// `ok` once the scripts have run out).
@MainActor
struct SetupHarness {
    let transport: FakeTransport
    let harness: Harness
    var app: App { harness.app }
    var terminal: FakeTerminal { harness.terminal }

    init(_ scripts: [[FakeTransport.Step]], setup: AppSetup? = nil) async throws {
        transport = FakeTransport(scripts, whenOut: [.text("ok")])
        harness = try await Harness(transport: transport, bots: ["vault"], setup: setup, columns: 80, rows: 24)
    }

    func send(_ text: String) { harness.send(text) }
    func press(_ key: Key) { harness.press(key) }
    @discardableResult
    func waitFor(_ expected: String) async -> String { await harness.waitFor(expected) }
    func waitUntil(_ condition: () -> Bool) async { await harness.waitUntil(condition) }
}

/// What `AppSetup` was asked to do, for tests.
@MainActor
final class SetupRecorder {
    var keys: [(key: String, bot: String?)] = []
    var bots: [(name: String, id: String)] = []

    var setup: AppSetup {
        AppSetup(
            addBot: { name, id in
                guard name != "taken" else { throw ConfigFiles.Failure(message: "there is already a bot called taken") }
                self.bots.append((name, id))
                return BotProfile(name: name, id: id, endpoint: Endpoint(url: "http://127.0.0.1:9/v1/chat/completions"))
            },
            saveKey: { key, bot in
                self.keys.append((key.secret, bot))
                return ("/home/someone/.config/tinytalk/api_key", { _ in key })
            },
            isConfigured: { $0 == "vault" })
    }
}

@MainActor
@Suite struct FormTests {
    func form() -> Form {
        Form(title: "Set up", explanation: "Fill it in.", fields: [
            Form.Field(label: "Agent id", hint: "the id", isRequired: true),
            Form.Field(label: "API key", hint: "secret", isSecret: true),
            Form.Field(label: "Use it for", hint: "choose", choices: ["this bot only", "every bot"]),
        ])
    }

    func type(_ text: String, into form: inout Form) {
        for character in text { _ = form.handle(.key(KeyPress(.character(character)))) }
    }

    @Test func typingFillsTheFocusedFieldAndEnterMovesOnThenSubmits() {
        var form = form()
        type("a3e8-f869", into: &form)
        #expect(form.handle(.key(KeyPress(.enter))) == .editing)
        type("tiny_sk_123", into: &form)
        #expect(form.handle(.key(KeyPress(.tab))) == .editing)
        #expect(form.handle(.key(KeyPress(.character(" ")))) == .editing)
        #expect(form.handle(.key(KeyPress(.enter))) == .submitted)
        #expect(form.value("Agent id") == "a3e8-f869")
        #expect(form.value("API key") == "tiny_sk_123")
        #expect(form.value("Use it for") == "every bot")
    }

    @Test func aRequiredFieldLeftEmptyIsNamedAndFocused() {
        var form = form()
        _ = form.handle(.key(KeyPress(.tab)))
        _ = form.handle(.key(KeyPress(.tab)))
        #expect(form.handle(.key(KeyPress(.enter))) == .editing)
        #expect(form.problem == "Agent id is needed.")
        #expect(form.focus == 0)
        #expect(form.handle(.key(KeyPress(.escape))) == .cancelled)
    }

    @Test func aSecretIsShownAsDotsAndNeverAsText() {
        var form = form()
        _ = form.handle(.key(KeyPress(.enter)))
        _ = form.handle(.paste("tiny_secret_key_42\nsecond line"))
        #expect(form.value("API key") == "tiny_secret_key_42")
        var grid = CellGrid(columns: 70, rows: 16)
        let cursor = Form.render(form, theme: .standard, into: &grid, rect: grid.bounds)
        #expect(!grid.text.contains("tiny_secret"))
        #expect(grid.text.contains(String(repeating: "•", count: 18)))
        #expect(grid.text.contains("▸ API key"))
        // The cursor sits after the dots, in the field's row.
        let row = try? #require(cursor?.row)
        #expect(row.map { grid.line($0).contains("•") } == true)
        // Ctrl+U clears the field and keeps nothing to bring back.
        _ = form.handle(.key(KeyPress(.control("u"))))
        _ = form.handle(.key(KeyPress(.control("y"))))
        #expect(form.value("API key").isEmpty)
    }

    @Test func drawsAtAnySizeWithoutCrashing() {
        for (columns, rows) in [(1, 1), (5, 2), (20, 3), (0, 0), (200, 60)] {
            var grid = CellGrid(columns: columns, rows: rows)
            _ = Form.render(form(), theme: .standard, into: &grid, rect: grid.bounds)
            #expect(grid.rows == rows)
        }
    }

    @Test func theWelcomeFormAsksForTheAgentAndOffersTheDemo() {
        let paths = Paths.resolve(environment: ["HOME": "/home/someone"])
        var form: Form? = WelcomeView.setupForm(paths: paths)
        var grid = CellGrid(columns: 100, rows: 30)
        WelcomeView.render(reason: "", form: form, instructions: "", theme: .standard, into: &grid)
        let text = grid.text
        #expect(text.contains("No bots are configured yet."))
        #expect(text.contains("Agent id") && text.contains("Settings → General"))
        #expect(text.contains("/home/someone/.config/tinytalk/api_key (mode 600)"))
        #expect(grid.line(29).contains("Ctrl+T: try the demo bots"))
        for character in "echo" { _ = WelcomeView.respond(to: .key(KeyPress(.character(character))), form: &form) }
        #expect(form?.value(WelcomeView.idField) == "echo")
        #expect(form?.value(WelcomeView.nameField) == "assistant")
        for _ in 0..<3 { #expect(WelcomeView.respond(to: .key(KeyPress(.enter)), form: &form) == nil) }
        #expect(WelcomeView.respond(to: .key(KeyPress(.enter)), form: &form) == .submit)
        #expect(WelcomeView.respond(to: .key(KeyPress(.control("t"))), form: &form) == .demo)
        #expect(WelcomeView.respond(to: .key(KeyPress(.escape)), form: &form) == .quit)
    }
}

@MainActor
@Suite struct AppSetupTests {
    @Test func modelIsAskedForShownInTheStatusBarAndSentWithTheNextRequest() async throws {
        let harness = try await SetupHarness([])
        harness.send("/model gpt-4.1-mini")
        await harness.waitFor("Now asking for gpt-4.1-mini.")
        await harness.waitFor("vault · idle · gpt-4.1-mini")
        harness.send("hello")
        await harness.waitFor("ok")
        #expect(harness.transport.requests.last?.model == "gpt-4.1-mini")
        harness.send("/model default")
        await harness.waitFor("Now asking for the bot's own model.")
        harness.send("again")
        await harness.waitUntil { harness.transport.requests.count == 2 }
        #expect(harness.transport.requests.last?.model == nil)
        harness.send("/model two words")
        await harness.waitFor("is not usable")
    }

    @Test func theTokensAReplyCostAreShownUnderIt() async throws {
        let usage = Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42)
        let harness = try await SetupHarness([[.text("Here you are."), .usage(usage)]])
        harness.send("hi")
        let screen = await harness.waitFor("42 tokens (12 prompt + 30 reply)")
        #expect(screen.contains("Here you are."))
    }

    @Test func aPrivateAgentAsksForItsKeyThenAsksAgainWithIt() async throws {
        let refused = APIError.http(status: 401, message: "This agent is private.", retryAfter: nil, keySent: false)
        let recorder = SetupRecorder()
        let harness = try await SetupHarness([[.fail(refused)], [.text("Welcome back.")]], setup: recorder.setup)
        harness.send("hello")
        let form = await harness.waitFor("vault is a private agent")
        #expect(form.contains("API key"))
        #expect(harness.transport.requests.count == 1)  // a 401 is never retried
        harness.app.handle(.paste("tiny_sk_private_9"))
        let typed = await harness.waitFor("•••••••••••••••••")
        #expect(!typed.contains("tiny_sk_private_9"))
        harness.press(.enter)  // on to "Use it for": this bot only
        harness.press(.enter)
        await harness.waitFor("Welcome back.")
        #expect(recorder.keys.map(\.key) == ["tiny_sk_private_9"])
        #expect(recorder.keys.map(\.bot) == ["vault"])
        #expect(harness.transport.requests.count == 2)
        #expect(harness.transport.endpoints.last?.apiKey == APIKey("tiny_sk_private_9"))
        #expect(!harness.terminal.grid.text.contains("tiny_sk_private_9"))
    }

    @Test func escLeavesTheKeyFormAndKeyGivesItBack() async throws {
        let refused = APIError.http(status: 401, message: "no", retryAfter: nil, keySent: false)
        let recorder = SetupRecorder()
        let harness = try await SetupHarness([[.fail(refused)]], setup: recorder.setup)
        harness.send("hello")
        await harness.waitFor("vault is a private agent")
        harness.press(.escape)
        let back = await harness.waitFor("No key saved. /key asks again.")
        #expect(back.contains("/key gives it a key"))
        #expect(back.contains("\n›"))
        harness.send("/key")
        await harness.waitFor("vault is a private agent")
        #expect(recorder.keys.isEmpty)
    }

    @Test func botAddPutsTheBotInTheConfigurationAndOpensIt() async throws {
        let recorder = SetupRecorder()
        let harness = try await SetupHarness([], setup: recorder.setup)
        harness.send("/bot add support a3e8f869-0c00-4861-8c24-dc06098520f0")
        await harness.waitFor("2:support")
        await harness.waitFor("Added support to the configuration.")
        #expect(recorder.bots.map(\.name) == ["support"])
        harness.send("/bot add taken x1")
        await harness.waitFor("there is already a bot called taken")
        harness.send("/bot")
        await harness.waitFor("/bot add NAME ID")
    }
}

