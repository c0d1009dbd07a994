import Foundation
import TerminalKit
import Testing
import TinyTalkAPI
import TinyTalkCore

@testable import TinyTalkUI

@MainActor
@Suite struct TranscriptTests {
    static func rows(_ transcript: Transcript, width: Int) -> [String] {
        (0..<transcript.count).flatMap { index in
            (0..<transcript.lineCount(of: index, width: width)).map { transcript.line($0, of: index, width: width).text }
        }
    }

    /// A request that failed before any text: the bot's header, then the reason right under
    /// it, whether the reply failed just now or was read back from the history.
    @Test func aFailedRequestShowsItsReasonUnderTheBotsName() {
        let failed = Message(
            id: 2, conversationId: 1, role: .assistant, content: "", state: .failed, error: "The server answered 500 Internal Server Error.")
        let transcript = Transcript(
            botName: "echo", messages: [Message(id: 1, conversationId: 1, role: .user, content: "hello"), failed], theme: .standard)
        let rows = Self.rows(transcript, width: 60)
        let header = rows.firstIndex { $0.hasPrefix("echo ") }
        #expect(header.map { rows[$0 + 1] } == "The server answered 500 Internal Server Error. — press")
        #expect(!rows.contains { $0.hasPrefix("error ") })
    }

    @Test func aRequestThatFailsLiveLooksAsItWillInTheHistory() {
        let waiting = Message(id: 2, conversationId: 1, role: .assistant, content: "", state: .streaming)
        let transcript = Transcript(botName: "echo", messages: [waiting], theme: .standard)
        _ = Self.rows(transcript, width: 60)
        transcript.apply(.replyFinished(messageId: 2, .failed(.http(status: 500, message: "Overloaded.", retryAfter: nil))))
        let failed = Message(id: 2, conversationId: 1, role: .assistant, content: "", state: .failed, error: transcript.entries[0].note)
        let reloaded = Transcript(botName: "echo", messages: [failed], theme: .standard)
        #expect(Self.rows(transcript, width: 60).dropFirst() == Self.rows(reloaded, width: 60).dropFirst())
        #expect(Self.rows(transcript, width: 60)[1].hasPrefix("The server answered 500"))
    }

    /// A reply that has not sent its first token yet keeps a row for it.
    @Test func aReplyStillWaitingKeepsARowForItsText() {
        let waiting = Message(id: 2, conversationId: 1, role: .assistant, content: "", state: .streaming)
        let transcript = Transcript(botName: "echo", messages: [waiting], theme: .standard)
        #expect(transcript.lineCount(of: 0, width: 60) == 3)
    }
}
