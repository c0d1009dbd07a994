import Foundation
import TerminalKit
import TestSupport
import Testing
import TinyTalkCore
import TinyTalkUI

/// Each mode reads keys in its own context; every key, line editing included, can be rebound.
@MainActor
@Suite struct ModeTests {
    @Test func theBotPickerIsAListToMoveThrough() async throws {
        let harness = try await Harness([], columns: 60, rows: 10)
        harness.press(.control("t"))
        let picker = await harness.waitFor("Open a tab with")
        #expect(GridSnapshot.mismatch(picker, named: "bot-picker") == nil, "\(GridSnapshot.mismatch(picker, named: "bot-picker") ?? "")")
        harness.press(.down)
        harness.press(.enter)
        await harness.waitFor("3:story")
        await harness.waitUntil { harness.app.tabs.count == 3 && harness.app.selected == 2 }
        // Any other key is "never mind".
        harness.press(.control("t"))
        await harness.waitFor("Open a tab with")
        harness.press(.character("x"))
        let closed = await harness.waitFor("story · idle")
        #expect(!closed.contains("Open a tab with"))
        #expect(harness.app.currentTab?.editor.text == "")  // the key only closed the list
    }

    @Test func selectModeKeysCanBeRebound() async throws {
        let (keys, problems) = KeyMap.configured(["copy-message": "w", "select-previous": "ctrl+p"])
        #expect(problems.isEmpty)
        let harness = try await Harness([["first reply"], ["second reply"]], keyMap: keys)
        harness.send("one")
        await harness.waitFor("first reply")
        await harness.waitFor("echo · idle")
        harness.send("two")
        await harness.waitFor("second reply")
        await harness.waitFor("echo · idle")
        harness.press(.control("s"))
        await harness.waitFor("y copy · c code")
        harness.press(.character("y"))  // no longer bound: nothing is copied
        #expect(harness.terminal.clipboard == [])
        harness.press(.control("p"))  // rebound: up to the message before
        harness.press(.character("w"))
        await harness.waitFor("Copied the message")
        #expect(harness.terminal.clipboard == ["two"])
        // Ctrl+P means the previous tab again outside select mode.
        harness.press(.control("p"))
        await harness.waitFor("story · idle")
    }

    @Test func lineEditingKeysCanBeReboundAndTwoKeyBindingsSayWhatFollows() async throws {
        let (keys, problems) = KeyMap.configured(["line-start": "ctrl+g", "edit-in-editor": "ctrl+x e", "help": "f2"])
        #expect(problems.isEmpty)
        let harness = try await Harness([], keyMap: keys, columns: 100)
        // The status bar's hint names the keys as bound.
        #expect(harness.terminal.grid.text.contains("Enter send · Alt+Enter newline · F2 help"))
        harness.type("world")
        harness.press(.control("g"))
        harness.type("hello ")
        await harness.waitFor("› hello world")
        harness.press(.control("a"))  // its default key is gone: Ctrl+A does nothing now
        harness.type("!")
        await harness.waitFor("› hello !world")

        harness.app.editorCommand = "sed -i 's/hello/goodbye/'"
        harness.press(.control("x"))
        await harness.waitFor("Ctrl+X: e edit the input in $EDITOR")
        harness.press(.character("e"))
        await harness.waitFor("› goodbye !world")
        #expect(harness.terminal.suspensions == 1)
        // A prefix and a key that make no binding: the key counts on its own.
        harness.press(.control("x"))
        harness.type("z")
        await harness.waitFor("› goodbye !worldz")
    }

    @Test func closingATabWithAReplyOnItsWayAsksFirst() async throws {
        let harness = try await Harness([["Partial ", "hang"]], columns: 100)
        harness.send("go")
        await harness.waitFor("Partial")
        harness.press(.control("w"))
        await harness.waitFor("close again to cancel it and close the tab")
        harness.press(.character("k"))  // anything else: the tab stays, the key is typed
        await harness.waitFor("› k")
        #expect(harness.app.tabs.count == 2)
        harness.press(.control("w"))  // deletes the word typed
        harness.press(.control("w"))
        await harness.waitFor("close again")
        harness.press(.control("w"))
        let screen = await harness.waitFor("story · idle")
        #expect(screen.hasPrefix(" 1:story"))
        #expect(harness.app.tabs.count == 1)
    }

    @Test func theTemperatureSetWithTempShowsInTheStatusBar() async throws {
        let harness = try await Harness([], columns: 100)
        harness.send("/temp 0.3")
        let screen = await harness.waitFor("temp 0.3")
        #expect(screen.contains("Temperature 0.3 from the next message on."))
        // The other tab keeps its own.
        harness.press(.character("2"), alt: true)
        let other = await harness.waitFor("story · idle")
        #expect(!other.contains("temp 0.3"))
    }

    @Test func aWholeChatScreenIsAsDrawn() async throws {
        let harness = try await Harness([["**Hello**, world — 你好 👋"]], columns: 48, rows: 10)
        harness.send("Hi")
        await harness.waitFor("你好")
        // Message times are the clock's: shown as hh:mm here.
        let screen = await harness.waitFor("echo · idle").replacingOccurrences(
            of: #"\b[0-2][0-9]:[0-5][0-9]\b"#, with: "hh:mm", options: .regularExpression)
        #expect(GridSnapshot.mismatch(screen, named: "chat") == nil, "\(GridSnapshot.mismatch(screen, named: "chat") ?? "")")
    }
}

/// Whole screens of the overlays, kept as snapshots (`TINYTALK_RECORD_SNAPSHOTS=1` re-records).
@MainActor
@Suite struct OverlaySnapshotTests {
    /// Times and dates are the clock's: masked.
    static func masked(_ screen: String) -> String {
        screen
            .replacingOccurrences(of: #"\b20[0-9][0-9]-[01][0-9]-[0-3][0-9]\b"#, with: "yyyy-mm-dd", options: .regularExpression)
            .replacingOccurrences(of: #"\b[0-2][0-9]:[0-5][0-9]\b"#, with: "hh:mm", options: .regularExpression)
    }

    static func expectSnapshot(_ screen: String, _ name: String) {
        let mismatch = GridSnapshot.mismatch(masked(screen), named: name)
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func helpsFirstPage() async throws {
        let harness = try await Harness([], columns: 72, rows: 20)
        harness.press(.function(1))
        Self.expectSnapshot(await harness.waitFor("Keys and commands"), "help")
    }

    @Test func theBrowserWithAFilter() async throws {
        let store = try BrowserTests.history([("story", "tell me about zeppelins"), ("echo", "plan the garden"), ("story", "a poem on rain")])
        let harness = try await Harness([], bots: ["echo"], store: store, columns: 90, rows: 12)
        harness.press(.control("o"))
        Self.expectSnapshot(await harness.waitFor("a poem on rain"), "browser")
        harness.type("pla")
        Self.expectSnapshot(await harness.waitForScreen { !$0.contains("a poem on rain") }, "browser-filtered")
    }

    @Test func selectModeOnAReplyAskedTwice() async throws {
        let harness = try await Harness([["first answer"], ["second answer"]], bots: ["echo"], columns: 72, rows: 12)
        harness.send("Question")
        await harness.waitFor("first answer")
        await harness.waitFor("echo · idle")
        harness.press(.control("r"))
        await harness.waitFor("second answer")
        await harness.waitFor("echo · idle")
        harness.press(.control("s"))
        Self.expectSnapshot(await harness.waitFor("◂ selected"), "select-variant")
    }
}
