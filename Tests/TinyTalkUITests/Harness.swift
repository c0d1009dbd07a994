import Foundation
import TerminalKit
import TestSupport
import Testing
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// The app in a ``FakeTerminal`` with one tab per bot, replies from a ``FakeTransport``.
@MainActor
struct Harness {
    let terminal: FakeTerminal
    let app: App
    /// The history the app's workspace keeps (in memory).
    let store: Store

    /// A reply scripted as pieces of text, where `pause` waits 0.3 s, `long pause` 1.5 s and
    /// `hang` until the reply is cancelled.
    static func steps(_ pieces: [String]) -> [FakeTransport.Step] {
        pieces.map { piece in
            switch piece {
            case "pause": .pause(.milliseconds(300))
            case "long pause": .pause(.milliseconds(1500))
            case "hang": .hang
            default: .text(piece)
            }
        }
    }

    init(
        _ replies: [[String]], bots: [String] = ["echo", "story"], keyMap: KeyMap = .standard, store: Store? = nil, columns: Int = 60,
        rows: Int = 16
    ) async throws {
        try await self.init(
            transport: FakeTransport(replies.map(Self.steps), whenOut: [.text("ok")]), bots: bots, key: APIKey("k"), keyMap: keyMap,
            store: store, columns: columns, rows: rows)
    }

    /// One tab per bot, in a terminal of `columns` × `rows`, replies from `transport`.
    init(
        transport: any ChatTransport, bots: [String], key: APIKey? = nil, setup: AppSetup? = nil, keyMap: KeyMap = .standard,
        store: Store? = nil, columns: Int = 60, rows: Int = 16
    ) async throws {
        terminal = FakeTerminal(columns: columns, rows: rows)
        self.store = try store ?? Store()
        let workspace = Workspace(store: self.store, transport: transport)
        let endpoint = Endpoint(url: "http://127.0.0.1:9/v1/chat/completions", apiKey: key)
        let profiles = bots.map { BotProfile(name: $0, id: $0, endpoint: endpoint) }
        for profile in profiles { await workspace.perform(.open(profile)) }
        if let first = await workspace.tabIDs.first { await workspace.perform(.select(first)) }
        app = App(backend: terminal, workspace: workspace, profiles: profiles, keyMap: keyMap)
        app.setup = setup
        await app.start()
    }

    func type(_ text: String) {
        for character in text { app.handle(.key(KeyPress(.character(character)))) }
    }

    func press(_ key: Key, alt: Bool = false) {
        app.handle(.key(KeyPress(key, alt: alt)))
    }

    func send(_ text: String) {
        type(text)
        press(.enter)
    }

    /// Waits until `condition` holds (2,000 looks, 5 ms apart: at least 10 s).
    func waitUntil(_ condition: () -> Bool) async {
        #expect(await Polling.until(attempts: 2_000, every: .milliseconds(5)) { condition() })
    }

    /// Draws frames until `condition` holds for the screen's text (2,000 frames, 5 ms apart:
    /// at least 10 s); returns the screen.
    @discardableResult
    func waitForScreen(_ condition: (String) -> Bool) async -> String {
        let shown = await Polling.until(attempts: 2_000, every: .milliseconds(5)) {
            app.render()
            return condition(terminal.grid.text)
        }
        if !shown { Issue.record("the screen never showed what was expected:\n\(terminal.grid.text)") }
        return terminal.grid.text
    }

    /// Draws frames until the screen shows `expected` (2,000 frames, 5 ms apart: at least
    /// 10 s); returns the screen.
    @discardableResult
    func waitFor(_ expected: String) async -> String {
        let shown = await Polling.until(attempts: 2_000, every: .milliseconds(5)) {
            app.render()
            return terminal.grid.text.contains(expected)
        }
        if !shown { Issue.record("the screen never showed \(expected):\n\(terminal.grid.text)") }
        return terminal.grid.text
    }
}
