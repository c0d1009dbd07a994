import Foundation
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
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            screen = try pane.tmux(["capture-pane", "-p", "-J", "-t", "main"]).output
            if screen.contains("EXIT=") { break }
            try await Task.sleep(for: .milliseconds(50))
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
