import Foundation
import TerminalKit
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// Enter while a reply arrives queues the message: it goes when the reply is in, in order,
/// with that reply as context; Esc takes it back; a failed reply leaves the queue waiting.
@MainActor
@Suite struct QueueTests {
    /// "one" sent, and its reply begun ("slow ") and held there; the next reply would be "never".
    private func replyOnItsWay(rows: Int) async throws -> (FakeTransport, Harness) {
        let transport = FakeTransport([[.text("slow "), .hang], [.text("never")]])
        let harness = try await Harness(transport: transport, bots: ["echo"], key: APIKey("k"), columns: 70, rows: rows)
        harness.send("one")
        await harness.waitFor("slow")
        return (transport, harness)
    }

    @Test func messagesTypedDuringAReplyGoInOrderWithTheReplyAsContext() async throws {
        let first = Gate()
        let transport = FakeTransport(
            [[.text("first answer "), .gate(first), .text("done")], [.text("second answer")], [.text("third answer")]])
        let harness = try await Harness(transport: transport, bots: ["echo"], key: APIKey("k"), columns: 70, rows: 18)
        harness.send("one")
        await harness.waitFor("first answer")
        harness.send("two")
        harness.send("three")
        let queued = await harness.waitFor("queued: three")
        #expect(queued.contains("queued: two") && queued.contains("Queued (2)"), "\(queued)")
        #expect(transport.requests.count == 1)
        first.open()
        let screen = await harness.waitForScreen { $0.contains("third answer") && $0.contains("echo · idle") }
        #expect(!screen.contains("queued:"), "\(screen)")
        let requests = transport.requests.map { $0.messages.map(\.content) }
        #expect(requests.count == 3)
        #expect(requests.dropFirst().first == ["one", "first answer done", "two"])
        #expect(requests.last == ["one", "first answer done", "two", "second answer", "three"])
    }

    @Test func escOnAnEmptyInputTakesTheLastQueuedBackThenCancels() async throws {
        let (transport, harness) = try await replyOnItsWay(rows: 16)
        harness.send("second thoughts")
        await harness.waitFor("queued: second thoughts")
        harness.press(.escape)
        let back = await harness.waitFor("Taken back from the queue")
        #expect(back.contains("› second thoughts") && !back.contains("queued:"), "\(back)")
        #expect(harness.app.currentTab?.state != .idle)
        // With text in the input, Esc cancels the reply as always.
        harness.press(.escape)
        await harness.waitFor("[interrupted: cancelled]")
        #expect(transport.requests.count == 1)
    }

    @Test func selectModeReachesEveryQueuedMessageToTakeBackOrDrop() async throws {
        let (transport, harness) = try await replyOnItsWay(rows: 18)
        for text in ["two", "three", "four"] { harness.send(text) }
        await harness.waitFor("queued: three")
        // Ctrl+S selects the last message; Down goes past it into the queue.
        harness.press(.control("s"))
        harness.press(.down)
        var screen = await harness.waitFor("▸ queued 1/3: two")
        #expect(screen.contains("  queued 3/3: four") && screen.contains("e take back · d drop"), "\(screen)")
        harness.press(.down)
        await harness.waitFor("▸ queued 2/3: three")
        harness.press(.character("d"))
        screen = await harness.waitFor("Dropped; 2 still queued")
        #expect(!screen.contains("three") && screen.contains("▸ queued 2/2: four"), "\(screen)")
        harness.press(.up)
        await harness.waitFor("▸ queued 1/2: two")
        harness.press(.character("e"))
        screen = await harness.waitFor("Taken back; 1 still queued")
        #expect(screen.contains("› two") && screen.contains("  queued: four") && !screen.contains("▸"), "\(screen)")
        #expect(harness.app.currentTab?.queued == ["four"])
        // Up from the first queued message goes back to the transcript.
        harness.press(.control("u"))
        harness.press(.control("s"))
        harness.press(.down)
        await harness.waitFor("▸ queued: four")
        harness.press(.up)
        screen = await harness.waitFor("y copy · c code")
        #expect(!screen.contains("▸"), "\(screen)")
        #expect(transport.requests.count == 1)
    }

    @Test func ctrlCCancelsTheReplyWhateverIsQueued() async throws {
        let (transport, harness) = try await replyOnItsWay(rows: 16)
        harness.send("two")
        await harness.waitFor("queued: two")
        harness.press(.control("c"))
        let screen = await harness.waitFor("[interrupted: cancelled]")
        // The queue stays, waiting (a cancelled reply does not send it on).
        #expect(screen.contains("queued: two"), "\(screen)")
        #expect(transport.requests.count == 1)
    }

    @Test func aFailedReplyLeavesTheQueueWaitingUntilEnter() async throws {
        let overloaded = APIError.http(status: 503, message: "overloaded", retryAfter: nil)
        let gate = Gate()
        let transport = FakeTransport([[.text("partial "), .gate(gate), .fail(overloaded)], [.text("later answer")]])
        let harness = try await Harness(transport: transport, bots: ["echo"], key: APIKey("k"), columns: 90, rows: 16)
        harness.send("one")
        await harness.waitFor("partial")
        harness.send("two")
        await harness.waitFor("queued: two")
        gate.open()
        let waiting = await harness.waitFor("1 queued message waits")
        #expect(waiting.contains("queued: two"), "\(waiting)")
        // The message goes with the next key; the status bar still says the queue waits.
        harness.type("x")
        harness.press(.backspace)
        await harness.waitFor("1 QUEUED: Enter sends on")
        #expect(transport.requests.count == 1)
        // Enter on the empty input sends on.
        harness.press(.enter)
        let screen = await harness.waitFor("later answer")
        #expect(!screen.contains("queued:"))
        #expect(transport.requests.last?.messages.last?.content == "two")
    }

    @Test func quittingWithMessagesQueuedAsksFirst() async throws {
        let harness = try await Harness([["slow ", "hang"]], bots: ["echo"], columns: 100)
        harness.send("one")
        await harness.waitFor("slow")
        harness.send("two")
        await harness.waitFor("queued: two")
        harness.press(.control("d"))
        await harness.waitFor("Unsent: 1 queued message. Quit again to drop it.")
        #expect(!harness.app.isFinished)
        harness.press(.control("d"))
        #expect(harness.app.isFinished)
    }
}

