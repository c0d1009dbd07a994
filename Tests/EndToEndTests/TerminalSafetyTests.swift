import Foundation
import TestSupport
import Testing

/// `tinytalk ask` writing to a real terminal (a tmux pane): a reply's escape sequences are shown,
/// never obeyed.
@Suite(.serialized)
struct TerminalSafetyTests {
    @Test func escapeSequencesInAReplyAreShownInert() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let pane = DemoEndToEndTests.Screen()
        try pane.start("TINYTALK_API_KEY=\(ServeProcess.key) '\(BuiltProducts.tinytalk.path)' ask hi --bot mischief --endpoint \(server.url); echo EXIT=$?; sleep 30")
        defer { pane.stop() }

        var screen = ""
        _ = try await Polling.until(attempts: 400, every: .milliseconds(50)) {
            screen = try pane.tmux(["capture-pane", "-p", "-J", "-t", "main"]).output
            return screen.contains("EXIT=")
        }
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(screen.contains("␛[31mred?␛[0m"), "\(screen)")
        #expect(screen.contains("␛]0;pwned␇"))
        #expect(screen.contains("␛]52;c;aGVsbG8=␇"))
        #expect(screen.contains("a bidi override desrever, a hidden link ␛]8;;https://evil.example/␛\\click␛]8;;␛\\. The end."))
        let title = try pane.tmux(["display-message", "-p", "-t", "main", "#{pane_title}"]).output
        #expect(!title.contains("pwned"))
    }
}
