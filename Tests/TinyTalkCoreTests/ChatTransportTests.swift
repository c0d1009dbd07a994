import Foundation
import LocalBot
import Synchronization
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore

/// The seam sessions talk through: the real client must work behind it.
@Suite struct ChatTransportTests {
    /// A local bot server for `body`, stopped after it.
    private func withLocalBot(_ body: (LocalBotServer) async throws -> Void) async throws {
        let server = try await LocalBotServer.bind(LocalBotConfiguration(tokensPerSecond: 0))
        let serving = Task { await server.run() }
        defer {
            server.stop()
            serving.cancel()
        }
        try await body(server)
    }

    @Test func chatClientServesAsTheTransport() async throws {
        try await withLocalBot { server in
            let client = ChatClient()
            let transport: any ChatTransport = client
            let request = ChatRequest(
                botId: "echo",
                messages: [
                    ChatMessage(role: .system, content: "terse"), ChatMessage(role: .user, content: "one"),
                    ChatMessage(role: .assistant, content: "ok"), ChatMessage(role: .user, content: "two"),
                ])
            var reply = ""
            for try await delta in transport.stream(request, to: Endpoint(url: server.chatURL, apiKey: APIKey("any-key"))) {
                if case .text(let text) = delta { reply += text }
            }
            try await client.shutdown()
            #expect(reply == "You said 2 things and I answered 1 time. Last: “two”. Before that: “one”. System prompt: “terse”. Temperature: the bot's default.")
        }
    }

    /// Over the real client a session runs on the client's network thread: each piece of a
    /// reply is taken (and emitted) where it was read, with no hop to another thread first.
    @Test func aSessionOverTheClientTakesEachPieceOnTheNetworkThread() async throws {
        try await withLocalBot { server in
            let client = ChatClient()
            let store = try Store()
            let conversation = try store.createConversation(botId: "count", botName: "count")
            let threads = Mutex<[String]>([])
            let finished = Mutex(false)
            let session = ChatSession(
                conversation: conversation, bot: BotProfile(name: "count", id: "count", endpoint: Endpoint(url: server.chatURL)),
                transport: client, store: store,
                observer: { event in
                    switch event {
                    case .textDelta: threads.withLock { $0.append(Self.threadName()) }
                    case .replyFinished: finished.withLock { $0 = true }
                    default: break
                    }
                })
            try await session.send("40")
            _ = await Polling.until(attempts: 5_000, every: .milliseconds(2)) { finished.withLock { $0 } }
            let names = threads.withLock { $0 }
            #expect(!names.isEmpty)
            #expect(names.allSatisfy { $0.hasPrefix("NIO-ELT") }, "\(Set(names))")
            #expect(await session.messages.last?.content.contains("w40") == true)
            try await client.shutdown()
        }
    }

    /// The calling thread's name, as the kernel has it.
    private static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
    }
}
