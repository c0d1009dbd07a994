import Foundation
import TerminalKit
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// Split panes: several tabs on screen at once, each with its own header and scrollback, one
/// of them focused (it gets the input box and the status bar).
@MainActor
@Suite struct PaneTests {
    private func rows(_ screen: String) -> [Substring] { screen.split(separator: "\n", omittingEmptySubsequences: false) }

    @Test func splitShowsTheNextTabBesideThisOneAndTheFocusMoves() async throws {
        let harness = try await Harness([["left reply"], ["right reply"]], bots: ["echo", "story"], columns: 80, rows: 16)
        harness.send("/split")
        var screen = await harness.waitFor("2:story")
        let header = rows(screen)[1]
        #expect(header.contains("▶ 1:echo · idle") && header.contains("  2:story · idle"), "\(screen)")
        // One border column between the panes, on every row of them.
        let border = try #require(header.firstIndex(of: "│").map { header.distance(from: header.startIndex, to: $0) })
        #expect(rows(screen)[2...10].allSatisfy { $0.count > border && Array($0)[border] == "│" }, "\(screen)")

        harness.send("hello left")
        await harness.waitFor("left reply")
        // Ctrl+X o: the other pane has the focus, the input box and the status bar.
        harness.press(.control("x"))
        harness.press(.character("o"))
        screen = await harness.waitFor("▶ 2:story")
        #expect(rows(screen).last?.contains("story · idle") == true)
        harness.send("hello right")
        screen = await harness.waitFor("right reply")
        // Each pane shows its own conversation.
        let left = rows(screen).map { String($0.prefix(border)) }.joined(separator: "\n")
        let right = rows(screen).map { String($0.dropFirst(border + 1)) }.joined(separator: "\n")
        #expect(left.contains("left reply") && !left.contains("right reply"), "\(screen)")
        #expect(right.contains("right reply") && !right.contains("left reply"), "\(screen)")

        // Alt+Up goes back; /only leaves the focused pane alone on screen.
        harness.press(.up, alt: true)
        await harness.waitFor("▶ 1:echo")
        harness.send("/only")
        screen = await harness.waitForScreen { !$0.contains("│") && !$0.contains("▶") }
        #expect(screen.contains("left reply") && !screen.contains("right reply"))
    }

    @Test func bothPanesStreamAtOnce() async throws {
        let left = Gate(), right = Gate()
        let transport = FakeTransport(
            [[.text("left starts "), .gate(left), .text("left ends")], [.text("right starts "), .gate(right), .text("right ends")]],
            whenOut: [.text("ok")])
        let harness = try await Harness(transport: transport, bots: ["echo", "story"], key: APIKey("k"), columns: 90, rows: 14)
        harness.send("/split")
        await harness.waitFor("2:story")
        harness.send("one")
        await harness.waitFor("left starts")
        harness.press(.down, alt: true)
        harness.send("two")
        var screen = await harness.waitFor("right starts")
        #expect(screen.contains("left starts") && screen.contains("1:echo · streaming") && screen.contains("2:story · streaming"))
        right.open()
        left.open()
        screen = await harness.waitForScreen { $0.contains("left ends") && $0.contains("right ends") }
        // A reply finishing in a pane on screen is seen: no unread mark on its tab.
        #expect(!harness.terminal.grid.line(0).contains("*"), "\(screen)")
    }

    @Test func altDigitShowsThatTabInTheFocusedPaneOrGoesToItsPane() async throws {
        let harness = try await Harness([], bots: ["echo", "story", "docs"], columns: 90, rows: 12)
        harness.send("/split")
        await harness.waitFor("2:story")
        harness.press(.character("3"), alt: true)
        var screen = await harness.waitFor("▶ 3:docs")
        #expect(!rows(screen)[1].contains("1:echo") && rows(screen)[1].contains("2:story"), "\(screen)")
        // A tab on screen already: the focus goes to its pane, nothing moves.
        harness.press(.character("2"), alt: true)
        screen = await harness.waitFor("▶ 2:story")
        #expect(rows(screen)[1].contains("  3:docs"), "\(screen)")
    }

    @Test func upToFourPanesSideBySideOrStackedAndNarrowOnesShowOnlyTheBot() async throws {
        let harness = try await Harness([["a long answer that would be cut into pieces"]], bots: ["echo", "story", "docs", "sales", "extra"], columns: 44, rows: 20)
        harness.send("hi")
        await harness.waitFor("a long answer")
        for _ in 0..<3 { harness.send("/split") }
        var screen = await harness.waitFor("4:sales")
        harness.send("/split")
        screen = await harness.waitFor("4 panes at most")
        // Four panes in 44 columns (10 or 11 each) are too narrow to read: each shows its bot's name only.
        #expect(!screen.contains("a long") && !screen.contains("answer"), "\(screen)")
        #expect(rows(screen)[1].contains("echo") && rows(screen)[1].contains("sales"), "\(screen)")

        // Stacked, each pane is the full width: the reply reads whole again.
        harness.send("/split h")
        screen = await harness.waitFor("a long answer that would be cut into pieces")
        let headers = rows(screen).filter { $0.contains(":echo ·") || $0.contains(":story ·") || $0.contains(":docs ·") || $0.contains(":sales ·") }
        #expect(headers.count == 4, "\(screen)")
    }

    @Test func aResizeLaysEveryPaneOutAgain() async throws {
        let text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
        let harness = try await Harness([[text]], bots: ["echo", "story"], columns: 100, rows: 12)
        harness.send("words")
        await harness.waitFor("lambda mu")
        harness.send("/split")
        var screen = await harness.waitFor("2:story")
        #expect(screen.contains("alpha beta gamma delta epsilon"), "\(screen)")
        harness.terminal.size = (50, 12)
        harness.app.handle(.resize(columns: 50, rows: 12))
        screen = await harness.waitForScreen { !$0.contains("alpha beta gamma delta epsilon") && $0.contains("alpha") }
        // Wrapped to the new pane's width (25 columns): no line of the left pane is longer.
        #expect(rows(screen).filter { $0.contains("│") }.allSatisfy { $0.split(separator: "│")[0].count <= 25 }, "\(screen)")
        #expect(screen.contains("mu"))
    }

    @Test func theSplitComesBackAtTheNextStart() async throws {
        let store = try Store()
        let first = try await Harness([], bots: ["echo", "story", "docs"], store: store, columns: 90, rows: 12)
        first.send("/split h")
        await first.waitFor("2:story")
        await first.waitUntil { (try? store.openTabs().panes.count) == 2 }

        // The next run, on the same history: the same tabs in the same panes.
        let workspace = Workspace(store: store, transport: FakeTransport([]))
        try await workspace.restore { conversation in
            BotProfile(name: conversation.botName, id: conversation.botId, endpoint: Endpoint(url: "http://127.0.0.1:9/v1/chat/completions"))
        }
        let terminal = FakeTerminal(columns: 90, rows: 12)
        let app = App(backend: terminal, workspace: workspace, profiles: [])
        await app.start()
        let screen = terminal.grid.text
        #expect(rows(screen)[1].contains("1:echo · idle"), "\(screen)")
        #expect(rows(screen).contains { $0.contains("2:story · idle") } && !screen.contains("│"), "\(screen)")
    }

    @Test func allSendsOneRequestPerBotOnScreenEachWithItsOwnHistory() async throws {
        let transport = FakeTransport([[.text("echo one")], [.text("story one")], [.text("echo two")], [.text("story two")]])
        let harness = try await Harness(transport: transport, bots: ["echo", "story", "docs"], key: APIKey("k"), columns: 90, rows: 14)
        harness.send("/split")
        await harness.waitFor("2:story")
        harness.send("/all first question")
        await harness.waitForScreen { $0.contains("echo one") && $0.contains("1:echo · idle") && $0.contains("2:story · idle") }
        #expect(transport.requests.count == 2)
        // Broadcast mode: Enter does the same, and the prompt and the status bar say so.
        harness.press(.control("x"))
        harness.press(.character("b"))
        var screen = await harness.waitFor("TO EVERY PANE")
        #expect(rows(screen).contains { $0.hasPrefix("»") }, "\(screen)")
        // The rule over the input box names who gets the message and the key that ends it.
        let border = rows(screen)[rows(screen).count - 3]
        #expect(border.hasPrefix("── » to every pane: echo · story ── Ctrl+X b: this pane only ──"), "\(screen)")
        #expect(TextWidth.of(border) == 90, "\(screen)")
        harness.send("second")
        screen = await harness.waitForScreen { $0.contains("echo two") && $0.contains("story two") }
        // Ctrl+X b again: this pane only, and the rule is gone.
        harness.press(.control("x"))
        harness.press(.character("b"))
        screen = await harness.waitFor("Enter sends to this pane only")
        #expect(!screen.contains("to every pane") && !screen.contains("TO EVERY PANE"), "\(screen)")
        let requests = transport.requests
        #expect(requests.count == 4)
        // Each request carries its own conversation: the bot's earlier answer, not the other's.
        let contexts = requests.suffix(2).map { $0.messages.map(\.content) }
        #expect(contexts.contains(["first question", "echo one", "second"]), "\(contexts)")
        #expect(contexts.contains(["first question", "story one", "second"]), "\(contexts)")
        // The tab not on screen got nothing.
        #expect(requests.allSatisfy { $0.botId != "docs" })
    }

    @Test func compareOpensTheBotsSideBySideBroadcasting() async throws {
        let transport = FakeTransport([[.text("from sales")], [.text("from docs")]])
        let harness = try await Harness(transport: transport, bots: ["echo", "sales", "docs"], key: APIKey("k"), columns: 90, rows: 14)
        harness.send("/compare sales docs")
        var screen = await harness.waitFor("Comparing sales, docs")
        #expect(rows(screen)[1].contains("▶ 4:sales") && rows(screen)[1].contains("5:docs"), "\(screen)")
        harness.send("which plan?")
        screen = await harness.waitForScreen { $0.contains("from sales") && $0.contains("from docs") }
        #expect(Set(transport.requests.map(\.botId)) == ["sales", "docs"])
    }

    @Test func tabCompletesBotNamesAfterNewAndEveryWordOfCompare() async throws {
        let harness = try await Harness([], bots: ["echo", "sales", "support", "docs"], columns: 90, rows: 14)
        harness.type("/compare sa")
        harness.press(.tab)
        await harness.waitFor("› /compare sales")
        #expect(harness.app.currentTab?.editor.text == "/compare sales ")
        harness.type("s")
        harness.press(.tab)
        var screen = await harness.waitFor("› /compare sales s")
        #expect(screen.contains("sales  support"), "\(screen)")  // two left: both are listed
        harness.type("u")
        harness.press(.tab)
        await harness.waitFor("› /compare sales support")
        #expect(harness.app.currentTab?.editor.text == "/compare sales support ")
        harness.press(.control("u"))
        harness.type("/new x")
        harness.press(.tab)
        screen = await harness.waitFor("No bot is called x")
        #expect(screen.contains("› /new x"), "\(screen)")
    }

    @Test func eachPaneKeepsItsOwnScrollAndSaysWhatIsBelowInItsHeader() async throws {
        let long = (1...40).map { "line \($0)\n" }
        let harness = try await Harness([long], bots: ["echo", "story"], columns: 90, rows: 14)
        harness.send("go")
        await harness.waitFor("line 40")
        harness.send("/split")
        await harness.waitFor("2:story")
        harness.press(.pageUp)
        await harness.waitFor("-MORE(")
        // The focus moves on; the left pane stays where it was scrolled, and says so.
        harness.press(.down, alt: true)
        let screen = await harness.waitFor("▶ 2:story")
        let header = rows(screen)[1]
        #expect(header.contains("1:echo · idle · -MORE("), "\(screen)")
        #expect(!screen.contains("line 40"), "\(screen)")
    }

    @Test func closingTheFocusedPanesTabFocusesThePaneThatTakesItsPlaceAndANewTabComesIntoTheFocusedPane() async throws {
        let harness = try await Harness([], bots: ["echo", "story", "docs", "sales"], columns: 100, rows: 12)
        harness.send("/split")
        harness.send("/split")
        await harness.waitFor("3:docs")
        harness.press(.down, alt: true)
        await harness.waitFor("▶ 2:story")
        harness.send("/close")
        var screen = await harness.waitForScreen { !$0.contains("story") }
        // Two panes left; the focus went to the pane after the closed one, not off screen.
        #expect(screen.split(separator: "\n")[1].contains("▶ 2:docs"), "\(screen)")
        #expect(harness.app.currentTab?.bot.name == "docs")
        // A new tab opens in the focused pane.
        harness.send("/new sales")
        screen = await harness.waitFor("▶ 4:sales")
        #expect(screen.split(separator: "\n")[1].contains("1:echo") && !screen.split(separator: "\n")[1].contains("docs ·"), "\(screen)")
    }
}

