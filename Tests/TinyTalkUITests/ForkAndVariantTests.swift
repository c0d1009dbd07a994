import Foundation
import TerminalKit
import TestSupport
import Testing
import TinyTalkCore
import TinyTalkUI

/// Editing an earlier message forks the conversation; asking again keeps the earlier reply.
@MainActor
@Suite struct ForkAndVariantTests {
    @Test func editingAnEarlierMessageForksAndTheOriginalStays() async throws {
        let harness = try await Harness([["r1"], ["r2"], ["the edited one's reply"]], bots: ["echo"], columns: 100, rows: 24)
        for (text, reply) in [("one", "r1"), ("two", "r2")] {
            harness.send(text)
            await harness.waitFor(reply)
            await harness.waitFor("echo · idle")
        }
        harness.press(.control("s"))
        harness.press(.up)  // from the last reply to "two"
        harness.press(.character("e"))
        await harness.waitFor("EDITING: Enter forks, Esc keeps")
        await harness.waitFor("› two")
        harness.press(.control("u"))
        harness.send("TWO, edited")
        let fork = await harness.waitFor("the edited one's reply")
        #expect(fork.hasPrefix(" 1:echo  2:echo ⑂"))
        #expect(fork.contains("fork of #1"))
        #expect(fork.contains("TWO, edited") && fork.contains("r1") && !fork.contains("r2"))
        // The original is untouched.
        harness.press(.character("1"), alt: true)
        let original = await harness.waitForScreen { $0.contains("r2") && !$0.contains("fork of") }
        #expect(original.contains("two") && !original.contains("TWO, edited"))
        #expect(try harness.store.messages(conversationId: 1).map(\.content) == ["one", "r1", "two", "r2"])
        // The browser marks the fork too.
        harness.press(.control("o"))
        await harness.waitFor("⑂ one")
    }

    @Test func escapeWhileEditingKeepsTheOriginalAndTheDraft() async throws {
        let harness = try await Harness([["r1"]], bots: ["echo"], columns: 100)
        harness.send("one")
        await harness.waitFor("r1")
        await harness.waitFor("echo · idle")
        harness.type("a draft")
        harness.press(.control("s"))
        harness.press(.up)
        harness.press(.character("e"))
        await harness.waitFor("› one")
        harness.press(.escape)
        await harness.waitFor("› a draft")
        await harness.waitFor("Not edited")
        #expect(harness.app.tabs.count == 1)
    }

    @Test func askingAgainKeepsTheEarlierReplyToFlipBackTo() async throws {
        let harness = try await Harness([["first answer"], ["second answer"], ["ok"]], bots: ["echo"], columns: 100, rows: 20)
        harness.send("Question")
        await harness.waitFor("first answer")
        await harness.waitFor("echo · idle")
        harness.press(.control("r"))
        let again = await harness.waitFor("second answer")
        #expect(!again.contains("first answer"))
        await harness.waitFor("· 2/2")
        harness.press(.control("s"))
        harness.press(.character("<"))
        let flipped = await harness.waitFor("first answer")
        #expect(flipped.contains("· 1/2") && !flipped.contains("second answer"))
        harness.press(.escape)
        // The one on screen is what the next question is asked with.
        harness.send("And?")
        await harness.waitFor("ok")
        await harness.waitFor("echo · idle")  // the reply is saved whole when it ends
        let saved = try harness.store.messages(conversationId: 1)
        #expect(saved.filter(\.isContext).map(\.content) == ["Question", "first answer", "And?", "ok"])
    }
}
