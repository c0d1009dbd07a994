import Foundation
import TerminalKit
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// A reply that finishes where the user cannot see it rings the bell (or shows a desktop
/// notification); one they watched, or cancelled, does not.
@MainActor
@Suite struct NotifyTests {
    @Test func aReplyFinishingInATabNotOnScreenRingsAndUnreadRepliesAreCounted() async throws {
        let gate = Gate()
        let transport = FakeTransport([[.text("seen")], [.text("one "), .gate(gate), .text("done")], [.text("two")]])
        let harness = try await Harness(transport: transport, bots: ["echo", "story"], key: APIKey("k"))
        harness.press(.character("2"), alt: true)
        harness.send("watched")
        await harness.waitFor("seen")
        await harness.waitFor("story · idle")
        #expect(harness.terminal.alerts.isEmpty)  // it finished on screen
        // A reply and a queued message behind it, both finishing while tab 1 is shown.
        harness.send("first")
        await harness.waitFor("one")
        harness.send("second")
        harness.press(.character("1"), alt: true)
        await harness.waitFor("echo · idle")
        gate.open()
        await harness.waitFor("2:story *2")
        #expect(harness.terminal.alerts.count == 2 && harness.terminal.alerts.allSatisfy { $0 == nil })
        harness.press(.character("2"), alt: true)
        await harness.waitFor("two")
        #expect(!harness.terminal.grid.line(0).contains("*"))
    }

    @Test func anUnfocusedWindowRingsEvenForTheTabOnScreenAndDesktopNamesTheBot() async throws {
        let harness = try await Harness([["done"], ["again"]], bots: ["echo"])
        harness.app.notify = .desktop
        harness.app.handle(.focus(false))
        harness.send("q")
        await harness.waitUntil { harness.terminal.alerts.count == 1 }
        #expect(harness.terminal.alerts.first??.body == "echo replied")
        // Focused again and watching: nothing.
        harness.app.handle(.focus(true))
        harness.send("r")
        await harness.waitFor("again")
        await harness.waitFor("echo · idle")
        #expect(harness.terminal.alerts.count == 1)
    }

    @Test func offMeansNeverAndACancelledReplyIsNoNews() async throws {
        let harness = try await Harness([["slow ", "hang"], ["x"]], bots: ["echo", "story"])
        harness.send("q")
        await harness.waitFor("slow")
        harness.press(.escape)
        await harness.waitFor("[interrupted: cancelled]")
        harness.app.handle(.focus(false))
        harness.app.notify = .off
        harness.press(.character("2"), alt: true)
        harness.send("y")
        await harness.waitFor("story · idle")
        harness.press(.character("1"), alt: true)
        await harness.waitFor("echo · idle")
        #expect(harness.terminal.alerts.isEmpty)
    }
}
