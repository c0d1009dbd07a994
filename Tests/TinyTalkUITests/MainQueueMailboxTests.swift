import Dispatch
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore

@testable import TinyTalkUI

@MainActor
@Suite struct MainQueueMailboxTests {
    final class Received: @unchecked Sendable {
        // Touched on the main actor only (deliver is main-actor isolated).
        var batches: [[Int]] = []
    }

    /// Everything posted before the main queue gets to it arrives in one hop, in order.
    @Test func lettersPostedWhileTheMainQueueIsBusyArriveInOneHop() async {
        let received = Received()
        let mailbox = MainQueueMailbox<Int> { letters in received.batches.append(letters) }
        for number in 0..<1_000 { mailbox.post(number) }  // the main actor is busy here
        #expect(await Polling.until(attempts: 2_000, every: .milliseconds(5)) { !received.batches.isEmpty })
        #expect(received.batches == [Array(0..<1_000)])
    }

    /// Letters from other threads all arrive, each thread's in the order it posted them.
    @Test func lettersFromManyThreadsAllArriveInOrder() async {
        let received = Received()
        let mailbox = MainQueueMailbox<Int> { letters in received.batches.append(letters) }
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for number in 0..<500 { mailbox.post(thread * 1_000 + number) }
        }
        #expect(await Polling.until(attempts: 2_000, every: .milliseconds(5)) { received.batches.joined().count == 2_000 })
        let all = Array(received.batches.joined())
        for thread in 0..<4 {
            #expect(all.filter { $0 / 1_000 == thread } == Array((thread * 1_000)..<(thread * 1_000 + 500)))
        }
        #expect(received.batches.count < 2_000)
    }
}

@Suite struct DeltaCoalescingTests {
    @Test func consecutivePiecesOfOneReplyAreJoinedAndNothingElseMoves() {
        let a = TabID(1), b = TabID(2)
        let events: [WorkspaceEvent] = [
            .session(a, .textDelta(messageId: 2, text: "Hel")), .session(a, .textDelta(messageId: 2, text: "lo")),
            .session(b, .textDelta(messageId: 7, text: "x")), .session(a, .textDelta(messageId: 2, text: ", ")),
            .session(a, .textDelta(messageId: 2, text: "world")), .session(a, .usage(messageId: 2, Usage(promptTokens: 1))),
            .session(a, .textDelta(messageId: 2, text: "!")), .session(a, .textDelta(messageId: 3, text: "new")),
            .tabSelected(b), .session(b, .textDelta(messageId: 7, text: "y")), .session(b, .textDelta(messageId: 7, text: "z")),
        ]
        let merged = DeltaCoalescing.coalesced(events)
        #expect(merged.map(\.event) == [
            .session(a, .textDelta(messageId: 2, text: "Hello")), .session(b, .textDelta(messageId: 7, text: "x")),
            .session(a, .textDelta(messageId: 2, text: ", world")), .session(a, .usage(messageId: 2, Usage(promptTokens: 1))),
            .session(a, .textDelta(messageId: 2, text: "!")), .session(a, .textDelta(messageId: 3, text: "new")),
            .tabSelected(b), .session(b, .textDelta(messageId: 7, text: "yz")),
        ])
        #expect(merged.map(\.pieces) == [2, 1, 2, 1, 1, 1, 1, 2])
    }
}
