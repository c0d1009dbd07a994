import Foundation
import TestSupport
import Synchronization
import TerminalKit
import Testing
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

@MainActor
@Suite struct AppTests {
    @Test func aSentMessageAndItsStreamedReplyAppear() async throws {
        let harness = try await Harness([["Hello", ", ", "world!"]])
        let first = harness.terminal.grid.text
        #expect(first.hasPrefix(" 1:echo  2:story"))
        #expect(first.contains("echo · idle"))
        harness.type("Hi there")
        await harness.waitFor("› Hi there")
        harness.press(.enter)
        let screen = await harness.waitFor("Hello, world!")
        #expect(screen.contains("you "))
        #expect(screen.contains("Hi there"))
        #expect(screen.contains("echo "))
        // The input box is empty again, the cursor after its prompt.
        #expect(harness.terminal.cursor?.column == 2)
    }

    @Test func aReplyFinishingInAnotherTabMarksItUnread() async throws {
        let harness = try await Harness([["pause", "the end"]])
        harness.press(.character("2"), alt: true)
        await harness.waitFor("story · idle")
        harness.type("tell")
        harness.press(.enter)
        harness.press(.character("1"), alt: true)
        await harness.waitFor("2:story *")
        harness.press(.character("a"), alt: true)  // the next tab with an unread reply
        let screen = await harness.waitFor("the end")
        #expect(!harness.terminal.grid.line(0).contains("*"))
        #expect(screen.contains("story · idle"))
    }

    @Test func escapeCancelsAndKeepsThePartialReply() async throws {
        let harness = try await Harness([["Partial ", "answer", "hang"]])
        harness.type("q")
        harness.press(.enter)
        await harness.waitFor("Partial answer")
        harness.press(.escape)
        let screen = await harness.waitFor("[interrupted: cancelled]")
        #expect(screen.contains("Partial answer"))
        await harness.waitFor("echo · idle")
    }

    @Test func scrollingUpDuringAStreamHoldsTheViewAndShowsMore() async throws {
        // The rest of the reply comes once the test has scrolled up (a gate, not a pause: on a
        // busy machine a pause could end before the test gets to scroll).
        let more = Gate()
        let steps = (1...40).map { FakeTransport.Step.text("line \($0)\n") } + [.gate(more), .text("unseen text\n"), .hang]
        let harness = try await Harness(
            transport: FakeTransport([steps], whenOut: [.text("ok")]), bots: ["echo", "story"], key: APIKey("k"), columns: 40, rows: 12)
        harness.type("go")
        harness.press(.enter)
        await harness.waitFor("line 40")
        harness.press(.pageUp)
        harness.press(.pageUp)
        let held = await harness.waitFor("-MORE(")
        let top = harness.terminal.grid.line(1)
        #expect(!held.contains("line 40"))
        // More text arrives; the view does not move.
        more.open()
        await harness.waitUntil { harness.app.currentTab?.transcript.entries.last?.text.contains("unseen text") == true }
        harness.app.render()
        #expect(harness.terminal.grid.line(1) == top)
        // Scrolled down to it, a marker shows where the unseen text starts.
        harness.press(.end, alt: true)
        let marked = await harness.waitFor("── new ─")
        #expect(marked.contains("line 40\n── new ───"))
        #expect(marked.contains("───\nunseen text"))
        #expect(!marked.contains("-MORE("))
        // Switching away and back marks it read.
        harness.press(.character("2"), alt: true)
        await harness.waitFor("story · idle")
        harness.press(.character("1"), alt: true)
        let read = await harness.waitForScreen { $0.contains("unseen text") && !$0.contains("story · idle") }
        #expect(!read.contains("── new"))
        harness.press(.escape)
    }

    @Test func aTokenHandsOverOnlyTheRowItChangedAndAnOverlayGivesThePaneBack() async throws {
        let more = Gate()
        let steps: [FakeTransport.Step] = [.text("first line\nsecond"), .gate(more), .text(" half"), .hang]
        let harness = try await Harness(transport: FakeTransport([steps], whenOut: [.text("ok")]), bots: ["echo"], key: APIKey("k"))
        harness.send("go")
        await harness.waitFor("second")
        let rows = harness.terminal.size.rows
        // The pane lies between the tab bar (row 0) and the input box and status bar.
        let pane = 1..<(rows - 3)
        harness.terminal.changedSpans = []
        harness.app.render()
        #expect(harness.terminal.changedRows.joined().filter(pane.contains) == [])
        more.open()
        let screen = await harness.waitFor("second half")
        let changed = Set(harness.terminal.changedRows.joined().filter(pane.contains))
        let row = try #require(screen.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("second half") })
        #expect(changed == [row], "\(changed) of\n\(screen)")
        // Of that row, only the cells the token filled, from where the streaming mark was to
        // where it is now.
        let line = Array(screen.split(separator: "\n", omittingEmptySubsequences: false)[row])
        let added = try #require(line.indices.first { String(line[$0...]).hasPrefix(" half") })
        let spans = harness.terminal.changedSpans.joined().filter { $0.row == row }
        #expect(spans.map(\.columns) == [added..<added + 6], "\(spans) of \(String(line))")

        // Help covers the pane; once it is closed the transcript is drawn again, every row.
        harness.press(.function(1))
        await harness.waitFor("Keys and commands")
        harness.press(.escape)
        let back = await harness.waitFor("first line")
        #expect(back.contains("second half") && !back.contains("Keys and commands"), "\(back)")
        harness.press(.escape)
    }

    @Test func mixedScriptsWrapWithoutSplittingCharacters() async throws {
        let text = "你好世界你好世界 👩‍👩‍👧‍👦 family 🇯🇵 flag e\u{301}te\u{301} done"
        let harness = try await Harness([[text]], columns: 20, rows: 16)
        harness.type("x")
        harness.press(.enter)
        let screen = await harness.waitFor("done")
        #expect(screen.contains("你好世界你好世界 👩‍👩‍👧‍👦\nfamily 🇯🇵 flag été\ndone"))
        for row in 0..<harness.terminal.grid.rows {
            #expect(TextWidth.of(harness.terminal.grid.line(row)) <= 20)
        }
    }

    @Test func helpListsKeysAndCommands() async throws {
        let harness = try await Harness([], rows: 40)
        harness.press(.function(1))
        let screen = await harness.waitFor("Keys and commands")
        #expect(screen.contains("Ctrl+R"))
        #expect(screen.contains("regenerate"))
        #expect(!screen.contains("/retry"))
        // Longer than the pane: PgDn pages down to the commands.
        for _ in 0..<3 where !harness.terminal.grid.text.contains("/retry") {
            harness.press(.pageDown)
            harness.app.render()
        }
        let paged = await harness.waitFor("/retry")
        #expect(paged.contains("Commands"))
        #expect(!paged.contains("Ctrl+R  "))
        harness.press(.escape)
        await harness.waitFor("echo · idle")
    }

    @Test func aLineThatIsNoCommandStaysAndEnterAgainSendsIt() async throws {
        let harness = try await Harness([["Noted."]], columns: 100)
        harness.type("/etc/hosts has a typo")
        harness.press(.enter)
        let kept = await harness.waitFor("/etc/hosts is not a command: Enter sends it as text")
        #expect(kept.contains("› /etc/hosts has a typo"))
        harness.press(.enter)
        let sent = await harness.waitFor("Noted.")
        #expect(sent.contains("/etc/hosts has a typo"))
        #expect(!sent.contains("› /etc"))
        harness.type("/temp 7")
        harness.press(.enter)
        await harness.waitFor("/temp takes a number from 0 to 2")
    }

    @Test func aTinyTerminalSaysSo() async throws {
        let harness = try await Harness([], columns: 12, rows: 3)
        await harness.waitFor("terminal too")
        harness.terminal.size = (1, 1)
        harness.app.render()
        #expect(harness.terminal.grid.text == "t")
    }

    @Test func ctrlXCtrlEEditsTheInputInTheEditor() async throws {
        let harness = try await Harness([])
        harness.app.editorCommand = "sed -i 's/draft/edited text/'"
        harness.type("my draft")
        harness.press(.control("x"))
        harness.press(.control("e"))
        let screen = await harness.waitFor("› my edited text")
        #expect(harness.terminal.suspensions == 1)
        #expect(!screen.contains("draft"))
        harness.app.editorCommand = "false"
        harness.press(.control("x"))
        harness.press(.control("e"))
        await harness.waitFor("The editor failed")
        #expect(harness.terminal.grid.text.contains("› my edited text"))
    }

    @Test func ctrlTOpensATabWithAPickedBot() async throws {
        let harness = try await Harness([["picked"]])
        harness.press(.control("t"))
        let picker = await harness.waitFor("Open a tab with")
        #expect(picker.contains("1  echo"))
        #expect(picker.contains("2  story"))
        harness.press(.character("2"))
        await harness.waitFor("2:story  3:story")
        await harness.waitFor("story · idle")
        #expect(harness.app.tabs.count == 3)
        #expect(harness.app.selected == 2)
    }

    @Test func searchFindsEarlierConversationsAndOpensThem() async throws {
        let harness = try await Harness([["The zeppelin lands at noon."], ["other"]])
        harness.type("when does the zeppelin land?")
        harness.press(.enter)
        await harness.waitFor("lands at noon")
        // A reply is indexed for search once it has ended.
        await harness.waitFor("echo · idle")
        harness.press(.character("2"), alt: true)
        harness.type("/search zeppelin")
        harness.press(.enter)
        let results = await harness.waitFor("2 messages match “zeppelin”")
        #expect(results.contains("echo: The zeppelin lands at noon."))
        harness.press(.down)
        harness.press(.enter)
        // The hit is in the echo tab, which is already open: it is selected.
        await harness.waitFor("echo · idle")
        #expect(harness.app.selected == 0)
    }

    @Test func themeSwitchesLive() async throws {
        let harness = try await Harness([])
        harness.app.themeLoader = ThemeLoader.standard(environment: [:], userDirectory: URL(fileURLWithPath: "/nonexistent"))
        let before = harness.terminal.grid[column: 1, row: 0].style
        harness.type("/theme gruvbox")
        harness.press(.enter)
        await harness.waitFor("Theme gruvbox.")
        #expect(harness.terminal.grid[column: 1, row: 0].style != before)
        #expect(harness.terminal.grid[column: 1, row: 0].style.background == .rgb(0xFA, 0xBD, 0x2F))
        harness.type("/theme")
        harness.press(.enter)
        await harness.waitFor("Themes: default")
    }

    @Test func ctrlDOnAnEmptyInputQuits() async throws {
        let harness = try await Harness([])
        harness.press(.control("d"))
        await harness.app.waitUntilFinished()
        #expect(harness.app.isFinished)
    }

    @Test func scrollingToTheTopPagesInOlderHistory() async throws {
        let store = try Store()
        let conversation = try store.createConversation(botId: "echo", botName: "echo", systemPrompt: nil, temperature: nil)
        for number in 1...120 {
            _ = try store.appendMessage(conversationId: conversation.id, role: number % 2 == 1 ? .user : .assistant, content: "message \(number)")
        }
        let workspace = Workspace(store: store, transport: FakeTransport([]), restoreLimit: 30)
        let endpoint = Endpoint(url: "http://127.0.0.1:9/v1/chat/completions", apiKey: APIKey("k"))
        let profile = BotProfile(name: "echo", id: "echo", endpoint: endpoint)
        await workspace.perform(.open(profile, conversation: conversation.id))
        let terminal = FakeTerminal(columns: 60, rows: 16)
        let app = App(backend: terminal, workspace: workspace, profiles: [profile])
        await app.start()
        #expect(app.currentTab?.transcript.count == 30)
        // Alt+Home reaches the oldest loaded message; the page before it comes in above.
        app.handle(.key(KeyPress(.home, alt: true)))
        var loaded = 0
        for _ in 0..<200 where loaded <= 30 {
            try await Task.sleep(for: .milliseconds(5))
            loaded = app.currentTab?.transcript.count ?? 0
        }
        #expect(loaded == 120)
        app.render()
        #expect(terminal.grid.text.contains("message 91"))  // the view stayed where it was
        for _ in 0..<100 { app.handle(.key(KeyPress(.pageUp))) }
        app.render()
        #expect(terminal.grid.text.contains("message 1\n") || terminal.grid.text.hasSuffix("message 1"))
        #expect(terminal.grid.text.contains("message 2"))
    }

    @Test func selectModeCopiesAMessageOrItsCodeBlocks() async throws {
        let reply = "Try this:\n\n```swift\nlet x = 1\n```\n\nor\n\n~~~sh\necho hi\n~~~\n"
        let harness = try await Harness([[reply]], columns: 120, rows: 30)
        harness.type("how?")
        harness.press(.enter)
        await harness.waitFor("echo hi")
        await harness.waitFor("echo · idle")
        harness.press(.control("s"))
        let screen = await harness.waitFor("◂ selected")
        #expect(screen.contains("y copy · c code · e edit"))
        harness.press(.character("2"))
        await harness.waitFor("Copied code block 2 to the clipboard")
        #expect(harness.terminal.clipboard == ["echo hi"])
        harness.press(.control("s"))
        harness.press(.up)  // the question
        harness.press(.character("y"))
        await harness.waitFor("Copied the message")
        #expect(harness.terminal.clipboard?.last == "how?")
        harness.type("/copy code")
        harness.press(.enter)
        await harness.waitFor("Copied code block 1")
        #expect(harness.terminal.clipboard?.last == "let x = 1")
        harness.type("/copy code 3")
        harness.press(.enter)
        await harness.waitFor("The last reply has 2 code blocks.")
    }

    @Test func aCopyTheTerminalCannotTakeIsSavedToAFile() async throws {
        let harness = try await Harness([["a reply worth keeping"]], columns: 160)
        harness.terminal.clipboard = nil
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tt-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        harness.app.scratchDirectory = folder
        harness.type("hi")
        harness.press(.enter)
        await harness.waitFor("a reply worth keeping")
        await harness.waitFor("echo · idle")
        harness.type("/copy")
        harness.press(.enter)
        await harness.waitFor("Saved the last reply to \(folder.path)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count == 1)
        if let file = files.first {
            let path = folder.appendingPathComponent(file).path
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "a reply worth keeping")
            // Private, under a name nobody can guess in advance.
            #expect(((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? Int) == 0o600)
            #expect(file.hasPrefix("tinytalk-copy-") && file.count > "tinytalk-copy-.txt".count + 8)
        }
    }

    @Test func repliesAreStyledAndRawShowsTheirSource() async throws {
        let harness = try await Harness([["# Plan\n\nThis is **bold** and `code`.\n\n- one\n- two"]])
        harness.type("plan?")
        harness.press(.enter)
        let styled = await harness.waitFor("• two")
        #expect(styled.contains("Plan\n"))
        #expect(styled.contains("This is bold and code."))
        #expect(!styled.contains("**"))
        harness.type("/raw")
        harness.press(.enter)
        let raw = await harness.waitFor("This is **bold** and `code`.")
        #expect(raw.contains("# Plan"))
        #expect(raw.contains("- two"))
        harness.type("/raw")
        harness.press(.enter)
        await harness.waitFor("This is bold and code.")
    }

    @Test func ctrlWDeletesAWordAndClosesTheTabOnAnEmptyInput() async throws {
        let harness = try await Harness([])
        harness.type("two words")
        harness.press(.control("w"))
        await harness.waitFor("› two")
        #expect(harness.app.currentTab?.editor.text == "two ")
        #expect(harness.app.tabs.count == 2)
        harness.press(.control("w"))
        harness.press(.control("w"))
        let screen = await harness.waitFor("story · idle")
        #expect(screen.hasPrefix(" 1:story"))
        #expect(harness.app.tabs.count == 1)
    }

    @Test func tabKeysWithNoTabLeftDoNothing() async throws {
        let harness = try await Harness([], bots: ["echo"])
        harness.press(.control("w"))
        await harness.waitFor("No tabs are open.")
        for press in [KeyPress(.character("a"), alt: true), KeyPress(.control("n")), KeyPress(.control("p")), KeyPress(.right, alt: true)] {
            harness.app.handle(.key(press))
        }
        harness.press(.character("3"), alt: true)
        await harness.waitFor("No tabs are open.")
        #expect(harness.app.tabs.isEmpty)
    }

    @Test func anExportAsksBeforeReplacingAFile() async throws {
        let harness = try await Harness([["kept"]], columns: 120)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tt-export-\(UUID().uuidString).md")
        try Data("precious\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        harness.send("hi")
        await harness.waitFor("kept")
        harness.send("/export md \(file.path)")
        await harness.waitFor("Exists (the same /export again replaces it)")
        #expect(try String(contentsOf: file, encoding: .utf8) == "precious\n")
        harness.send("/export md \(file.path)")
        await harness.waitFor("Exported to \(file.path)")
        #expect(try String(contentsOf: file, encoding: .utf8).contains("kept"))
    }
}

@MainActor
@Suite struct WelcomeViewTests {
    @Test func explainsWhatIsMissingAndOffersTheDemo() {
        var grid = CellGrid(columns: 60, rows: 20)
        WelcomeView.render(
            reason: "The key file is readable by other users.", form: nil,
            instructions: "To try it with no account: tinytalk --demo\n\nPut bots in config.toml.", theme: .standard, into: &grid)
        let text = grid.text
        #expect(text.contains("tinytalk — chat with Tiny Talk bots"))
        #expect(text.contains("The key file is readable by other users."))
        #expect(text.contains("tinytalk --demo"))
        #expect(grid.line(19).contains("d: try the demo bots now"))
        var form: Form?
        #expect(WelcomeView.respond(to: .key(KeyPress(.character("d"))), form: &form) == .demo)
        #expect(WelcomeView.respond(to: .key(KeyPress(.character("q"))), form: &form) == .quit)
        #expect(WelcomeView.respond(to: .key(KeyPress(.character("x"))), form: &form) == nil)
    }

    @Test func survivesAnySize() {
        for (columns, rows) in [(1, 1), (5, 2), (20, 3), (0, 0)] {
            var grid = CellGrid(columns: columns, rows: rows)
            WelcomeView.render(reason: "No bots are configured yet.", form: nil, instructions: "tinytalk --demo", theme: .standard, into: &grid)
            WelcomeView.render(
                reason: "", form: WelcomeView.setupForm(paths: Paths.resolve(environment: ["HOME": "/home/someone"])), instructions: "",
                theme: .standard, into: &grid)
            #expect(grid.rows == rows)
        }
    }
}

@Suite struct CodeBlockTests {
    @MainActor @Test func fencesOfBothKindsAndAnUnclosedOne() {
        let text = "intro\n```python\nprint(1)\n\nprint(2)\n```\n  ~~~~\n  a ``` b\n  ~~~~\n````\nopen to the end"
        #expect(Transcript.codeBlocks(in: text) == ["print(1)\n\nprint(2)", "a ``` b", "open to the end"])
        #expect(Transcript.codeBlocks(in: "no code, just `inline`") == [])
        #expect(Transcript.codeBlocks(in: "```\n```") == [""])
    }
}
