import Foundation
import TerminalKit
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// `/file PATH` in the app: shown above the input until sent, then sent with the message.
@MainActor
@Suite struct FileTests {
    @Test func aFileGoesWithTheNextMessageAndARefusalSendsNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tt-app-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("let x = 1\nprint(x)\n".utf8).write(to: folder.appendingPathComponent("main.swift"))
        try Data([0, 1, 2]).write(to: folder.appendingPathComponent("image.png"))
        let transport = FakeTransport([[.text("Looks fine.")]])
        let harness = try await Harness(transport: transport, bots: ["echo"], key: APIKey("k"), columns: 100, rows: 20)

        harness.send("/file \(folder.path)/image.png")
        await harness.waitFor("is not a text file")
        // Tab completes the path: one match left.
        harness.type("/file \(folder.path)/ma")
        harness.press(.tab)
        await harness.waitFor("/file \(folder.path)/main.swift")
        harness.press(.enter)
        let attached = await harness.waitFor("+ main.swift (3 lines) goes with the next message")
        #expect(!attached.contains("image.png ("))
        #expect(transport.requests.isEmpty)

        harness.send("Is this right?")
        await harness.waitFor("Looks fine.")
        #expect(transport.requests.first?.messages.last?.content == "Is this right?\n\n```main.swift\nlet x = 1\nprint(x)\n```")
        #expect(!harness.terminal.grid.text.contains("goes with the next message"))
    }
}
